using GmsaOperator.Webhooks.Certificates;
using Microsoft.Extensions.Options;

namespace GmsaOperator.Webhooks;

/// <summary>Fails start-up when <c>Webhooks:ClientCaFile</c> is set but is missing, unreadable or not a usable CA, saying which.</summary>
public sealed class ClientCaFileValidation(TimeProvider time) : IValidateOptions<WebhookOptions>
{
    public ValidateOptionsResult Validate(string? name, WebhookOptions options)
    {
        if (string.IsNullOrEmpty(options.ClientCaFile)) return ValidateOptionsResult.Skip;
        using var authority = ClientCertificateAuthority.TryLoad(options.ClientCaFile, time.GetUtcNow(), out var problem);
        return authority is null
            ? ValidateOptionsResult.Fail(WebhookClientAuthentication.ProblemMessage(options.ClientCaFile, problem!))
            : ValidateOptionsResult.Success;
    }
}

using System.Reflection;
using GmsaOperator.Webhooks.Admission;
using Microsoft.AspNetCore.Http;

namespace GmsaOperator.Webhooks.Http;

/// <summary>Routes requests on the webhook port: the four admission paths, upstream's <c>/health</c> and <c>/info</c>, 404 otherwise.</summary>
public sealed class WebhookDispatcher(AdmissionEndpoint endpoint, PodMutator mutator, PodValidator podValidator, GmsaBindingValidator bindingValidator)
{
    private static readonly string Version =
        typeof(WebhookDispatcher).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    public Task InvokeAsync(HttpContext context) => context.Request.Path.Value switch
    {
        WebhookPaths.MutatePod => endpoint.HandleAsync(context, WebhookPaths.MutatePod, mutator.MutateAsync),
        WebhookPaths.ValidatePod => endpoint.HandleAsync(context, WebhookPaths.ValidatePod, podValidator.ValidateAsync),
        WebhookPaths.ValidateGmsaBinding => endpoint.HandleAsync(context, WebhookPaths.ValidateGmsaBinding, bindingValidator.ValidateAsync),
        WebhookPaths.ValidateCredentialSpec => endpoint.HandleAsync(context, WebhookPaths.ValidateCredentialSpec, (r, _) => ValueTask.FromResult(CredentialSpecValidator.Validate(r))),
        WebhookPaths.Health => Status(context, StatusCodes.Status204NoContent),
        WebhookPaths.Info => context.Response.WriteAsJsonAsync(new Dictionary<string, string> { ["version"] = Version }, InfoJsonContext.Default.DictionaryStringString, cancellationToken: context.RequestAborted),
        _ => Status(context, StatusCodes.Status404NotFound),
    };

    private static Task Status(HttpContext context, int code)
    {
        context.Response.StatusCode = code;
        return Task.CompletedTask;
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class InfoJsonContext : System.Text.Json.Serialization.JsonSerializerContext;

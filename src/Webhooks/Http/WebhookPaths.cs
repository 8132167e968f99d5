namespace GmsaOperator.Webhooks.Http;

/// <summary>URL paths served on the webhook port (the first two are upstream's).</summary>
public static class WebhookPaths
{
    public const string MutatePod = "/mutate";
    public const string ValidatePod = "/validate";
    public const string ValidateGmsaBinding = "/validate-gmsabinding";
    public const string ValidateCredentialSpec = "/validate-gmsacredentialspec";
    public const string Health = "/health";
    public const string Info = "/info";
}

namespace GmsaOperator.Operator.Reconcilers;

/// <summary>Labels that mark an object as generated (and therefore owned) by the operator.</summary>
public static class ManagedLabels
{
    public const string ManagedBy = "app.kubernetes.io/managed-by";
    public const string ManagedByValue = "gmsa-operator";
    public const string CredentialSpec = "gmsa.dev/credential-spec";
    public const string Binding = "gmsa.dev/binding";

    public static bool IsManaged(IDictionary<string, string>? labels) =>
        labels is not null && labels.TryGetValue(ManagedBy, out var value) && value == ManagedByValue;
}

namespace GmsaOperator.Operator.Reconcilers;

/// <summary>
/// Labels on the objects the operator generates, for selection and for people. They prove nothing: ownership is the
/// controller ownerReference (<see cref="GeneratedOwnership"/>).
/// </summary>
public static class ManagedLabels
{
    public const string ManagedBy = Entities.Deployment.OperatorDeployment.ManagedByLabel;
    public const string ManagedByValue = Entities.Deployment.OperatorDeployment.ManagedByValue;
    public const string CredentialSpec = "gmsa.dev/credential-spec";
    public const string Binding = "gmsa.dev/binding";

    public static bool IsManaged(IDictionary<string, string>? labels) =>
        labels is not null && labels.TryGetValue(ManagedBy, out var value) && value == ManagedByValue;
}

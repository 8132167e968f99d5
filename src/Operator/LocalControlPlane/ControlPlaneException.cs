namespace GmsaOperator.LocalControlPlane;

/// <summary>A local control plane could not be built or started; the message is one sentence a person can act on.</summary>
public sealed class ControlPlaneException(string message, Exception? inner = null) : Exception(message, inner);

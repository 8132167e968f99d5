namespace GmsaOperator.Runtime.Informers;

/// <summary>The watch's resourceVersion is too old (410 Gone): the informer must relist.</summary>
public sealed class ResourceVersionExpiredException(string message, Exception? inner = null) : Exception(message, inner);

using Microsoft.Extensions.Logging;

namespace GmsaOperator.Tests;

/// <summary>Keeps every formatted log entry, for tests that assert what was (or was not) logged.</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    public List<(LogLevel Level, string Message)> Entries { get; } = [];

    /// <summary>Entries as <c>Level: message</c>.</summary>
    public IReadOnlyList<string> Lines => [.. Entries.Select(e => $"{e.Level}: {e.Message}")];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (Entries) Entries.Add((logLevel, formatter(state, exception)));
    }
}

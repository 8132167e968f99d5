using Microsoft.Extensions.Logging;

namespace GmsaOperator.Tests;

/// <summary>A logger that keeps every formatted entry, for tests of what is (or is not) logged.</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    private readonly Lock _gate = new();
    private readonly List<(LogLevel Level, string Message)> _entries = [];

    public IReadOnlyList<(LogLevel Level, string Message)> Entries
    {
        get
        {
            lock (_gate) return [.. _entries];
        }
    }

    /// <summary>Entries as <c>Level: message</c>.</summary>
    public IReadOnlyList<string> Lines => [.. Entries.Select(e => $"{e.Level}: {e.Message}")];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_gate) _entries.Add((logLevel, formatter(state, exception)));
    }
}

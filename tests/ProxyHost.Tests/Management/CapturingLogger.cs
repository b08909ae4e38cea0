using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ProxyHost.Tests.Management;

/// <summary>Keeps every formatted log line (all levels) so tests can check what the server logs.</summary>
internal sealed class CapturingLogger<T> : ILogger<T>
{
    private readonly ConcurrentQueue<(LogLevel Level, EventId Event, string Text)> _entries = new();

    public IReadOnlyList<(LogLevel Level, EventId Event, string Text)> Entries => [.. _entries];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var text = formatter(state, exception);
        if (exception is not null)
        {
            text += Environment.NewLine + exception;
        }

        _entries.Enqueue((logLevel, eventId, text));
    }
}

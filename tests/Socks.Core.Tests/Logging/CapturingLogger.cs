using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Socks.Core.Tests.Logging;

/// <summary>An <see cref="ILogger"/> that keeps every entry, for asserting what was logged and how often.</summary>
internal sealed class CapturingLogger : ILogger
{
    private readonly ConcurrentQueue<Entry> _entries = new();

    public IReadOnlyList<Entry> Entries => [.. _entries];

    public IReadOnlyList<Entry> AtLevel(LogLevel level) => [.. _entries.Where(e => e.Level == level)];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _entries.Enqueue(new Entry(logLevel, eventId.Id, formatter(state, exception), exception));

    internal sealed record Entry(LogLevel Level, int EventId, string Message, Exception? Exception);
}

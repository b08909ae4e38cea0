using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Tests.Common;

/// <summary>An <see cref="ILogger"/> that keeps every entry (all levels), for asserting what was logged and how often.</summary>
public class CapturingLogger : ILogger
{
    private readonly ConcurrentQueue<Entry> _entries = new();

    public IReadOnlyList<Entry> Entries => [.. _entries];

    public IReadOnlyList<Entry> AtLevel(LogLevel level) => [.. _entries.Where(e => e.Level == level)];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        _entries.Enqueue(new Entry(logLevel, eventId, formatter(state, exception), exception));
    }

    /// <summary>One logged entry.</summary>
    /// <param name="Level">The level.</param>
    /// <param name="Event">The event id and name.</param>
    /// <param name="Message">The formatted message.</param>
    /// <param name="Exception">The exception logged with it, if any.</param>
    public sealed record Entry(LogLevel Level, Microsoft.Extensions.Logging.EventId Event, string Message, Exception? Exception)
    {
        /// <summary>The numeric event id.</summary>
        public int EventId => Event.Id;

        /// <summary>The message followed, on the next line, by the exception when there is one: what a console sink would print.</summary>
        public string Text => Exception is null ? Message : Message + Environment.NewLine + Exception;
    }
}

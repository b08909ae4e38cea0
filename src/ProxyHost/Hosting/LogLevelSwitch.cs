using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace ProxyHost.Hosting;

/// <summary>
/// The least severe diagnostic level (<c>--log-level</c>), changeable while socks5d runs (SIGHUP configuration reload).
/// </summary>
/// <remarks>
/// It is the host's <see cref="LoggerFilterOptions"/> source: the logger factory recomputes every logger's filter when
/// its change token fires, so a change costs nothing per message afterwards (a filter callback would run on every
/// <c>IsEnabled</c>, the relay's hot path included).
/// </remarks>
internal sealed class LogLevelSwitch : IConfigureOptions<LoggerFilterOptions>, IOptionsChangeTokenSource<LoggerFilterOptions>
{
    private readonly Lock _lock = new();
    private LogLevel _level;
    private CancellationTokenSource _changed = new();

    /// <summary>Creates the switch.</summary>
    /// <param name="level">The level at start.</param>
    public LogLevelSwitch(LogLevel level)
    {
        _level = level;
    }

    /// <inheritdoc/>
    public string? Name => Options.DefaultName;

    /// <summary>The least severe level written; setting it applies to every logger at once.</summary>
    public LogLevel Level
    {
        get
        {
            lock (_lock)
            {
                return _level;
            }
        }

        set
        {
            CancellationTokenSource changed;
            lock (_lock)
            {
                if (_level == value)
                {
                    return;
                }

                _level = value;
                changed = _changed;
                _changed = new CancellationTokenSource();
            }

            // Fires the options monitor: LoggerFactory.RefreshFilters runs before this returns.
            changed.Cancel();
            changed.Dispose();
        }
    }

    /// <inheritdoc/>
    public void Configure(LoggerFilterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.MinLevel = Level;
    }

    /// <inheritdoc/>
    public IChangeToken GetChangeToken()
    {
        lock (_lock)
        {
            return new CancellationChangeToken(_changed.Token);
        }
    }
}

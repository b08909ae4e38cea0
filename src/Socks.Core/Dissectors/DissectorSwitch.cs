namespace Socks.Core.Dissectors;

/// <summary>
/// The run-time on/off switch of the dissectors (TOGGLE_DISECTOR, <c>-N</c>). Observers read it on
/// every chunk, so a change applies to new and running sessions alike. Thread-safe.
/// </summary>
public sealed class DissectorSwitch
{
    private int _enabled;

    /// <summary>Creates a switch in the given state.</summary>
    /// <param name="enabled">The initial state (false for <c>-N</c>).</param>
    public DissectorSwitch(bool enabled = true)
    {
        _enabled = enabled ? 1 : 0;
    }

    /// <summary>Whether dissectors watch traffic and emit records now.</summary>
    public bool Enabled
    {
        get => Volatile.Read(ref _enabled) != 0;
        set => Volatile.Write(ref _enabled, value ? 1 : 0);
    }

    /// <summary>Flips the state atomically.</summary>
    /// <returns>The new state: true if the dissectors are now on.</returns>
    public bool Toggle()
    {
        while (true)
        {
            var current = Volatile.Read(ref _enabled);
            var next = current ^ 1;
            if (Interlocked.CompareExchange(ref _enabled, next, current) == current)
            {
                return next != 0;
            }
        }
    }
}

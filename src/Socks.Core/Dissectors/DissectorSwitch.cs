namespace Socks.Core.Dissectors;

/// <summary>
/// The run-time on/off switch of the dissectors (TOGGLE_DISECTOR, <c>-N</c>). Observers read it on
/// every chunk, so a change applies to new and running sessions alike. Thread-safe.
/// </summary>
public sealed class DissectorSwitch
{
    // Bit 0: on. Bits 1..31: how many times it was switched on (wrapping), which lets an observer
    // tell "switched on again since I last looked" from "stayed on".
    private int _state;

    /// <summary>Creates a switch in the given state.</summary>
    /// <param name="enabled">The initial state (false for <c>-N</c>).</param>
    public DissectorSwitch(bool enabled = true)
    {
        _state = enabled ? 1 : 0;
    }

    /// <summary>Whether dissectors watch traffic and emit records now.</summary>
    public bool Enabled
    {
        get => (Volatile.Read(ref _state) & 1) != 0;
        set => Change(_ => value);
    }

    /// <summary>Changes every time the switch goes from off to on.</summary>
    internal int Generation => Volatile.Read(ref _state) >>> 1;

    /// <summary>Flips the state atomically.</summary>
    /// <returns>The new state: true if the dissectors are now on.</returns>
    public bool Toggle() => Change(on => !on);

    private bool Change(Func<bool, bool> next)
    {
        while (true)
        {
            var current = Volatile.Read(ref _state);
            var wasOn = (current & 1) != 0;
            var on = next(wasOn);
            if (on == wasOn)
            {
                return on;
            }

            var updated = on ? unchecked(current + 3) : current & ~1;
            if (Interlocked.CompareExchange(ref _state, updated, current) == current)
            {
                return on;
            }
        }
    }
}

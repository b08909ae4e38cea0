using System.Globalization;

namespace Socks.Core.Limits;

/// <summary>
/// The limits of one user (docs/users-file.md "Limits"): concurrent sessions, bandwidth each way shared by all of the
/// user's sessions, and a traffic quota per period. Zero means "no limit" for each; the default value has none.
/// </summary>
public readonly struct UserLimits : IEquatable<UserLimits>
{
    /// <summary>Creates limits, validating them.</summary>
    /// <param name="maxSessions">Sessions open at once, 0 for no limit.</param>
    /// <param name="rateUp">Bytes per second client to target, 0 for no limit.</param>
    /// <param name="rateDown">Bytes per second target to client, 0 for no limit.</param>
    /// <param name="quota">Bytes (both directions together) per <paramref name="period"/>, 0 for no quota.</param>
    /// <param name="period">The quota's period: <see cref="QuotaPeriod.None"/> exactly when <paramref name="quota"/> is 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is negative, or the period is not defined.</exception>
    /// <exception cref="ArgumentException">A quota without a period, or a period without a quota.</exception>
    public UserLimits(int maxSessions, long rateUp, long rateDown, long quota, QuotaPeriod period)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxSessions);
        ArgumentOutOfRangeException.ThrowIfNegative(rateUp);
        ArgumentOutOfRangeException.ThrowIfNegative(rateDown);
        ArgumentOutOfRangeException.ThrowIfNegative(quota);
        if (period is not (QuotaPeriod.None or QuotaPeriod.Day or QuotaPeriod.Month))
        {
            throw new ArgumentOutOfRangeException(nameof(period), period, "Must be None, Day or Month.");
        }

        if ((quota == 0) != (period == QuotaPeriod.None))
        {
            throw new ArgumentException("A quota needs a period (day or month), and a period needs a quota.", nameof(period));
        }

        MaxSessions = maxSessions;
        RateUp = rateUp;
        RateDown = rateDown;
        Quota = quota;
        Period = period;
    }

    /// <summary>No limits.</summary>
    public static UserLimits None => default;

    /// <summary>Sessions open at once, 0 for no limit.</summary>
    public int MaxSessions { get; }

    /// <summary>Bytes per second client to target, shared by the user's sessions; 0 for no limit.</summary>
    public long RateUp { get; }

    /// <summary>Bytes per second target to client, shared by the user's sessions; 0 for no limit.</summary>
    public long RateDown { get; }

    /// <summary>Bytes (both directions together) per <see cref="Period"/>; 0 for no quota.</summary>
    public long Quota { get; }

    /// <summary>The quota's period.</summary>
    public QuotaPeriod Period { get; }

    /// <summary>True when no limit is set.</summary>
    public bool IsNone => Equals(None);

    /// <summary>True when a rate is limited in either direction.</summary>
    public bool HasRate => RateUp > 0 || RateDown > 0;

    /// <summary>Compares two limits.</summary>
    /// <param name="left">One.</param>
    /// <param name="right">The other.</param>
    /// <returns>True when equal.</returns>
    public static bool operator ==(UserLimits left, UserLimits right) => left.Equals(right);

    /// <summary>Compares two limits.</summary>
    /// <param name="left">One.</param>
    /// <param name="right">The other.</param>
    /// <returns>True when different.</returns>
    public static bool operator !=(UserLimits left, UserLimits right) => !left.Equals(right);

    /// <inheritdoc/>
    public bool Equals(UserLimits other) =>
        MaxSessions == other.MaxSessions && RateUp == other.RateUp && RateDown == other.RateDown && Quota == other.Quota && Period == other.Period;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is UserLimits other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(MaxSessions, RateUp, RateDown, Quota, Period);

    /// <summary>The limits as the users file writes them (docs/users-file.md), or an empty string for none.</summary>
    /// <returns>For example <c>sessions=2 rate-up=1048576 quota=53687091200/month</c>.</returns>
    public override string ToString()
    {
        var parts = new List<string>(4);
        if (MaxSessions > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"sessions={MaxSessions}"));
        }

        if (RateUp > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"rate-up={RateUp}"));
        }

        if (RateDown > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"rate-down={RateDown}"));
        }

        if (Quota > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"quota={Quota}/{(Period == QuotaPeriod.Day ? "day" : "month")}"));
        }

        return string.Join(' ', parts);
    }
}

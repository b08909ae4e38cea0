using System.Text;

namespace Socks.Core.Access.Rules;

/// <summary>
/// One line of a rules file, precompiled: each field a small array scanned in place (a rules file has tens of
/// entries, not thousands, so arrays beat hashing and never allocate). A field left out is null and matches anything.
/// </summary>
internal sealed class AccessRule
{
    /// <summary>The line of the rules file the rule is on (1-based).</summary>
    public required int Line { get; init; }

    /// <summary>True for <c>allow</c>, false for <c>deny</c>.</summary>
    public required bool Allow { get; init; }

    /// <summary><c>client=</c>: the client must be in one of these blocks; null for any client.</summary>
    public RuleNetwork[]? Clients { get; init; }

    /// <summary><c>user=</c> names (UTF-8, exact); null when the field is absent.</summary>
    public byte[][]? Users { get; init; }

    /// <summary><c>user=*</c>: any authenticated user.</summary>
    public bool AnyUser { get; init; }

    /// <summary><c>user=anonymous</c>: sessions without authentication.</summary>
    public bool Anonymous { get; init; }

    /// <summary><c>command=</c>: one bit per command (see <see cref="CommandBit"/>); 0 for any command.</summary>
    public int Commands { get; init; }

    /// <summary><c>dest=</c> names, lower case: exact names, and the suffixes (with their dot) of <c>*.</c> patterns.</summary>
    public byte[][]? Names { get; init; }

    /// <summary>For each of <see cref="Names"/>, true when it is a <c>*.</c> suffix.</summary>
    public bool[]? Wildcards { get; init; }

    /// <summary><c>dest=</c> blocks.</summary>
    public RuleNetwork[]? Networks { get; init; }

    /// <summary>True when the rule has a <c>dest=</c> field (other than <c>dest=*</c>).</summary>
    public bool HasDestination => Names is not null || Networks is not null;

    /// <summary><c>port=</c>: inclusive ranges, low then high; null for any port.</summary>
    public (int Low, int High)[]? Ports { get; init; }

    /// <summary>True when the user field lets an anonymous session through.</summary>
    public bool AdmitsAnonymous => Users is null && !AnyUser && !Anonymous || Anonymous;

    /// <summary>True when nothing but the client and the user is asked (the rule decides as soon as those are known).</summary>
    public bool IsUnconditional => Commands == 0 && !HasDestination && Ports is null;

    /// <summary>The bit of a command in <see cref="Commands"/>, or 0 for a command no rule can name.</summary>
    /// <param name="command">The CMD octet.</param>
    /// <returns>The bit.</returns>
    public static int CommandBit(byte command) => command switch
    {
        0x01 => 1,
        0x02 => 2,
        0x03 => 4,
        0xF0 or 0xF1 => 8,
        _ => 0,
    };

    /// <summary>Whether the client's address is in <see cref="Clients"/>.</summary>
    /// <param name="v6">IPv6 (not IPv4-mapped).</param>
    /// <param name="client">The address as a number.</param>
    /// <returns>True when it is, or when the rule takes any client.</returns>
    public bool MatchesClient(bool v6, UInt128 client)
    {
        if (Clients is not { } clients)
        {
            return true;
        }

        foreach (var network in clients)
        {
            if (network.Contains(v6, client))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether the session's user is one the rule names.</summary>
    /// <param name="authenticated">True for an authenticated session.</param>
    /// <param name="user">The name.</param>
    /// <returns>True when the rule takes this user.</returns>
    public bool MatchesUser(bool authenticated, ReadOnlySpan<byte> user)
    {
        if (Users is null && !AnyUser && !Anonymous)
        {
            return true;
        }

        if (!authenticated)
        {
            return Anonymous;
        }

        if (AnyUser)
        {
            return true;
        }

        if (Users is { } users)
        {
            foreach (var name in users)
            {
                if (user.SequenceEqual(name))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Matches the destination: by name (as the client gave it) or by address.</summary>
    /// <param name="input">The request.</param>
    /// <param name="v6">The address is IPv6.</param>
    /// <param name="address">The address as a number (when <see cref="RuleInput.Address"/> is set).</param>
    /// <returns>Allow (matches), Deny (does not), or Undecided (only an address not yet known could match).</returns>
    public RuleOutcome MatchDestination(in RuleInput input, bool v6, UInt128 address)
    {
        if (!HasDestination)
        {
            return RuleOutcome.Allow;
        }

        if (Names is { } names && !input.Name.IsEmpty)
        {
            var name = input.Name;
            if (name[^1] == (byte)'.')
            {
                // An absolute name (trailing dot) is the same host.
                name = name[..^1];
            }

            for (var i = 0; i < names.Length; i++)
            {
                var pattern = names[i];
                var hit = Wildcards![i]
                    ? name.Length > pattern.Length && Ascii.EqualsIgnoreCase(name[^pattern.Length..], pattern)
                    : Ascii.EqualsIgnoreCase(name, pattern);
                if (hit)
                {
                    return RuleOutcome.Allow;
                }
            }
        }

        if (Networks is { } networks)
        {
            if (input.Address is null)
            {
                return input.AddressLater ? RuleOutcome.Undecided : RuleOutcome.Deny;
            }

            foreach (var network in networks)
            {
                if (network.Contains(v6, address))
                {
                    return RuleOutcome.Allow;
                }
            }
        }

        return RuleOutcome.Deny;
    }

    /// <summary>Matches the port.</summary>
    /// <param name="input">The request.</param>
    /// <returns>Allow (matches), Deny (does not), or Undecided (not known yet).</returns>
    public RuleOutcome MatchPort(in RuleInput input)
    {
        if (Ports is not { } ports)
        {
            return RuleOutcome.Allow;
        }

        if (input.PortLater)
        {
            return RuleOutcome.Undecided;
        }

        foreach (var (low, high) in ports)
        {
            if (input.Port >= low && input.Port <= high)
            {
                return RuleOutcome.Allow;
            }
        }

        return RuleOutcome.Deny;
    }
}

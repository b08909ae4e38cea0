namespace Socks.Core.Access.Rules;

/// <summary>What the rules say about a request at one phase.</summary>
internal enum RuleOutcome : byte
{
    /// <summary>A rule matched and allows.</summary>
    Allow,

    /// <summary>A rule matched and denies, or no rule matched (the default).</summary>
    Deny,

    /// <summary>
    /// The first rule that might match needs what this phase does not know yet (the resolved address of a name, a UDP
    /// datagram's destination): the request goes on and the rules are asked again when it is known.
    /// </summary>
    Undecided,
}

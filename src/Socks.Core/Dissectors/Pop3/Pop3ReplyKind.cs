namespace Socks.Core.Dissectors.Pop3;

/// <summary>The status of a POP3 server reply (RFC 1939 §3, RFC 5034 §4).</summary>
internal enum Pop3ReplyKind : byte
{
    /// <summary><c>+OK</c>.</summary>
    Ok,

    /// <summary><c>-ERR</c>.</summary>
    Error,

    /// <summary><c>+</c> continuation of a SASL exchange (RFC 5034 §4).</summary>
    Continue,

    /// <summary>Not a server reply: what a pending command is matched with when the answer will never be seen.</summary>
    Unknown,
}

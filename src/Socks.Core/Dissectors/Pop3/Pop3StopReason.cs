namespace Socks.Core.Dissectors.Pop3;

/// <summary>Why a POP3 observer stopped watching a session.</summary>
internal enum Pop3StopReason
{
    /// <summary>The first bytes are not POP3 (no <c>+OK</c> greeting, or the client spoke first with something else).</summary>
    NotPop3,

    /// <summary>A line exceeded 512 octets including CRLF (RFC 2449 §4 allows 512 for responses, 255 for commands).</summary>
    LineTooLong,

    /// <summary>More commands or replies waiting to be matched than a POP3 client pipelines in practice.</summary>
    TooManyPending,

    /// <summary>The server accepted a login (or a command valid only after login): no credentials follow.</summary>
    LoggedIn,

    /// <summary>The server accepted STLS: the rest is TLS.</summary>
    StartTls,

    /// <summary>The session ended.</summary>
    SessionEnded,

    /// <summary>The observer failed (a bug, or the credential sink threw).</summary>
    Failed,
}

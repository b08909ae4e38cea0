namespace Socks.Core.Dissectors;

/// <summary>Why a dissector stopped watching a session.</summary>
internal enum StopReason
{
    /// <summary>The first bytes are not the protocol (e.g. no <c>+OK</c> greeting on a sniffed POP3 session).</summary>
    NotThisProtocol,

    /// <summary>A line exceeded the protocol's line limit (the observer never buffers more than one line).</summary>
    LineTooLong,

    /// <summary>More commands or replies waiting to be matched than a client pipelines in practice.</summary>
    TooManyPending,

    /// <summary>The server accepted a login (or a command valid only after login): no credentials follow.</summary>
    LoggedIn,

    /// <summary>The server accepted STARTTLS, STLS or AUTH TLS: the rest is TLS.</summary>
    StartTls,

    /// <summary>The traffic can no longer be followed as lines (e.g. an HTTP body whose length is not known).</summary>
    Unframed,

    /// <summary>The session ended.</summary>
    SessionEnded,

    /// <summary>The observer failed (a bug, or the credential sink threw).</summary>
    Failed,
}

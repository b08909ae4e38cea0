namespace Socks.Core.Dissectors.Pop3;

/// <summary>What a client line is, as far as the credential watch cares (RFC 1939, RFC 2449, RFC 5034).</summary>
internal enum Pop3CommandKind : byte
{
    /// <summary>Any other command (NOOP, RSET, QUIT, an unknown verb, a SASL response).</summary>
    Other,

    /// <summary><c>USER name</c> (RFC 1939 §7).</summary>
    User,

    /// <summary><c>PASS string</c> (RFC 1939 §7).</summary>
    Pass,

    /// <summary><c>APOP name digest</c> (RFC 1939 §7).</summary>
    Apop,

    /// <summary><c>AUTH PLAIN [initial-response]</c> (RFC 5034, RFC 4616).</summary>
    AuthPlain,

    /// <summary><c>AUTH</c> with another SASL mechanism (RFC 5034).</summary>
    AuthOther,

    /// <summary>A command answered by a multi-line reply before login: <c>CAPA</c> (RFC 2449 §5), <c>AUTH</c> alone.</summary>
    MultiLine,

    /// <summary><c>STLS</c> (RFC 2595 §4).</summary>
    StartTls,

    /// <summary>A TRANSACTION-state command (RFC 1939 §5): accepted only after a login.</summary>
    Transaction,
}

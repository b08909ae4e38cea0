namespace Socks.Core.Dissectors.Imap;

/// <summary>What a tagged IMAP command waiting for its tagged reply is.</summary>
internal enum ImapCommandKind : byte
{
    /// <summary><c>LOGIN user password</c> (RFC 9051 §6.2.3).</summary>
    Login,

    /// <summary><c>AUTHENTICATE PLAIN</c> (RFC 9051 §6.2.2, RFC 4959 initial response).</summary>
    AuthenticatePlain,

    /// <summary><c>STARTTLS</c> (RFC 9051 §6.2.1).</summary>
    StartTls,
}

/// <summary>The status of a tagged reply (RFC 9051 §7.1).</summary>
internal enum ImapStatus : byte
{
    /// <summary><c>OK</c>.</summary>
    Ok,

    /// <summary><c>NO</c> or <c>BAD</c>.</summary>
    Refused,
}

/// <summary>A tagged command waiting for its reply (or a credential waiting for its SASL response).</summary>
internal sealed class ImapPending
{
    public required byte[] Tag { get; init; }

    public required ImapCommandKind Kind { get; init; }

    public byte[]? User { get; set; }

    public byte[]? Secret { get; set; }

    public DateTimeOffset Time { get; set; }

    /// <summary>AUTHENTICATE PLAIN without initial response: the credential is in the next client line.</summary>
    public bool AwaitingResponse { get; set; }

    /// <summary>The tagged reply, when it was seen before the SASL response line.</summary>
    public ImapStatus? Status { get; set; }
}

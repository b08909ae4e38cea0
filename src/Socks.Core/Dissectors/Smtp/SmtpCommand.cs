namespace Socks.Core.Dissectors.Smtp;

/// <summary>What an SMTP client line is, as far as the credential watch cares (RFC 4954, RFC 3207).</summary>
internal enum SmtpCommandKind : byte
{
    /// <summary>Any other command.</summary>
    Other,

    /// <summary><c>AUTH mechanism [initial-response]</c> (RFC 4954 §4).</summary>
    Auth,

    /// <summary>A line answering a 334 challenge (RFC 4954 §4), or <c>*</c> cancelling the exchange.</summary>
    SaslResponse,

    /// <summary><c>STARTTLS</c> (RFC 3207 §4).</summary>
    StartTls,
}

/// <summary>A parsed SMTP client line.</summary>
internal readonly record struct SmtpCommand
{
    /// <summary>The command.</summary>
    public SmtpCommandKind Kind { get; init; }

    /// <summary>The AUTH exchange this line belongs to (counts AUTH commands), for Auth and SaslResponse.</summary>
    public int Exchange { get; init; }

    /// <summary>The credential this line completes, or null.</summary>
    public CredentialMechanism? Mechanism { get; init; }

    /// <summary>The user of the completed credential.</summary>
    public byte[]? User { get; init; }

    /// <summary>The password of the completed credential.</summary>
    public byte[]? Secret { get; init; }

    /// <summary>When the credential went by.</summary>
    public DateTimeOffset Time { get; init; }
}

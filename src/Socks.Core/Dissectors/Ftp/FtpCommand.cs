namespace Socks.Core.Dissectors.Ftp;

/// <summary>What an FTP client line is, as far as the credential watch cares (RFC 959 §4.1.1, RFC 4217 §6).</summary>
internal enum FtpCommandKind : byte
{
    /// <summary>Any other command.</summary>
    Other,

    /// <summary><c>USER name</c>.</summary>
    User,

    /// <summary><c>PASS password</c>.</summary>
    Pass,

    /// <summary><c>AUTH TLS</c> (or <c>SSL</c>, <c>TLS-C</c>, <c>TLS-P</c>): TLS follows a 234 reply.</summary>
    AuthTls,
}

/// <summary>A parsed FTP client line.</summary>
/// <param name="Kind">The command.</param>
/// <param name="Argument">The user name or password, or null.</param>
/// <param name="Time">When it went by.</param>
internal readonly record struct FtpCommand(FtpCommandKind Kind, byte[]? Argument, DateTimeOffset Time);

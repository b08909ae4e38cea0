using System.Text;
using Socks.Core.Dissectors;

namespace Socks.Core.Logging;

/// <summary>
/// Formats a <see cref="CredentialRecord"/> as one credentials-log line (docs/access-log.md). Ten
/// TAB-separated fields, in this order:
/// <c>time socks_user client server_name server protocol mechanism user secret outcome</c>, with the
/// same timestamp, endpoint and escaping rules as the access log (<see cref="AccessLogFormatter"/>).
/// </summary>
internal static class CredentialLogFormatter
{
    /// <summary>Formats one record as a line, without the line terminator.</summary>
    /// <param name="record">The record.</param>
    /// <returns>The line, printable ASCII and TABs only.</returns>
    public static string Format(CredentialRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var line = new LogLineBuilder(256);
        Write(record, line);
        return line.ToString();
    }

    /// <summary>The log token of a mechanism.</summary>
    /// <param name="mechanism">The mechanism.</param>
    /// <returns><c>USER/PASS</c>, <c>APOP</c>, <c>AUTH-PLAIN</c>, <c>BASIC</c>, <c>LOGIN</c> or <c>AUTH-LOGIN</c>.</returns>
    public static string ToToken(CredentialMechanism mechanism) => mechanism switch
    {
        CredentialMechanism.UserPass => "USER/PASS",
        CredentialMechanism.Apop => "APOP",
        CredentialMechanism.AuthPlain => "AUTH-PLAIN",
        CredentialMechanism.Basic => "BASIC",
        CredentialMechanism.Login => "LOGIN",
        CredentialMechanism.AuthLogin => "AUTH-LOGIN",
        _ => throw new ArgumentOutOfRangeException(nameof(mechanism), mechanism, "Unknown credential mechanism."),
    };

    /// <summary>The log token of an outcome.</summary>
    /// <param name="outcome">The outcome.</param>
    /// <returns><c>accepted</c>, <c>rejected</c> or <c>unknown</c>.</returns>
    public static string ToToken(CredentialOutcome outcome) => outcome switch
    {
        CredentialOutcome.Accepted => "accepted",
        CredentialOutcome.Rejected => "rejected",
        CredentialOutcome.Unknown => "unknown",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "Unknown credential outcome."),
    };

    /// <summary>Appends the line for <paramref name="record"/> to <paramref name="line"/>, without the LF.</summary>
    internal static void Write(CredentialRecord record, LogLineBuilder line)
    {
        line.AppendTimestamp(record.Time);
        line.AppendSeparator();
        line.AppendEscapedOrAbsent(record.SocksUser);
        line.AppendSeparator();
        line.AppendEndPoint(record.Client);
        line.AppendSeparator();
        line.AppendEscaped(record.ServerName);
        line.AppendSeparator();
        line.AppendEndPoint(record.Server);
        line.AppendSeparator();
        line.AppendEscaped(Encoding.UTF8.GetBytes(record.Protocol));
        line.AppendSeparator();
        line.AppendAscii(ToToken(record.Mechanism));
        line.AppendSeparator();
        line.AppendEscaped(record.User);
        line.AppendSeparator();
        line.AppendEscaped(record.Secret);
        line.AppendSeparator();
        line.AppendAscii(ToToken(record.Outcome));
    }
}

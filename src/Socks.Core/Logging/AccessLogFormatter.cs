using Socks.Core.AccessLog;
using Socks.Core.Protocol;

namespace Socks.Core.Logging;

/// <summary>
/// Formats an <see cref="AccessLogRecord"/> as one access-log line (docs/access-log.md), format version
/// <see cref="FormatVersion"/>. Twelve TAB-separated fields, in this order:
/// <c>start end user client requested connected reply bytes_c2t bytes_t2c duration_ms command reason</c>.
/// Times are UTC <c>yyyy-MM-ddTHH:mm:ss.fffZ</c>; endpoints <c>addr:port</c> (<c>[v6]:port</c>);
/// the reply is two hex digits; the duration is whole milliseconds (end minus start as printed); the command is
/// <c>CONNECT</c>, <c>BIND</c>, <c>UDP</c>, <c>RESOLVE</c>, <c>RESOLVE_PTR</c> or two hex digits; the reason one token of <see cref="AccessLogEndReason"/>.
/// Absent values are <c>-</c>; bytes from the network are escaped so a record is always one line of
/// printable ASCII. Version 1 had only the first ten fields; fields are only ever appended. Version 3: a UDP
/// association's record (<see cref="AccessLogRecord.Udp"/> set) appends four more, <c>datagrams_c2t datagrams_t2c
/// destinations dropped</c>; every other record keeps its twelve.
/// </summary>
internal static class AccessLogFormatter
{
    /// <summary>The format version written (docs/access-log.md "Format versions").</summary>
    public const int FormatVersion = 3;

    /// <summary>How many fields a record has (a UDP association's: <see cref="UdpFieldCount"/>).</summary>
    public const int FieldCount = 12;

    /// <summary>How many fields a UDP association's record has.</summary>
    public const int UdpFieldCount = 16;

    /// <summary>Formats one record as a line, without the line terminator.</summary>
    /// <param name="record">The record.</param>
    /// <returns>The line, printable ASCII and TABs only.</returns>
    public static string Format(AccessLogRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var line = new LogLineBuilder(256);
        Write(record, line);
        return line.ToString();
    }

    /// <summary>Appends the line for <paramref name="record"/> to <paramref name="line"/>, without the LF.</summary>
    internal static void Write(AccessLogRecord record, LogLineBuilder line)
    {
        line.AppendTimestamp(record.Start);
        line.AppendSeparator();
        line.AppendTimestamp(record.End);
        line.AppendSeparator();
        line.AppendEscapedOrAbsent(record.Username);
        line.AppendSeparator();
        line.AppendEndPoint(record.Client);
        line.AppendSeparator();
        if (record.RequestedHost is null)
        {
            line.AppendAbsent();
        }
        else
        {
            line.AppendHostPort(record.RequestedHost, record.RequestedPort);
        }

        line.AppendSeparator();
        if (record.Connected is null)
        {
            line.AppendAbsent();
        }
        else
        {
            line.AppendEndPoint(record.Connected);
        }

        line.AppendSeparator();
        if (record.Reply is { } reply)
        {
            line.AppendHex2((byte)reply);
        }
        else
        {
            line.AppendAbsent();
        }

        line.AppendSeparator();
        line.AppendNumber(record.BytesClientToTarget);
        line.AppendSeparator();
        line.AppendNumber(record.BytesTargetToClient);
        line.AppendSeparator();

        // The duration is computed from the printed (millisecond-truncated) times so that
        // end - start == duration holds for anyone checking the line with awk.
        line.AppendNumber(record.End.ToUnixTimeMilliseconds() - record.Start.ToUnixTimeMilliseconds());

        // Version 2: appended, so the ten fields of version 1 keep their numbers.
        line.AppendSeparator();
        if (record.Command is { } command)
        {
            AppendCommand(command, line);
        }
        else
        {
            line.AppendAbsent();
        }

        line.AppendSeparator();
        line.AppendAscii(Token(record.EndReason));

        // Version 4: a record denied by a rules file names the rule (field 13); every other record keeps its fields.
        if (record.EndReason == AccessLogEndReason.Denied && record.DeniedByRule is { } rule && record.Udp is null)
        {
            line.AppendSeparator();
            if (rule == 0)
            {
                line.AppendAscii("default");
            }
            else
            {
                line.AppendNumber(rule);
            }
        }

        // Version 3: only a UDP association's record has these, so the other records keep their twelve fields.
        if (record.Udp is { } udp)
        {
            line.AppendSeparator();
            line.AppendNumber(udp.DatagramsClientToTarget);
            line.AppendSeparator();
            line.AppendNumber(udp.DatagramsTargetToClient);
            line.AppendSeparator();
            line.AppendNumber(udp.Destinations);
            line.AppendSeparator();
            line.AppendNumber(udp.Dropped);
        }
    }

    /// <summary>The token written for <paramref name="reason"/> (field 12).</summary>
    /// <param name="reason">The reason.</param>
    /// <returns>A lower-case token such as <c>auth-failed</c>; <c>internal-error</c> for a value outside the set.</returns>
    public static string Token(AccessLogEndReason reason) => reason switch
    {
        AccessLogEndReason.Ok => "ok",
        AccessLogEndReason.AuthFailed => "auth-failed",
        AccessLogEndReason.NoAcceptableMethod => "no-acceptable-method",
        AccessLogEndReason.BadVersion => "bad-version",
        AccessLogEndReason.BadRequest => "bad-request",
        AccessLogEndReason.CommandNotSupported => "command-not-supported",
        AccessLogEndReason.HandshakeTimeout => "handshake-timeout",
        AccessLogEndReason.Denied => "denied",
        AccessLogEndReason.DialFailed => "dial-failed",
        AccessLogEndReason.ConnectionLimit => "connection-limit",
        AccessLogEndReason.IdleTimeout => "idle-timeout",
        AccessLogEndReason.ClientClosed => "client-closed",
        AccessLogEndReason.ClientReset => "client-reset",
        AccessLogEndReason.TargetReset => "target-reset",
        AccessLogEndReason.Revoked => "revoked",
        AccessLogEndReason.Shutdown => "shutdown",
        AccessLogEndReason.Aborted => "aborted",
        AccessLogEndReason.BindTimeout => "bind-timeout",
        AccessLogEndReason.ResolveFailed => "resolve-failed",
        AccessLogEndReason.UserLimit => "user-limit",
        AccessLogEndReason.Quota => "quota",

        // An embedder's record with a value outside the enum stays within the documented set.
        _ => "internal-error",
    };

    private static void AppendCommand(SocksCommand command, LogLineBuilder line)
    {
        switch (command)
        {
            case SocksCommand.Connect:
                line.AppendAscii("CONNECT");
                break;
            case SocksCommand.Bind:
                line.AppendAscii("BIND");
                break;
            case SocksCommand.UdpAssociate:
                line.AppendAscii("UDP");
                break;
            case SocksCommand.Resolve:
                line.AppendAscii("RESOLVE");
                break;
            case SocksCommand.ResolvePtr:
                line.AppendAscii("RESOLVE_PTR");
                break;
            default:
                line.AppendHex2((byte)command);
                break;
        }
    }
}

using Socks.Core.AccessLog;

namespace Socks.Core.Logging;

/// <summary>
/// Formats an <see cref="AccessLogRecord"/> as one access-log line (docs/access-log.md). Ten
/// TAB-separated fields, in this order:
/// <c>start end user client requested connected reply bytes_c2t bytes_t2c duration_ms</c>.
/// Times are UTC <c>yyyy-MM-ddTHH:mm:ss.fffZ</c>; endpoints <c>addr:port</c> (<c>[v6]:port</c>);
/// the reply is two hex digits; the duration is whole milliseconds (end minus start as printed).
/// Absent values are <c>-</c>; bytes from the network are escaped so a record is always one line of
/// printable ASCII.
/// </summary>
internal static class AccessLogFormatter
{
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
    }
}

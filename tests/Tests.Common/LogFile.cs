using System.Globalization;
using System.Net;

namespace Tests.Common;

/// <summary>Reads access-log and credentials-log files as records of TAB-separated fields.</summary>
public static class LogFile
{
    public const string TimestampPattern = @"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$";

    /// <summary>Every line of the file, split on TAB; empty when the file is empty or absent.</summary>
    public static string[][] Records(string path) =>
        File.Exists(path) ? [.. File.ReadAllLines(path).Select(line => line.Split('\t'))] : [];

    /// <summary>Lines of text (split on TAB), for output captured from standard output.</summary>
    public static string[][] Records(IEnumerable<string> lines) => [.. lines.Select(line => line.Split('\t'))];

    /// <summary>An endpoint as the logs print it: ADDRESS:PORT or [ADDRESS]:PORT for IPv6, an IPv4-mapped address as plain IPv4.</summary>
    public static string Endpoint(EndPoint endPoint)
    {
        var ip = (IPEndPoint)endPoint;
        var address = ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address;
        return address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]:{ip.Port}" : $"{address}:{ip.Port}";
    }

    /// <summary>Parses a timestamp field.</summary>
    public static DateTimeOffset Time(string field) =>
        DateTimeOffset.ParseExact(field, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    /// <summary>The end reasons of docs/access-log.md (format version 2, field 12): the closed set.</summary>
    public static readonly string[] EndReasons =
    [
        "ok", "auth-failed", "no-acceptable-method", "bad-version", "bad-request", "command-not-supported",
        "handshake-timeout", "denied", "dial-failed", "connection-limit", "idle-timeout", "client-closed",
        "client-reset", "target-reset", "revoked", "shutdown", "aborted", "internal-error",
        "bind-timeout", "resolve-failed", "user-limit", "quota",
    ];

    /// <summary>
    /// Checks the fields every access record has: twelve (sixteen for a UDP association), two timestamps, duration = end - start, a command
    /// (<c>CONNECT</c>, <c>BIND</c>, <c>UDP</c>, <c>RESOLVE</c>, <c>RESOLVE_PTR</c>, two hex digits or <c>-</c>) and a reason of the closed set.
    /// </summary>
    public static void ShouldBeWellFormedAccessRecord(string[] record)
    {
        // Format version 3: a UDP association's record has four more (datagrams each way, destinations, dropped).
        var udp = record.Length > 10 && record[10] == "UDP" && record[6] == "00";
        record.Should().HaveCount(udp ? 16 : 12, "an access record has twelve fields, a UDP association's sixteen: {0}", string.Join("|", record));
        record[0].Should().MatchRegex(TimestampPattern);
        record[1].Should().MatchRegex(TimestampPattern);
        var duration = (long)(Time(record[1]) - Time(record[0])).TotalMilliseconds;
        record[9].Should().Be(duration.ToString(CultureInfo.InvariantCulture), "the duration is end minus start as printed");
        record[10].Should().MatchRegex("^(CONNECT|BIND|UDP|RESOLVE|RESOLVE_PTR|[0-9A-F]{2}|-)$");
        record[11].Should().BeOneOf(EndReasons);
    }

    /// <summary>
    /// Completes once the file holds at least <paramref name="count"/> lines. Woken by inotify (no polling
    /// interval); bounded by the generous test timeout.
    /// </summary>
    public static async Task WaitForLinesAsync(string path, int count)
    {
        using var changed = new SemaphoreSlim(0);
        using var watcher = new FileSystemWatcher(Path.GetDirectoryName(path)!, Path.GetFileName(path))
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.FileName,
        };
        watcher.Changed += (_, _) => changed.Release();
        watcher.Created += (_, _) => changed.Release();
        watcher.EnableRaisingEvents = true;

        // Checked after the watcher is on, so a write between the check and the wait is not missed.
        using var deadline = new CancellationTokenSource(TestTimeouts.Generous);
        while (LineCount(path) < count)
        {
            await changed.WaitAsync(deadline.Token);
        }
    }

    private static int LineCount(string path)
    {
        if (!File.Exists(path))
        {
            return 0;
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var lines = 0;
        int b;
        while ((b = stream.ReadByte()) >= 0)
        {
            lines += b == '\n' ? 1 : 0;
        }

        return lines;
    }
}

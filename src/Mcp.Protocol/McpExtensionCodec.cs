using System.Buffers.Binary;
using System.Globalization;

namespace Mcp.Protocol;

/// <summary>
/// Writers and readers of the limits extension (docs/mcp-protocol.md §13.1-§13.3): USER_STATS (0x80), GET_LIMITS
/// (0x81) and SET_LIMITS (0x82). The frame layer (<see cref="McpRequestReader"/>, <see cref="McpResponseReader"/>)
/// delimits the frame and keeps an extension's payload whole; these methods build and check that payload. Readers
/// never throw on hostile input: they return false with a one-line reason, and the frame stays in step (LEN
/// delimited it), so a server answers <see cref="McpStatus.Error"/> and keeps serving.
/// </summary>
public static class McpExtensionCodec
{
    /// <summary>The fixed part of a USER_STATS entry after ULEN and USERNAME: ACTIVE(4), five counters(8), limits(29), QUOTA_USED(8).</summary>
    public const int UserStatsEntryFixedLength = 4 + (5 * 8) + LimitsLength + 8;

    /// <summary>MAX_SESSIONS(4) RATE_UP(8) RATE_DOWN(8) QUOTA(8) PERIOD(1).</summary>
    public const int LimitsLength = 4 + 8 + 8 + 8 + 1;

    /// <summary>The payload of a successful GET_LIMITS response: the limits and QUOTA_USED(8).</summary>
    public const int GetLimitsResponseLength = LimitsLength + 8;

    /// <summary>TOTAL(1) START(1) COUNT(1) before a USER_STATS page's entries.</summary>
    public const int UserStatsHeaderLength = 3;

    // docs/mcp-protocol.md §13.1, USER_STATS (CMD 0x80) request payload (LEN = 1):
    //
    //   +-------+
    //   | START |
    //   +-------+
    //   |   1   |
    //   +-------+

    /// <summary>Creates a USER_STATS request for the page starting at user <paramref name="start"/>.</summary>
    /// <param name="start">START: 0 for the first page, then START + COUNT of the previous page.</param>
    /// <returns>The request.</returns>
    public static McpRequest UserStatsRequest(byte start) => McpRequest.Extension(McpCommand.UserStats, new[] { start });

    /// <summary>
    /// Creates a FLEET_USER_STATS request (docs/mcp-protocol.md §13.6) for the page starting at user <paramref name="start"/>:
    /// the payload of <see cref="UserStatsRequest"/> under CMD 0x85.
    /// </summary>
    /// <param name="start">START: 0 for the first page, then START + COUNT of the previous page.</param>
    /// <returns>The request.</returns>
    public static McpRequest FleetUserStatsRequest(byte start) => McpRequest.Extension(McpCommand.FleetUserStats, new[] { start });

    /// <summary>Reads a USER_STATS or FLEET_USER_STATS request's payload (the same layout, §13.1 and §13.6).</summary>
    /// <param name="request">A request whose command is <see cref="McpCommand.UserStats"/> or <see cref="McpCommand.FleetUserStats"/>.</param>
    /// <param name="start">START.</param>
    /// <param name="problem">Why the payload is malformed, when the result is false.</param>
    /// <returns>True when the payload is well-formed.</returns>
    public static bool TryReadUserStatsRequest(in McpRequest request, out byte start, out string? problem)
    {
        start = 0;
        var payload = request.Payload.Span;
        if (payload.Length != 1)
        {
            problem = $"{McpNames.GetName(request.Command)} takes LEN 1 (START), but LEN is {payload.Length}.";
            return false;
        }

        start = payload[0];
        problem = null;
        return true;
    }

    // docs/mcp-protocol.md §13.2, GET_LIMITS (CMD 0x81) request payload (LEN = 1 + ULEN):
    //
    //   +------+----------+
    //   | ULEN | USERNAME |
    //   +------+----------+
    //   |  1   | 1 to 255 |
    //   +------+----------+

    /// <summary>Creates a GET_LIMITS request.</summary>
    /// <param name="username">The user name, 1 to 255 bytes.</param>
    /// <returns>The request.</returns>
    /// <exception cref="ArgumentException">The user name is empty or longer than 255 bytes.</exception>
    public static McpRequest GetLimitsRequest(ReadOnlySpan<byte> username)
    {
        McpArguments.ThrowIfInvalidCredential(username.Length, "user name", nameof(username));
        var payload = new byte[1 + username.Length];
        payload[0] = (byte)username.Length;
        username.CopyTo(payload.AsSpan(1));
        return McpRequest.Extension(McpCommand.GetLimits, payload);
    }

    /// <summary>Reads a GET_LIMITS request's payload.</summary>
    /// <param name="request">A request whose command is <see cref="McpCommand.GetLimits"/>.</param>
    /// <param name="username">USERNAME (a slice of the request's payload).</param>
    /// <param name="problem">Why the payload is malformed, when the result is false.</param>
    /// <returns>True when the payload is well-formed.</returns>
    public static bool TryReadGetLimitsRequest(in McpRequest request, out ReadOnlyMemory<byte> username, out string? problem)
    {
        username = default;
        var payload = request.Payload;
        if (!TryReadUsername(payload.Span, "GET_LIMITS", out var length, out problem))
        {
            return false;
        }

        if (payload.Length != 1 + length)
        {
            problem = $"The GET_LIMITS payload holds {payload.Length - 1 - length} bytes after the user name.";
            return false;
        }

        username = payload.Slice(1, length);
        return true;
    }

    // docs/mcp-protocol.md §13.3, SET_LIMITS (CMD 0x82) request payload (LEN = 1 + ULEN + 29):
    //
    //   +------+----------+--------------+---------+-----------+-------+--------+
    //   | ULEN | USERNAME | MAX_SESSIONS | RATE_UP | RATE_DOWN | QUOTA | PERIOD |
    //   +------+----------+--------------+---------+-----------+-------+--------+
    //   |  1   | 1 to 255 |      4       |    8    |     8     |   8   |   1    |
    //   +------+----------+--------------+---------+-----------+-------+--------+

    /// <summary>Creates a SET_LIMITS request.</summary>
    /// <param name="username">The user name, 1 to 255 bytes.</param>
    /// <param name="limits">The limits; all zero removes them.</param>
    /// <returns>The request.</returns>
    /// <exception cref="ArgumentException">The user name is empty or too long, or the limits are not valid (<see cref="McpUserLimits.IsValid"/>).</exception>
    public static McpRequest SetLimitsRequest(ReadOnlySpan<byte> username, in McpUserLimits limits)
    {
        McpArguments.ThrowIfInvalidCredential(username.Length, "user name", nameof(username));
        if (!limits.IsValid)
        {
            throw new ArgumentException("PERIOD must be 0, 1 or 2, with a QUOTA exactly when PERIOD is not 0.", nameof(limits));
        }

        var payload = new byte[1 + username.Length + LimitsLength];
        payload[0] = (byte)username.Length;
        username.CopyTo(payload.AsSpan(1));
        WriteLimits(payload.AsSpan(1 + username.Length), limits);
        return McpRequest.Extension(McpCommand.SetLimits, payload);
    }

    /// <summary>Reads a SET_LIMITS request's payload, and checks the limits as the server must (PERIOD, QUOTA).</summary>
    /// <param name="request">A request whose command is <see cref="McpCommand.SetLimits"/>.</param>
    /// <param name="username">USERNAME (a slice of the request's payload).</param>
    /// <param name="limits">The limits.</param>
    /// <param name="problem">Why the payload is malformed or the limits invalid, when the result is false.</param>
    /// <returns>True when the payload is well-formed and the limits valid.</returns>
    public static bool TryReadSetLimitsRequest(in McpRequest request, out ReadOnlyMemory<byte> username, out McpUserLimits limits, out string? problem)
    {
        username = default;
        limits = default;
        var payload = request.Payload;
        if (!TryReadUsername(payload.Span, "SET_LIMITS", out var length, out problem))
        {
            return false;
        }

        if (payload.Length != 1 + length + LimitsLength)
        {
            problem = string.Create(CultureInfo.InvariantCulture, $"SET_LIMITS with a {length}-byte user name takes LEN {1 + length + LimitsLength}, but LEN is {payload.Length}.");
            return false;
        }

        limits = ReadLimits(payload.Span.Slice(1 + length));
        if (!limits.IsValid)
        {
            problem = CheckLimits(limits);
            return false;
        }

        username = payload.Slice(1, length);
        return true;
    }

    /// <summary>Creates the empty OK response to SET_LIMITS.</summary>
    /// <returns>The response.</returns>
    public static McpResponse SetLimitsResponse() => McpResponse.Extension(McpCommand.SetLimits, ReadOnlyMemory<byte>.Empty);

    /// <summary>Checks an OK response to SET_LIMITS: its payload is empty.</summary>
    /// <param name="response">The OK response.</param>
    /// <param name="problem">Why it is malformed, when the result is false.</param>
    /// <returns>True when well-formed.</returns>
    public static bool TryReadSetLimitsResponse(in McpResponse response, out string? problem)
    {
        problem = response.Payload.IsEmpty ? null : $"A successful SET_LIMITS response is empty, but LEN is {response.Payload.Length}.";
        return problem is null;
    }

    // docs/mcp-protocol.md §13.2, GET_LIMITS successful response payload (LEN = 37):
    //
    //   +--------------+---------+-----------+-------+--------+------------+
    //   | MAX_SESSIONS | RATE_UP | RATE_DOWN | QUOTA | PERIOD | QUOTA_USED |
    //   +--------------+---------+-----------+-------+--------+------------+
    //   |      4       |    8    |     8     |   8   |   1    |     8      |
    //   +--------------+---------+-----------+-------+--------+------------+

    /// <summary>Creates the OK response to GET_LIMITS.</summary>
    /// <param name="limits">The user's limits.</param>
    /// <param name="quotaUsed">Bytes counted in the current period.</param>
    /// <returns>The response.</returns>
    public static McpResponse GetLimitsResponse(in McpUserLimits limits, ulong quotaUsed)
    {
        var payload = new byte[GetLimitsResponseLength];
        WriteLimits(payload, limits);
        BinaryPrimitives.WriteUInt64BigEndian(payload.AsSpan(LimitsLength), quotaUsed);
        return McpResponse.Extension(McpCommand.GetLimits, payload);
    }

    /// <summary>Reads an OK response to GET_LIMITS.</summary>
    /// <param name="response">The OK response.</param>
    /// <param name="limits">The limits.</param>
    /// <param name="quotaUsed">QUOTA_USED.</param>
    /// <param name="problem">Why it is malformed, when the result is false.</param>
    /// <returns>True when well-formed.</returns>
    public static bool TryReadGetLimitsResponse(in McpResponse response, out McpUserLimits limits, out ulong quotaUsed, out string? problem)
    {
        limits = default;
        quotaUsed = 0;
        var payload = response.Payload.Span;
        if (payload.Length != GetLimitsResponseLength)
        {
            problem = $"A successful GET_LIMITS response carries {GetLimitsResponseLength} bytes, but LEN is {payload.Length}.";
            return false;
        }

        limits = ReadLimits(payload);
        quotaUsed = BinaryPrimitives.ReadUInt64BigEndian(payload[LimitsLength..]);
        problem = limits.IsValid ? null : CheckLimits(limits);
        return problem is null;
    }

    // docs/mcp-protocol.md §13.1, USER_STATS successful response payload:
    //
    //   +-------+-------+-------+=============+     each entry (1 + ULEN + 81 bytes):
    //   | TOTAL | START | COUNT |  ENTRIES... |     +------+----------+--------+----------+----------+------------+
    //   +-------+-------+-------+=============+     | ULEN | USERNAME | ACTIVE | SESSIONS | BYTES_UP | BYTES_DOWN |
    //   |   1   |   1   |   1   |   COUNT     |     |  1   | 1 to 255 |   4    |    8     |    8     |     8      |
    //   +-------+-------+-------+=============+     +------+----------+--------+----------+----------+------------+
    //                                               | LAST_LOGIN | DENIALS | MAX_SESSIONS | RATE_UP | RATE_DOWN |
    //                                               |     8      |    8    |      4       |    8    |     8     |
    //                                               +------------+---------+--------------+---------+-----------+
    //                                               | QUOTA | PERIOD | QUOTA_USED |
    //                                               |   8   |   1    |     8      |
    //                                               +-------+--------+------------+

    /// <summary>How many whole entries of <paramref name="users"/>, from <paramref name="start"/> on, fit in one response (65535 bytes).</summary>
    /// <param name="users">All users, in the server's order.</param>
    /// <param name="start">The first wanted.</param>
    /// <returns>COUNT for the page.</returns>
    public static int UserStatsPageCount(IReadOnlyList<McpUserStatsEntry> users, int start)
    {
        ArgumentNullException.ThrowIfNull(users);
        var room = McpConstants.MaxPayloadLength - UserStatsHeaderLength;
        var count = 0;
        for (var i = start; i < users.Count && users[i].WireLength <= room; i++)
        {
            room -= users[i].WireLength;
            count++;
        }

        return count;
    }

    /// <summary>Creates an OK response to USER_STATS.</summary>
    /// <param name="total">TOTAL: how many users the server has (at most 255).</param>
    /// <param name="start">START: the index of the first entry.</param>
    /// <param name="entries">The entries from START on; they must fit (<see cref="UserStatsPageCount"/>).</param>
    /// <returns>The response.</returns>
    /// <exception cref="ArgumentException">More than 255 users, START + COUNT above TOTAL, or the entries do not fit in 65535 bytes.</exception>
    public static McpResponse UserStatsResponse(int total, byte start, IReadOnlyList<McpUserStatsEntry> entries) =>
        UserStatsResponse(McpCommand.UserStats, total, start, entries);

    /// <summary>
    /// Creates an OK response to FLEET_USER_STATS (docs/mcp-protocol.md §13.6): the layout of <see cref="UserStatsResponse(int, byte, IReadOnlyList{McpUserStatsEntry})"/>,
    /// whose entries carry the fleet's counters.
    /// </summary>
    /// <param name="total">TOTAL: how many users the server has (at most 255).</param>
    /// <param name="start">START: the index of the first entry.</param>
    /// <param name="entries">The entries from START on; they must fit (<see cref="UserStatsPageCount"/>).</param>
    /// <returns>The response.</returns>
    /// <exception cref="ArgumentException">More than 255 users, START + COUNT above TOTAL, or the entries do not fit in 65535 bytes.</exception>
    public static McpResponse FleetUserStatsResponse(int total, byte start, IReadOnlyList<McpUserStatsEntry> entries) =>
        UserStatsResponse(McpCommand.FleetUserStats, total, start, entries);

    private static McpResponse UserStatsResponse(McpCommand command, int total, byte start, IReadOnlyList<McpUserStatsEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (total is < 0 or > McpConstants.MaxUsers || start + entries.Count > total)
        {
            throw new ArgumentException($"TOTAL must be 0 to {McpConstants.MaxUsers} and cover START + COUNT; got TOTAL {total}, START {start}, COUNT {entries.Count}.", nameof(total));
        }

        var length = UserStatsHeaderLength;
        foreach (var entry in entries)
        {
            length += entry.WireLength;
        }

        if (length > McpConstants.MaxPayloadLength)
        {
            throw new ArgumentException($"The entries take {length} bytes; a payload is at most {McpConstants.MaxPayloadLength}.", nameof(entries));
        }

        var payload = new byte[length];
        payload[0] = (byte)total;
        payload[1] = start;
        payload[2] = (byte)entries.Count;
        var span = payload.AsSpan(UserStatsHeaderLength);
        foreach (var entry in entries)
        {
            span[0] = (byte)entry.Username.Length;
            entry.Username.Span.CopyTo(span[1..]);
            var fields = span[(1 + entry.Username.Length)..];
            BinaryPrimitives.WriteUInt32BigEndian(fields, entry.ActiveSessions);
            BinaryPrimitives.WriteUInt64BigEndian(fields[4..], entry.Sessions);
            BinaryPrimitives.WriteUInt64BigEndian(fields[12..], entry.BytesUp);
            BinaryPrimitives.WriteUInt64BigEndian(fields[20..], entry.BytesDown);
            BinaryPrimitives.WriteUInt64BigEndian(fields[28..], entry.LastLogin);
            BinaryPrimitives.WriteUInt64BigEndian(fields[36..], entry.Denials);
            WriteLimits(fields[44..], entry.Limits);
            BinaryPrimitives.WriteUInt64BigEndian(fields[(44 + LimitsLength)..], entry.QuotaUsed);
            span = span[entry.WireLength..];
        }

        return McpResponse.Extension(command, payload);
    }

    /// <summary>Reads an OK response to USER_STATS or FLEET_USER_STATS (the same layout, §13.1 and §13.6); messages name the response's command.</summary>
    /// <param name="response">The OK response.</param>
    /// <param name="page">The page; user names are fresh copies.</param>
    /// <param name="problem">Why it is malformed, when the result is false.</param>
    /// <returns>True when well-formed.</returns>
    public static bool TryReadUserStatsResponse(in McpResponse response, out McpUserStatsPage page, out string? problem)
    {
        page = new McpUserStatsPage(0, 0, []);
        var name = McpNames.GetName(response.Command);
        var payload = response.Payload.Span;
        if (payload.Length < UserStatsHeaderLength)
        {
            problem = $"A successful {name} response carries at least {UserStatsHeaderLength} bytes (TOTAL, START, COUNT), but LEN is {payload.Length}.";
            return false;
        }

        byte total = payload[0], start = payload[1], count = payload[2];
        if (start + count > total)
        {
            problem = $"{name} page START {start} + COUNT {count} runs past TOTAL {total}.";
            return false;
        }

        var entries = new McpUserStatsEntry[count];
        var rest = payload[UserStatsHeaderLength..];
        for (var i = 0; i < count; i++)
        {
            if (rest.IsEmpty)
            {
                problem = $"{name} entry {i} of {count} is missing.";
                return false;
            }

            var ulen = rest[0];
            if (ulen == 0)
            {
                problem = $"{name} entry {i}: ULEN is 0; user names are 1 to 255 bytes.";
                return false;
            }

            if (rest.Length < 1 + ulen + UserStatsEntryFixedLength)
            {
                problem = $"{name} entry {i} is truncated: {rest.Length} bytes left, {1 + ulen + UserStatsEntryFixedLength} needed.";
                return false;
            }

            var fields = rest[(1 + ulen)..];
            var limits = ReadLimits(fields[44..]);
            if (!limits.IsValid)
            {
                problem = $"{name} entry {i}: {CheckLimits(limits)}";
                return false;
            }

            entries[i] = new McpUserStatsEntry(
                rest.Slice(1, ulen).ToArray(),
                BinaryPrimitives.ReadUInt32BigEndian(fields),
                BinaryPrimitives.ReadUInt64BigEndian(fields[4..]),
                BinaryPrimitives.ReadUInt64BigEndian(fields[12..]),
                BinaryPrimitives.ReadUInt64BigEndian(fields[20..]),
                BinaryPrimitives.ReadUInt64BigEndian(fields[28..]),
                BinaryPrimitives.ReadUInt64BigEndian(fields[36..]),
                limits,
                BinaryPrimitives.ReadUInt64BigEndian(fields[(44 + LimitsLength)..]));
            rest = rest[(1 + ulen + UserStatsEntryFixedLength)..];
        }

        if (!rest.IsEmpty)
        {
            problem = $"The {name} payload holds {rest.Length} bytes after its {count} entries.";
            return false;
        }

        page = new McpUserStatsPage(total, start, entries);
        problem = null;
        return true;
    }

    private static bool TryReadUsername(ReadOnlySpan<byte> payload, string command, out int length, out string? problem)
    {
        length = 0;
        if (payload.IsEmpty)
        {
            problem = $"{command} needs ULEN and USERNAME, but LEN is 0.";
            return false;
        }

        length = payload[0];
        if (length == 0)
        {
            problem = "ULEN is 0; user names are 1 to 255 bytes.";
            return false;
        }

        if (1 + length > payload.Length)
        {
            problem = $"ULEN {length} runs past the end of the {payload.Length}-byte {command} payload.";
            return false;
        }

        problem = null;
        return true;
    }

    private static void WriteLimits(Span<byte> destination, in McpUserLimits limits)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, limits.MaxSessions);
        BinaryPrimitives.WriteUInt64BigEndian(destination[4..], limits.RateUp);
        BinaryPrimitives.WriteUInt64BigEndian(destination[12..], limits.RateDown);
        BinaryPrimitives.WriteUInt64BigEndian(destination[20..], limits.Quota);
        destination[28] = (byte)limits.Period;
    }

    private static McpUserLimits ReadLimits(ReadOnlySpan<byte> source) => new(
        BinaryPrimitives.ReadUInt32BigEndian(source),
        BinaryPrimitives.ReadUInt64BigEndian(source[4..]),
        BinaryPrimitives.ReadUInt64BigEndian(source[12..]),
        BinaryPrimitives.ReadUInt64BigEndian(source[20..]),
        (McpQuotaPeriod)source[28]);

    private static string CheckLimits(in McpUserLimits limits) =>
        limits.Period is not (McpQuotaPeriod.None or McpQuotaPeriod.Day or McpQuotaPeriod.Month)
            ? $"PERIOD {McpFrameReading.Hex((byte)limits.Period)} is not 0x00, 0x01 or 0x02."
            : limits.Quota == 0
                ? "PERIOD is set but QUOTA is 0."
                : "QUOTA is set but PERIOD is 0x00 (none).";
}

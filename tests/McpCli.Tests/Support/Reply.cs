using System.Buffers.Binary;

namespace McpCli.Tests.Support;

/// <summary>What <see cref="FakeMcpServer"/> does with a request: bytes to write, then keep or drop the connection.</summary>
/// <param name="Bytes">Written as-is, so a test can send anything, malformed included.</param>
/// <param name="HangUp">Close the connection right after writing (for a response cut short).</param>
/// <param name="Silent">Write nothing and keep the connection open until the server is disposed.</param>
internal sealed record Reply(byte[] Bytes, bool HangUp = false, bool Silent = false)
{
    /// <summary>Accept the request and never answer.</summary>
    public static Reply Never { get; } = new([], Silent: true);

    /// <summary>A well-formed response: VER 0x01, STATUS, LEN (big-endian), PAYLOAD (memo §3).</summary>
    public static Reply Status(byte status, params byte[] payload) => new(Frame(status, payload));

    /// <summary>An OK response with <paramref name="payload"/>.</summary>
    public static Reply Ok(params byte[] payload) => Status(0x00, payload);

    /// <summary>The response frame bytes.</summary>
    public static byte[] Frame(byte status, byte[] payload)
    {
        var frame = new byte[4 + payload.Length];
        frame[0] = 0x01;
        frame[1] = status;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), checked((ushort)payload.Length));
        payload.CopyTo(frame, 4);
        return frame;
    }

    /// <summary>The 48-byte GET_METRICS payload: six big-endian uint64 in memo §4.1 order.</summary>
    public static byte[] MetricsPayload(ulong historical, ulong concurrent, ulong bytes, ulong successful, ulong failed, ulong clientBytes)
    {
        var payload = new byte[48];
        ulong[] values = [historical, concurrent, bytes, successful, failed, clientBytes];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt64BigEndian(payload.AsSpan(i * 8), values[i]);
        }

        return payload;
    }

    /// <summary>The LIST_USERS payload: COUNT, then ULEN + USERNAME per user (memo §4.2).</summary>
    public static byte[] UsersPayload(params byte[][] users)
    {
        var payload = new List<byte> { checked((byte)users.Length) };
        foreach (var user in users)
        {
            payload.Add(checked((byte)user.Length));
            payload.AddRange(user);
        }

        return [.. payload];
    }
}

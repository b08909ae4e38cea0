namespace ProxyHost.Tests.Management;

/// <summary>Hand-written MCP frames (memo §3-§5), byte by byte, independent of the library's writers.</summary>
internal static class Frames
{
    // Requests: VER 01, CMD, LEN (big-endian), PAYLOAD.
    public static readonly byte[] GetMetrics = [0x01, 0x00, 0x00, 0x00];
    public static readonly byte[] ListUsers = [0x01, 0x01, 0x00, 0x00];
    public static readonly byte[] ToggleDissector = [0x01, 0x04, 0x00, 0x00];

    // ADD_USER "alice" / "pw1": LEN = 1 + 5 + 1 + 3 = 10.
    public static readonly byte[] AddAlice = [0x01, 0x02, 0x00, 0x0A, 0x05, (byte)'a', (byte)'l', (byte)'i', (byte)'c', (byte)'e', 0x03, (byte)'p', (byte)'w', (byte)'1'];

    // ADD_USER "bob" / "pw2": LEN = 1 + 3 + 1 + 3 = 8.
    public static readonly byte[] AddBob = [0x01, 0x02, 0x00, 0x08, 0x03, (byte)'b', (byte)'o', (byte)'b', 0x03, (byte)'p', (byte)'w', (byte)'2'];

    // REMOVE_USER "alice": LEN = 1 + 5 = 6.
    public static readonly byte[] RemoveAlice = [0x01, 0x03, 0x00, 0x06, 0x05, (byte)'a', (byte)'l', (byte)'i', (byte)'c', (byte)'e'];

    // Responses: VER 01, STATUS, LEN, PAYLOAD.
    public static readonly byte[] Ok = [0x01, 0x00, 0x00, 0x00];
    public static readonly byte[] Error = [0x01, 0x01, 0x00, 0x00];
    public static readonly byte[] CommandNotSupported = [0x01, 0x02, 0x00, 0x00];
    public static readonly byte[] UserNotFound = [0x01, 0x03, 0x00, 0x00];
    public static readonly byte[] UserExists = [0x01, 0x04, 0x00, 0x00];
    public static readonly byte[] UserLimit = [0x01, 0x05, 0x00, 0x00];
    public static readonly byte[] DissectorOn = [0x01, 0x00, 0x00, 0x01, 0x01];
    public static readonly byte[] DissectorOff = [0x01, 0x00, 0x00, 0x01, 0x00];
    public static readonly byte[] NoUsers = [0x01, 0x00, 0x00, 0x01, 0x00];

    // LIST_USERS with alice then bob: LEN = COUNT 1 + (1 + 5) + (1 + 3) = 11.
    public static readonly byte[] AliceAndBob =
        [0x01, 0x00, 0x00, 0x0B, 0x02, 0x05, (byte)'a', (byte)'l', (byte)'i', (byte)'c', (byte)'e', 0x03, (byte)'b', (byte)'o', (byte)'b'];

    // LIST_USERS with bob only: LEN = 1 + 1 + 3 = 5.
    public static readonly byte[] BobOnly = [0x01, 0x00, 0x00, 0x05, 0x01, 0x03, (byte)'b', (byte)'o', (byte)'b'];

    // GET_METRICS answer for TestBackend.FixedMetrics: LEN 48, six big-endian uint64 in memo §4.1 order.
    public static readonly byte[] FixedMetrics =
    [
        0x01, 0x00, 0x00, 0x30,
        0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05,
        0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
    ];

    public static byte[] Concat(params byte[][] frames) => [.. frames.SelectMany(f => f)];
}

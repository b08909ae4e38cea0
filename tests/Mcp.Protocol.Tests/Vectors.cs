using static Mcp.Protocol.Tests.Support.Sequences;

namespace Mcp.Protocol.Tests;

/// <summary>
/// Frames written by hand from the MCP memo (§3 header VER CMD/STATUS LEN, §4 payloads, §5 status codes), never
/// produced by the writers under test. "alice" = 61 6C 69 63 65, "s3cret" = 73 33 63 72 65 74, "bob" = 62 6F 62.
/// </summary>
internal static class Vectors
{
    // Requests (memo §4): VER 01, CMD, LEN big-endian, payload.
    public static readonly byte[] GetMetricsRequest = Hex("01 00 0000");
    public static readonly byte[] ListUsersRequest = Hex("01 01 0000");
    public static readonly byte[] ToggleDissectorRequest = Hex("01 04 0000");

    // ADD_USER alice / s3cret: LEN = 1 + 5 + 1 + 6 = 13 = 0x000D.
    public static readonly byte[] AddUserAliceRequest = Hex("01 02 000D 05 616C696365 06 733363726574");

    // REMOVE_USER bob: LEN = 1 + 3 = 4.
    public static readonly byte[] RemoveUserBobRequest = Hex("01 03 0004 03 626F62");

    // ADD_USER with a 255-byte name of 'u' (0x75) and a 255-byte password of 'p' (0x70): LEN = 512 = 0x0200.
    public static readonly byte[] AddUserMaxRequest =
        [.. Hex("01 02 0200 FF"), .. Enumerable.Repeat((byte)0x75, 255), 0xFF, .. Enumerable.Repeat((byte)0x70, 255)];

    // Responses (memo §4, §5): VER 01, STATUS, LEN, payload.
    // GET_METRICS: LEN 48 = 0x0030; six big-endian uint64 in memo order.
    public static readonly byte[] MetricsResponse = Hex(
        "01 00 0030" +
        "0102030405060708" + // historical
        "0000000000000002" + // concurrent
        "0000000100000000" + // bytes transferred = 2^32
        "FFFFFFFFFFFFFFFF" + // successful = ulong.MaxValue
        "0000000000000000" + // failed
        "1122334455667788"); // client bytes

    public static readonly McpMetrics Metrics = new(
        0x0102030405060708, 2, 0x1_0000_0000, ulong.MaxValue, 0, 0x1122334455667788);

    // LIST_USERS alice, bob: LEN = 1 + (1 + 5) + (1 + 3) = 11 = 0x000B.
    public static readonly byte[] UsersResponse = Hex("01 00 000B 02 05 616C696365 03 626F62");
    public static readonly byte[] NoUsersResponse = Hex("01 00 0001 00");

    public static readonly byte[] OkEmptyResponse = Hex("01 00 0000");
    public static readonly byte[] DissectorOnResponse = Hex("01 00 0001 01");
    public static readonly byte[] DissectorOffResponse = Hex("01 00 0001 00");

    public static readonly byte[] ErrorResponse = Hex("01 01 0000");
    public static readonly byte[] CommandNotSupportedResponse = Hex("01 02 0000");
    public static readonly byte[] UserNotFoundResponse = Hex("01 03 0000");
    public static readonly byte[] UserExistsResponse = Hex("01 04 0000");
    public static readonly byte[] UserLimitResponse = Hex("01 05 0000");

    public static byte[] Alice => "alice"u8.ToArray();

    public static byte[] Secret => "s3cret"u8.ToArray();

    public static byte[] Bob => "bob"u8.ToArray();
}

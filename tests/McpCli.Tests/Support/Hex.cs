namespace McpCli.Tests.Support;

/// <summary>Hex strings for readable byte assertions: <c>"01 02 00 0C"</c>.</summary>
internal static class Hex
{
    /// <summary>Parses space-separated hex bytes.</summary>
    public static byte[] Parse(string hex) =>
        hex.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(h => Convert.ToByte(h, 16)).ToArray();

    /// <summary>Formats bytes as space-separated upper-case hex.</summary>
    public static string Format(byte[] bytes) => string.Join(' ', bytes.Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));
}

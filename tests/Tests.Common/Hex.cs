using System.Globalization;

namespace Tests.Common;

/// <summary>Hand-written byte vectors and readable byte assertions: <c>Hex.Bytes("05 01 00")</c>.</summary>
public static class Hex
{
    /// <summary>Parses hex bytes; spaces are for reading only (<c>"05 01 00"</c> and <c>"050100"</c> are the same).</summary>
    public static byte[] Bytes(string hex) => Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal));

    /// <summary>Formats bytes as space-separated upper-case hex: <c>"01 02 00 0C"</c>.</summary>
    public static string Format(byte[] bytes) => string.Join(' ', bytes.Select(b => b.ToString("X2", CultureInfo.InvariantCulture)));

    /// <summary>Formats bytes as upper-case hex without separators: <c>"0102000C"</c>.</summary>
    public static string Compact(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes);
}

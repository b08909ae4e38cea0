namespace Socks.Core.Tests.Support;

/// <summary>Hand-written byte vectors: <c>Hex.Bytes("05 01 00")</c>. Spaces are for reading only.</summary>
internal static class Hex
{
    public static byte[] Bytes(string hex) => Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal));

    public static string Format(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes);
}

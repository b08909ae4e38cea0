using System.Globalization;

namespace McpCli.Output;

/// <summary>Byte counts in binary units (KiB = 1024 bytes) with one decimal, invariant culture.</summary>
internal static class ByteSize
{
    internal static readonly string[] Units = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

    /// <summary>
    /// <c>117.7 MiB</c> for 123456789; null below 1 KiB, where the exact count already says it all.
    /// </summary>
    public static string? Humanize(ulong bytes)
    {
        if (bytes < 1024)
        {
            return null;
        }

        var value = bytes / 1024.0;
        var unit = 0;
        // Compare the rounded value, so 1048575 bytes reads "1.0 MiB", never "1024.0 KiB".
        while (Math.Round(value, 1, MidpointRounding.AwayFromZero) >= 1024 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return value.ToString("0.0", CultureInfo.InvariantCulture) + " " + Units[unit];
    }
}

namespace ProxyHost.Hosting;

/// <summary>Unix file modes as an operator types them (chmod), for the log lines about the users file and the credentials log.</summary>
internal static class FileModeText
{
    /// <summary>The mode in four octal digits, for example <c>0640</c>.</summary>
    /// <param name="mode">The mode.</param>
    /// <returns>The text.</returns>
    public static string Octal(UnixFileMode mode) => Convert.ToString((int)mode, 8).PadLeft(4, '0');
}

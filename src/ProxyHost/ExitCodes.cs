namespace ProxyHost;

/// <summary>The exit statuses of <c>socks5d</c> (sysexits.h where one fits); documented in docs/socks5d.8.</summary>
internal static class ExitCodes
{
    /// <summary>Normal end, including a graceful stop after SIGTERM/SIGINT/SIGQUIT.</summary>
    public const int Ok = 0;

    /// <summary>EX_USAGE: a bad flag or value.</summary>
    public const int Usage = 64;

    /// <summary>EX_UNAVAILABLE: a listening address could not be bound (in use, not available, no permission).</summary>
    public const int CannotListen = 69;

    /// <summary>EX_CANTCREAT: the access log or the credentials log could not be opened for writing.</summary>
    public const int CannotOpenLog = 73;

    /// <summary>EX_SOFTWARE: an internal error.</summary>
    public const int Internal = 70;

    /// <summary>
    /// EX_OSERR: the soft descriptor limit (ulimit -n) is below what socks5d needs to start
    /// (<see cref="Unix.DescriptorFloor.Minimum"/>); checked before anything else. Nothing was started.
    /// </summary>
    public const int DescriptorLimit = 71;

    /// <summary>
    /// EX_CONFIG: the users file cannot be loaded (unreadable, corrupt, more users than --max-users), or the users of
    /// -u do not fit with it (a name in both, too many together). Nothing was started.
    /// </summary>
    public const int Config = 78;

    /// <summary>A second termination signal during the drain exits at once with 128 + the signal number.</summary>
    public const int SignalBase = 128;
}

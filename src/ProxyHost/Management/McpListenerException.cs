namespace ProxyHost.Management;

/// <summary>
/// The MCP Unix socket cannot be set up for a reason that is not a plain <c>bind(2)</c> error: its directory is
/// missing, the path is taken by another file or by a live server, or the socket did not get its mode. The message is
/// a lower-case clause for the host's one-line error (<c>socks5d: cannot listen on unix:PATH (...): MESSAGE</c>).
/// </summary>
internal sealed class McpListenerException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong, as a clause.</param>
    public McpListenerException(string message)
        : base(message)
    {
    }
}

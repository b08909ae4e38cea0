namespace Mcp.Protocol;

/// <summary>
/// Base type of the errors <see cref="McpClient"/> reports about an MCP exchange: the server violated the protocol
/// (<see cref="McpProtocolException"/>), answered a non-OK status (<see cref="McpStatusException"/>), closed the
/// connection before answering, or the connection was made unusable by an earlier failure or cancellation.
/// </summary>
/// <remarks>
/// Transport failures (<see cref="IOException"/>, <see cref="System.Net.Sockets.SocketException"/>) are not wrapped:
/// they reach the caller as the stream raised them.
/// </remarks>
public class McpException : IOException
{
    /// <summary>Creates an exception with a default message.</summary>
    public McpException()
        : base("The MCP exchange failed.")
    {
    }

    /// <summary>Creates an exception with the given message.</summary>
    /// <param name="message">What went wrong, for people.</param>
    public McpException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with the given message and the failure that caused it.</summary>
    /// <param name="message">What went wrong, for people.</param>
    /// <param name="innerException">The failure that caused this one.</param>
    public McpException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

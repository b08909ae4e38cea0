namespace Mcp.Protocol;

/// <summary>
/// The server violated the MCP wire format: unknown VER, a LEN the command does not allow, inconsistent lengths or
/// counts inside the payload, an invalid STATE, or data nobody asked for (MCP memo §3, §4).
/// </summary>
/// <remarks>After this exception the connection is out of step and <see cref="McpClient"/> does not use it again.</remarks>
public sealed class McpProtocolException : McpException
{
    /// <summary>Creates an exception with a default message.</summary>
    public McpProtocolException()
        : base("The MCP server violated the protocol.")
    {
    }

    /// <summary>Creates an exception with the given message.</summary>
    /// <param name="message">Which rule the server broke.</param>
    public McpProtocolException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with the given message and the failure that caused it.</summary>
    /// <param name="message">Which rule the server broke.</param>
    /// <param name="innerException">The failure that caused this one.</param>
    public McpProtocolException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets why the response could not be read, when the reader reported it.</summary>
    public McpFrameErrorReason Reason { get; init; }
}

using Mcp.Protocol;

namespace McpCli.Options;

/// <summary>The help texts that state a limit, built from the memo's constant so that help and checks agree.</summary>
/// <remarks>
/// Public because CommandLineParser reads a <c>ResourceType</c>'s static properties by reflection and accepts only
/// visible types; an attribute argument itself must be a compile-time constant, which a number turned into text is not.
/// </remarks>
public static class HelpTexts
{
    /// <summary>Gets the help of --host.</summary>
    public static string Host => $"MCP server host name or address (default $MCPCTL_HOST, else {McpConstants.DefaultHost}), or unix:PATH for a Unix socket.";

    /// <summary>Gets the help of --port.</summary>
    public static string Port => $"MCP server port, 1-65535 (default $MCPCTL_PORT, else {McpConstants.DefaultPort}).";

    /// <summary>Gets the help of the USER operand.</summary>
    public static string User => $"User name, {McpConstants.MinCredentialLength}-{McpConstants.MaxCredentialLength} bytes of UTF-8.";

    /// <summary>Gets the help of the PASSWORD operand of add-user.</summary>
    public static string Password =>
        $"Password, {McpConstants.MinCredentialLength}-{McpConstants.MaxCredentialLength} bytes of UTF-8. "
        + "Other users of this machine can see it (ps, shell history): prefer the prompt or --password-stdin.";
}

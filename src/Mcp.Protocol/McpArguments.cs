namespace Mcp.Protocol;

/// <summary>Argument checks shared by the message factories, the writers and the client (caller bugs, not wire conditions).</summary>
internal static class McpArguments
{
    public static void ThrowIfInvalidCredential(int length, string what, string paramName)
    {
        if (length is < McpConstants.MinCredentialLength or > McpConstants.MaxCredentialLength)
        {
            throw new ArgumentException(
                $"The {what} must be {McpConstants.MinCredentialLength} to {McpConstants.MaxCredentialLength} bytes long; it is {length} bytes.",
                paramName);
        }
    }
}

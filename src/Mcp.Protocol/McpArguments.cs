using System.Text;

namespace Mcp.Protocol;

/// <summary>Argument checks shared by the message factories, the writers and the client (caller bugs, not wire conditions).</summary>
internal static class McpArguments
{
    /// <summary>Strict UTF-8: an ill-formed string (lone surrogate) is a caller bug, not a U+FFFD sent to the server.</summary>
    internal static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

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

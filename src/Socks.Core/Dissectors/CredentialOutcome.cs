namespace Socks.Core.Dissectors;

/// <summary>What the server answered to a credential.</summary>
public enum CredentialOutcome
{
    /// <summary>The server accepted it (<c>+OK</c>). Logged as <c>accepted</c>.</summary>
    Accepted,

    /// <summary>The server rejected it (<c>-ERR</c>). Logged as <c>rejected</c>.</summary>
    Rejected,

    /// <summary>No answer was seen: the session ended (or the dissector stopped) first. Logged as <c>unknown</c>.</summary>
    Unknown,
}

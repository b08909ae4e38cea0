namespace Socks.Core.Dissectors.Pop3;

/// <summary>A parsed client line waiting for (or matched with) its reply.</summary>
internal record struct Pop3ClientLine
{
    /// <summary>The command.</summary>
    public Pop3CommandKind Kind;

    /// <summary><c>AUTH PLAIN</c> carried an initial response (RFC 5034 §4).</summary>
    public bool HasInitialResponse;

    /// <summary>The user the command names (USER, APOP, AUTH PLAIN initial response), or null.</summary>
    public byte[]? User;

    /// <summary>The secret the command carries (PASS password, APOP digest, PLAIN password), or null.</summary>
    public byte[]? Secret;

    /// <summary>The user of the line read as a SASL PLAIN response, when one was expected and it decoded.</summary>
    public byte[]? SaslUser;

    /// <summary>The password of the line read as a SASL PLAIN response.</summary>
    public byte[]? SaslSecret;

    /// <summary>When the credential went by (the record's time).</summary>
    public DateTimeOffset Time;
}

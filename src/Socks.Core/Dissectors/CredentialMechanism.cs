namespace Socks.Core.Dissectors;

/// <summary>How a credential was presented.</summary>
public enum CredentialMechanism
{
    /// <summary>POP3 <c>USER name</c> then <c>PASS secret</c> (RFC 1939 §7). Logged as <c>USER/PASS</c>.</summary>
    UserPass,

    /// <summary>POP3 <c>APOP name digest</c> (RFC 1939 §7); the secret is the MD5 digest. Logged as <c>APOP</c>.</summary>
    Apop,

    /// <summary>POP3 <c>AUTH PLAIN</c> (RFC 5034, SASL PLAIN RFC 4616); the user is the authcid. Logged as <c>AUTH-PLAIN</c>.</summary>
    AuthPlain,
}

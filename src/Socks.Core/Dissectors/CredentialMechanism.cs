namespace Socks.Core.Dissectors;

/// <summary>How a credential was presented.</summary>
public enum CredentialMechanism
{
    /// <summary>POP3 (RFC 1939 §7) or FTP (RFC 959 §4.1.1) <c>USER name</c> then <c>PASS secret</c>. Logged as <c>USER/PASS</c>.</summary>
    UserPass,

    /// <summary>POP3 <c>APOP name digest</c> (RFC 1939 §7); the secret is the MD5 digest. Logged as <c>APOP</c>.</summary>
    Apop,

    /// <summary>SASL PLAIN (RFC 4616): POP3 <c>AUTH PLAIN</c> (RFC 5034), IMAP <c>AUTHENTICATE PLAIN</c> (RFC 9051), SMTP <c>AUTH PLAIN</c> (RFC 4954); the user is the authcid. Logged as <c>AUTH-PLAIN</c>.</summary>
    AuthPlain,

    /// <summary>HTTP <c>Authorization: Basic</c> or <c>Proxy-Authorization: Basic</c> (RFC 7617). Logged as <c>BASIC</c>.</summary>
    Basic,

    /// <summary>IMAP <c>LOGIN user password</c> (RFC 9051 §6.2.3). Logged as <c>LOGIN</c>.</summary>
    Login,

    /// <summary>SMTP <c>AUTH LOGIN</c>: base64 user name and password answering two challenges. Logged as <c>AUTH-LOGIN</c>.</summary>
    AuthLogin,
}

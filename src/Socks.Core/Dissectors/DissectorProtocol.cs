namespace Socks.Core.Dissectors;

/// <summary>A protocol the dissector family understands.</summary>
public enum DissectorProtocol
{
    /// <summary>HTTP/1.x Basic authentication (RFC 7617); default ports 80, 8080. Recorded as <c>HTTP</c>.</summary>
    Http,

    /// <summary>FTP <c>USER</c>/<c>PASS</c> (RFC 959); default port 21. Recorded as <c>FTP</c>.</summary>
    Ftp,

    /// <summary>IMAP <c>LOGIN</c> and <c>AUTHENTICATE PLAIN</c> (RFC 9051); default port 143. Recorded as <c>IMAP</c>.</summary>
    Imap,

    /// <summary>POP3 <c>USER</c>/<c>PASS</c>, <c>APOP</c>, <c>AUTH PLAIN</c> (RFC 1939, RFC 5034); default port 110. Recorded as <c>POP3</c>.</summary>
    Pop3,

    /// <summary>SMTP <c>AUTH PLAIN</c> and <c>AUTH LOGIN</c> (RFC 4954); default ports 25, 587. Recorded as <c>SMTP</c>.</summary>
    Smtp,
}

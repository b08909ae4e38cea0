using Socks.Core.Protocol;

namespace Socks.Core.Tests.Protocol;

/// <summary>
/// Hand-written wire vectors from RFC 1928 §3-§6 and RFC 1929 §2 (never produced by <see cref="Socks5Writer"/>),
/// shared by the contract tests.
/// </summary>
internal static class Socks5ReaderVectors
{
    /// <summary>A valid message per reader, with the text its adapter renders for it.</summary>
    public static IEnumerable<TestCaseData> Valid()
    {
        // RFC 1928 §3 greetings.
        yield return Case(ReaderAdapters.Greeting, "05 01 00", "count=1 methods=00", "no authentication only");
        yield return Case(ReaderAdapters.Greeting, "05 02 00 02", "count=2 methods=00,02", "no auth + username/password");
        yield return Case(ReaderAdapters.Greeting, "05 03 02 02 02", "count=3 methods=02", "duplicates collapse");
        yield return Case(ReaderAdapters.Greeting, "05 04 80 FE 01 7F", "count=4 methods=01,7F,80,FE", "GSSAPI, IANA and private methods");

        // RFC 1929 §2 requests: alice / secret, and one-octet fields.
        yield return Case(ReaderAdapters.UsernamePassword, "01 05 61 6C 69 63 65 06 73 65 63 72 65 74", "user=616C696365 pass=736563726574", "alice/secret");
        yield return Case(ReaderAdapters.UsernamePassword, "01 01 61 01 00", "user=61 pass=00", "one-octet fields, NUL password");

        // RFC 1928 §4 requests.
        yield return Case(ReaderAdapters.Request, "05 01 00 01 C0 00 02 01 00 50", "cmd=1 atyp=IPv4 addr=192.0.2.1 name=- port=80 host=192.0.2.1", "CONNECT IPv4");
        yield return Case(
            ReaderAdapters.Request,
            "05 01 00 04 20 01 0D B8 00 00 00 00 00 00 00 00 00 00 00 01 01 BB",
            "cmd=1 atyp=IPv6 addr=2001:db8::1 name=- port=443 host=2001:db8::1",
            "CONNECT IPv6");
        yield return Case(
            ReaderAdapters.Request,
            "05 01 00 03 0B 65 78 61 6D 70 6C 65 2E 63 6F 6D 1F 90",
            "cmd=1 atyp=DomainName addr= name=6578616D706C652E636F6D port=8080 host=example.com",
            "CONNECT example.com");
        yield return Case(ReaderAdapters.Request, "05 02 00 01 0A 00 00 01 FF FF", "cmd=2 atyp=IPv4 addr=10.0.0.1 name=- port=65535 host=10.0.0.1", "BIND, port 65535");
        yield return Case(ReaderAdapters.Request, "05 09 00 01 0A 00 00 01 00 00", "cmd=9 atyp=IPv4 addr=10.0.0.1 name=- port=0 host=10.0.0.1", "unknown CMD still parses");

        // RFC 1928 §3 method selection.
        yield return Case(ReaderAdapters.MethodSelection, "05 02", "method=02", "username/password chosen");
        yield return Case(ReaderAdapters.MethodSelection, "05 FF", "method=FF", "no acceptable methods");

        // RFC 1929 §2 status.
        yield return Case(ReaderAdapters.AuthStatus, "01 00", "success=True", "success");
        yield return Case(ReaderAdapters.AuthStatus, "01 01", "success=False", "failure 01");
        yield return Case(ReaderAdapters.AuthStatus, "01 FF", "success=False", "failure FF");

        // RFC 1928 §6 replies.
        yield return Case(ReaderAdapters.Reply, "05 00 00 01 7F 00 00 01 04 38", "rep=00 atyp=IPv4 addr=127.0.0.1 name=- port=1080", "succeeded IPv4");
        yield return Case(ReaderAdapters.Reply, "05 05 00 01 00 00 00 00 00 00", "rep=05 atyp=IPv4 addr=0.0.0.0 name=- port=0", "refused");
        yield return Case(
            ReaderAdapters.Reply,
            "05 00 00 04 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01 C3 50",
            "rep=00 atyp=IPv6 addr=::1 name=- port=50000",
            "succeeded IPv6");
        yield return Case(
            ReaderAdapters.Reply,
            "05 00 00 03 09 6C 6F 63 61 6C 68 6F 73 74 00 50",
            "rep=00 atyp=DomainName addr= name=6C6F63616C686F7374 port=80",
            "succeeded domain name");
        yield return Case(ReaderAdapters.Reply, "05 09 00 01 00 00 00 00 00 00", "rep=09 atyp=IPv4 addr=0.0.0.0 name=- port=0", "unassigned REP passes through");
    }

    /// <summary>
    /// The shortest input that shows each invalid field, with the error it must give. Each is exactly the
    /// prefix up to and including the bad field: the reader must not wait for more.
    /// </summary>
    public static IEnumerable<TestCaseData> Invalid()
    {
        yield return Bad(ReaderAdapters.Greeting, "04", SocksParseError.BadVersion, "SOCKS4 VER");
        yield return Bad(ReaderAdapters.Greeting, "00", SocksParseError.BadVersion, "VER 00");
        yield return Bad(ReaderAdapters.Greeting, "47", SocksParseError.BadVersion, "HTTP 'G'");
        yield return Bad(ReaderAdapters.Greeting, "05 00", SocksParseError.NoMethods, "NMETHODS 0");

        yield return Bad(ReaderAdapters.UsernamePassword, "05", SocksParseError.BadSubnegotiationVersion, "VER 05 instead of 01");
        yield return Bad(ReaderAdapters.UsernamePassword, "00", SocksParseError.BadSubnegotiationVersion, "VER 00");
        yield return Bad(ReaderAdapters.UsernamePassword, "01 00", SocksParseError.BadLength, "ULEN 0");
        yield return Bad(ReaderAdapters.UsernamePassword, "01 03 61 62 63 00", SocksParseError.BadLength, "PLEN 0");

        yield return Bad(ReaderAdapters.Request, "04", SocksParseError.BadVersion, "VER 04");
        yield return Bad(ReaderAdapters.Request, "01", SocksParseError.BadVersion, "auth VER in request position");
        yield return Bad(ReaderAdapters.Request, "05 01 00 00", SocksParseError.UnsupportedAddressType, "ATYP 00");
        yield return Bad(ReaderAdapters.Request, "05 01 00 02", SocksParseError.UnsupportedAddressType, "ATYP 02");
        yield return Bad(ReaderAdapters.Request, "05 01 00 05", SocksParseError.UnsupportedAddressType, "ATYP 05");
        yield return Bad(ReaderAdapters.Request, "05 01 00 FF", SocksParseError.UnsupportedAddressType, "ATYP FF");
        yield return Bad(ReaderAdapters.Request, "05 01 00 03 00", SocksParseError.BadLength, "domain length 0");

        yield return Bad(ReaderAdapters.MethodSelection, "04", SocksParseError.BadVersion, "VER 04");
        yield return Bad(ReaderAdapters.MethodSelection, "01", SocksParseError.BadVersion, "VER 01");

        yield return Bad(ReaderAdapters.AuthStatus, "05", SocksParseError.BadSubnegotiationVersion, "VER 05 instead of 01");

        yield return Bad(ReaderAdapters.Reply, "04", SocksParseError.BadVersion, "VER 04");
        yield return Bad(ReaderAdapters.Reply, "05 00 00 02", SocksParseError.UnsupportedAddressType, "ATYP 02");
        yield return Bad(ReaderAdapters.Reply, "05 00 00 05", SocksParseError.UnsupportedAddressType, "ATYP 05");
        yield return Bad(ReaderAdapters.Reply, "05 00 00 03 00", SocksParseError.BadLength, "domain length 0");
    }

    private static TestCaseData Case(NamedReader reader, string hex, string expected, string name) =>
        new TestCaseData(reader, Hex.Bytes(hex), expected).SetArgDisplayNames(reader.Name, name);

    private static TestCaseData Bad(NamedReader reader, string hex, SocksParseError error, string name) =>
        new TestCaseData(reader, Hex.Bytes(hex), error).SetArgDisplayNames(reader.Name, name);
}

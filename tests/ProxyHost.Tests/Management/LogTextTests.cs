using ProxyHost.Management;

namespace ProxyHost.Tests.Management;

public class LogTextTests
{
    [Test]
    public void EscapeName_PlainAscii_Unchanged()
    {
        LogText.EscapeName("alice_01.x@example"u8).Should().Be("alice_01.x@example");
    }

    [Test]
    public void EscapeName_Utf8Letters_StayReadable()
    {
        LogText.EscapeName("José-Ñandú"u8).Should().Be("José-Ñandú");
    }

    [Test]
    public void EscapeName_ControlCharacters_EscapedAsHex()
    {
        LogText.EscapeName("a\r\nb\tc\0\x7F"u8).Should().Be("a\\x0D\\x0Ab\\x09c\\x00\\x7F");
    }

    [Test]
    public void EscapeName_BackslashAndQuote_Escaped()
    {
        LogText.EscapeName("a\\\"b"u8).Should().Be("a\\x5C\\x22b");
    }

    [Test]
    public void EscapeName_InvalidUtf8_EscapedBytewise()
    {
        LogText.EscapeName([0x61, 0xFF, 0xC3, 0x62]).Should().Be("a\\xFF\\xC3b");
    }

    [Test]
    public void EscapeName_BidiOverrideAndLineSeparator_Escaped()
    {
        LogText.EscapeName("a\u202Eb\u2028c\u0085"u8).Should().Be("a\\xE2\\x80\\xAEb\\xE2\\x80\\xA8c\\xC2\\x85");
    }

    [Test]
    public void EscapeName_PrivateUseAndUnassigned_EscapedBytewise()
    {
        LogText.EscapeName("a\uE000b\u0378"u8).Should().Be("a\\xEE\\x80\\x80b\\xCD\\xB8");
    }

    [Test]
    public void EscapeName_LiteralEscapeText_DiffersFromTheByteItDescribes()
    {
        LogText.EscapeName("\\x0A"u8).Should().NotBe(LogText.EscapeName("\n"u8));
    }
}

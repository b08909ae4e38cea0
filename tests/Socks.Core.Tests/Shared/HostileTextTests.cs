using System.Text;
using Socks.Shared;

namespace Socks.Core.Tests.Shared;

/// <summary>The one escaping rule and its options (the three callers are tested with their own exact formats).</summary>
public sealed class HostileTextTests
{
    private const EscapeOptions AccessLog = EscapeOptions.AsciiOnly | EscapeOptions.ShortEscapes | EscapeOptions.LoneDash;

    [TestCase("alice", "alice")]
    [TestCase("José", "José")]
    [TestCase("a\\b", "a\\x5Cb")]
    [TestCase("a\tb\r\n\0\x7F", "a\\x09b\\x0D\\x0A\\x00\\x7F")]
    [TestCase("a\"b", "a\"b")]
    [TestCase("-", "-")]
    [TestCase("a\u202Eb", "a\\xE2\\x80\\xAEb")]
    [TestCase("\u0085\u2028\u2029\u200B", "\\xC2\\x85\\xE2\\x80\\xA8\\xE2\\x80\\xA9\\xE2\\x80\\x8B")]
    [TestCase("\uE000\u0378", "\\xEE\\x80\\x80\\xCD\\xB8")]
    public void Escape_Default_KeepsReadableUtf8AndEscapesTheRestAsHex(string input, string expected)
    {
        HostileText.Escape(Encoding.UTF8.GetBytes(input)).Should().Be(expected);
    }

    [Test]
    public void Escape_IllFormedUtf8_EscapesEachByteOfTheBadSequence()
    {
        HostileText.Escape([0x61, 0xFF, 0xC3, 0x62, 0xE2, 0x82]).Should().Be("a\\xFF\\xC3b\\xE2\\x82");
    }

    [Test]
    public void Escape_Quote_EscapesTheDoubleQuote()
    {
        HostileText.Escape("a\"b"u8, EscapeOptions.Quote).Should().Be("a\\x22b");
    }

    [TestCase("josé", "jos\\xC3\\xA9")]
    [TestCase("a\\b\tc\nd\re", "a\\\\b\\tc\\nd\\re")]
    [TestCase("\0\x1B\x7F", "\\x00\\x1B\\x7F")]
    [TestCase("-", "\\x2D")]
    [TestCase("--", "--")]
    [TestCase("", "")]
    public void Escape_AccessLogOptions_WritesTheDocumentedAsciiFormat(string input, string expected)
    {
        var value = Encoding.UTF8.GetBytes(input);
        var destination = new byte[value.Length * HostileText.MaxExpansion];

        var written = HostileText.Escape(value, destination, AccessLog);

        Encoding.ASCII.GetString(destination, 0, written).Should().Be(expected);
    }

    [Test]
    public void Escape_AsciiOnly_EveryByteOfTheOutputIsPrintableAscii()
    {
        var every = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var destination = new byte[every.Length * HostileText.MaxExpansion];

        var written = HostileText.Escape(every, destination, AccessLog);

        destination.Take(written).Should().OnlyContain(b => b >= 0x20 && b < 0x7F);
    }

    [Test]
    public void Escape_Default_OutputHasNoControlOrFormatCharacter()
    {
        var every = Enumerable.Range(0, 256).Select(i => (byte)i).Concat(Encoding.UTF8.GetBytes("\u202E\u2028\uFEFF")).ToArray();

        var text = HostileText.Escape(every);

        text.Where(c => char.IsControl(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format).Should().BeEmpty();
    }

    [Test]
    public void Escape_LongValue_SameAsShortPieces()
    {
        var value = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("é\u202E\\x", 400)));

        HostileText.Escape(value).Should().Be(string.Concat(Enumerable.Repeat("é\\xE2\\x80\\xAE\\x5Cx", 400)));
    }

    [Test]
    public void Escape_DestinationTooShort_Throws()
    {
        var act = () => HostileText.Escape("ab"u8, new byte[7], EscapeOptions.None);

        act.Should().Throw<ArgumentException>();
    }
}

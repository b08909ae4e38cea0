using McpCli.Output;

namespace McpCli.Tests.Output;

public sealed class SafeTextTests
{
    [TestCase("61 6C 69 63 65", "alice")]
    [TestCase("4A 6F 73 C3 A9", "José")]
    [TestCase("F0 9F 99 82", "🙂")]
    [TestCase("61 5C 62", @"a\x5Cb")]
    [TestCase("61 07 1B 7F", @"a\x07\x1B\x7F")]
    [TestCase("61 0A 62", @"a\x0Ab")]
    [TestCase("C2 85", @"\xC2\x85")]
    [TestCase("E2 80 AE", @"\xE2\x80\xAE")]
    [TestCase("E2 80 8B", @"\xE2\x80\x8B")]
    [TestCase("E2 80 A8", @"\xE2\x80\xA8")]
    [TestCase("EE 80 80", @"\xEE\x80\x80")]
    [TestCase("CD B8", @"\xCD\xB8")]
    [TestCase("F3 A0 80 81", @"\xF3\xA0\x80\x81")]
    [TestCase("63 FF", @"c\xFF")]
    [TestCase("C0 AF", @"\xC0\xAF")]
    [TestCase("ED A0 80", @"\xED\xA0\x80")]
    [TestCase("61 E2 82", @"a\xE2\x82")]
    [TestCase("E2 82 41", @"\xE2\x82A")]
    public void Escape_Bytes_ShowsSafeUnambiguousText(string hex, string expected)
    {
        SafeText.Escape(Hex.Bytes(hex)).Should().Be(expected);
    }

    [Test]
    public void Escape_Output_NeverContainsControlCharacters()
    {
        var every = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();

        var text = SafeText.Escape(every);

        text.Where(char.IsControl).Should().BeEmpty();
    }
}

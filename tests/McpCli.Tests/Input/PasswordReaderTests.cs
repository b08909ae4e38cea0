using McpCli.Cli;
using McpCli.Input;
using McpCli.Tests.Support;

namespace McpCli.Tests.Input;

public sealed class PasswordReaderTests
{
    [TestCase("secret\n", "secret")]
    [TestCase("secret\r\nnext\n", "secret")]
    [TestCase("secret", "secret")]
    [TestCase(" spaced out \n", " spaced out ")]
    [TestCase("\n", "")]
    public void FromStdin_FirstLine_WithoutLineBreak(string stdin, string expected)
    {
        PasswordReader.FromStdin(new StringReader(stdin)).Should().Be(expected);
    }

    [Test]
    public void FromStdin_Empty_ReturnsNull()
    {
        PasswordReader.FromStdin(new StringReader(string.Empty)).Should().BeNull();
    }

    [Test]
    public void FromTerminal_Mismatch_ThrowsUsageWithoutUsageLines()
    {
        using var prompt = new StringWriter();

        var read = () => PasswordReader.FromTerminal(new ScriptedConsole("a\nb\n"), prompt);

        read.Should().Throw<UsageException>().Which.ShowUsage.Should().BeFalse();
    }

    [Test]
    public void ReadHidden_BackspaceAfterSurrogatePair_RemovesWholeCharacter()
    {
        using var prompt = new StringWriter { NewLine = "\n" };

        var text = PasswordReader.ReadHidden(new ScriptedConsole("a🙂\b\bb\n"), prompt, "Password: ");

        text.Should().Be("b");
        prompt.ToString().Should().Be("Password: \n");
    }

    [Test]
    public void ReadHidden_CtrlD_EndsInput()
    {
        using var prompt = new StringWriter();

        PasswordReader.ReadHidden(new ScriptedConsole("pw\u0004ignored"), prompt, "Password: ").Should().Be("pw");
    }

    [Test]
    public void ReadHidden_ControlKeys_AreNotPartOfPassword()
    {
        using var prompt = new StringWriter();

        PasswordReader.ReadHidden(new ScriptedConsole("p\tw\u001b\n"), prompt, "Password: ").Should().Be("pw");
    }
}

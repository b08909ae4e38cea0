using ProxyHost.CommandLine;

namespace ProxyHost.Tests.CommandLine;

public sealed class DurationsTests
{
    [TestCase(10_000, "10s")]
    [TestCase(900_000, "15m")]
    [TestCase(3_600_000, "1h")]
    [TestCase(90_000, "90s")]
    [TestCase(500, "500ms")]
    [TestCase(0, "0s")]
    public void Format_Duration_LargestWholeUnitThatParsesBack(int milliseconds, string expected)
    {
        var value = TimeSpan.FromMilliseconds(milliseconds);

        var text = Durations.Format(value);

        text.Should().Be(expected);
        Durations.TryParse(text, out var parsed).Should().BeTrue();
        parsed.Should().Be(value);
    }

    [Test]
    public void HelpTexts_Defaults_AreTheConstantsSocks5dUses()
    {
        HelpTexts.IdleTimeout.Should().Contain("(default 15m)");
        HelpTexts.ManagementAddress.Should().Contain("(default 127.0.0.1)");
        HelpTexts.ManagementPort.Should().Contain("(default 8080)");
    }
}

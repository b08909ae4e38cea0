using System.Collections;
using System.Text.Json;
using ProxyHost.CommandLine;

namespace ProxyHost.Tests.CommandLine;

/// <summary>--rules FILE as a flag, a SOCKS5D_RULES variable and a --config key, and in --print-config and --help (docs/socks5d.8).</summary>
public sealed class RulesOptionsTests
{
    [Test]
    public void Parse_NoRules_HasNoRulesFile() => Parse([], new Hashtable()).Settings!.RulesFile.Should().BeNull();

    [TestCase("--rules", "/etc/socks5d/rules.conf")]
    [TestCase("--rules=/etc/socks5d/rules.conf", null)]
    public void Parse_RulesFlag_IsRead(string flag, string? value) =>
        Parse(value is null ? [flag] : [flag, value], new Hashtable()).Settings!.RulesFile.Should().Be("/etc/socks5d/rules.conf");

    [Test]
    public void Parse_EnvironmentVariable_IsRead() =>
        Parse([], new Hashtable { ["SOCKS5D_RULES"] = "/srv/rules" }).Settings!.RulesFile.Should().Be("/srv/rules");

    [Test]
    public void Parse_ConfigKey_IsRead()
    {
        var file = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"rules-config-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, """{ "rules": "/from/config" }""");
        try
        {
            Parse(["--config", file], new Hashtable()).Settings!.RulesFile.Should().Be("/from/config");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public void Parse_GivenTwice_IsAUsageError()
    {
        var stderr = new StringWriter();

        var outcome = ArgumentParser.Parse(["--rules", "a", "--rules", "b"], new Hashtable(), new StringWriter(), stderr);

        outcome.ExitCode.Should().Be(64);
        stderr.ToString().Should().Contain("--rules");
    }

    [Test]
    public void PrintConfig_ShowsTheRulesFile()
    {
        var stdout = new StringWriter();

        ArgumentParser.Parse(["--rules", "/etc/socks5d/rules.conf", "--print-config"], new Hashtable(), stdout, new StringWriter()).ExitCode.Should().Be(0);

        JsonDocument.Parse(stdout.ToString()).RootElement.GetProperty("rules").GetString().Should().Be("/etc/socks5d/rules.conf");
    }

    [Test]
    public void Usage_ListsRules() => ArgumentParser.Usage().Should().Contain("--rules").And.Contain("first match wins");

    private static ParseOutcome Parse(string[] args, IDictionary environment) =>
        ArgumentParser.Parse(args, environment, new StringWriter(), new StringWriter());
}

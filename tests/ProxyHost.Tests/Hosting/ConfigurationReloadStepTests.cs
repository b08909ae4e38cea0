using System.Collections;
using Microsoft.Extensions.Logging;
using ProxyHost.CommandLine;
using ProxyHost.Hosting;
using Socks.Core.Dissectors;

namespace ProxyHost.Tests.Hosting;

/// <summary>The SIGHUP configuration step: the file read again with the start's precedence, what can change applied, the rest named.</summary>
public sealed class ConfigurationReloadStepTests
{
    private string _directory = null!;
    private string _file = null!;

    [SetUp]
    public void CreateDirectory()
    {
        _directory = Directory.CreateTempSubdirectory("socks5d-reload-config-").FullName;
        _file = Path.Combine(_directory, "socks5d.json");
    }

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    [Test]
    public void Run_ChangedReloadableKeys_AreApplied_AndTheOthersNamedAsNeedingARestart()
    {
        File.WriteAllText(_file, """{ "port": 1090, "max-connections": 10, "log-level": "warning" }""");
        var (step, logLevel, destinations, dissector) = Start(Environment(), "--config", _file);
        logLevel.Level.Should().Be(LogLevel.Warning);

        File.WriteAllText(_file, """
            { "port": 1091, "max-connections": 20, "log-level": "debug", "allow-all-destinations": true, "no-dissector": true }
            """);
        var result = step.Run();

        result.Failed.Should().BeFalse();
        result.Outcome.Should().Be($"{_file} reloaded: allow-all-destinations true, log-level debug, no-dissector true (dissectors off); " +
            "need a restart (running values kept): max-connections, port");
        logLevel.Level.Should().Be(LogLevel.Debug);
        destinations.AllowAll.Should().BeTrue();
        dissector.Enabled.Should().BeFalse();

        // Nothing new: the restart keys are named again (still not running), nothing is applied twice.
        step.Run().Outcome.Should().Be($"{_file} reloaded: nothing to apply; need a restart (running values kept): max-connections, port");
    }

    [Test]
    public void Run_FlagsAndEnvironmentStillWin_OverTheNewFile()
    {
        File.WriteAllText(_file, """{ "log-level": "information" }""");
        var (step, logLevel, destinations, _) = Start(Environment(("SOCKS5D_LOG_LEVEL", "error")), "--config", _file, "--allow-all-destinations");

        File.WriteAllText(_file, """{ "log-level": "trace", "allow-all-destinations": false }""");
        var result = step.Run();

        result.Outcome.Should().Be($"{_file} reloaded: nothing to apply");
        logLevel.Level.Should().Be(LogLevel.Error, "the environment beats the file");
        destinations.AllowAll.Should().BeTrue("the flag beats the file");
    }

    [Test]
    public void Run_FileUnchanged_LeavesAnMcpToggleOfTheDissectorsAlone()
    {
        File.WriteAllText(_file, """{ "no-dissector": false }""");
        var (step, _, _, dissector) = Start(Environment(), "--config", _file);
        dissector.Toggle().Should().BeFalse("TOGGLE_DISECTOR switched them off");

        step.Run().Outcome.Should().Be($"{_file} reloaded: nothing to apply");

        dissector.Enabled.Should().BeFalse();
    }

    [TestCase("""{ "log-level": "debug", "idle-timeout": "soon" }""", "invalid duration 'soon' for --idle-timeout", "(set in {0})")]
    [TestCase("""{ "log-level": "debug", "colour": "blue" }""", "unknown key 'colour' in {0}: no option --colour", "")]
    [TestCase("""{ "log-level": "debug", """, "cannot read the configuration file {0}: ", "")]
    [TestCase("""{ "log-level": "loud" }""", "invalid value 'loud' for --log-level", "(set in {0})")]
    public void Run_InvalidFile_ChangesNothing_AndNamesTheFileAndTheProblem(string json, string problem, string origin)
    {
        File.WriteAllText(_file, """{ "log-level": "information" }""");
        var (step, logLevel, _, _) = Start(Environment(), "--config", _file);

        File.WriteAllText(_file, json);
        var result = step.Run();

        result.Failed.Should().BeTrue();
        result.Outcome.Should().StartWith($"{_file} not reloaded, the running configuration is kept: ")
            .And.Contain(string.Format(null, problem, _file)).And.EndWith(string.Format(null, origin, _file));
        logLevel.Level.Should().Be(LogLevel.Information);

        // Once the file is fixed, the next SIGHUP applies it.
        File.WriteAllText(_file, """{ "log-level": "debug" }""");
        step.Run().Outcome.Should().Be($"{_file} reloaded: log-level debug");
        logLevel.Level.Should().Be(LogLevel.Debug);
    }

    [Test]
    public void Run_PasswordChangedInUsersFrom_IsNamedAsNeedingARestart_WithoutThePassword()
    {
        var users = Path.Combine(_directory, "users.txt");
        File.WriteAllText(users, "alice:old-secret\n");
        File.WriteAllText(_file, $$"""{ "users-from": "{{users}}" }""");
        var (step, _, _, _) = Start(Environment(), "--config", _file);

        File.WriteAllText(users, "alice:new-secret\n");
        var result = step.Run();

        result.Outcome.Should().Be($"{_file} reloaded: nothing to apply; needs a restart (running value kept): user").And.NotContain("secret");
    }

    private static (ConfigurationReloadStep Step, LogLevelSwitch LogLevel, SpecialDestinationsSwitch Destinations, DissectorSwitch Dissector) Start(
        IDictionary environment, params string[] args)
    {
        var evaluation = ArgumentParser.Evaluate(args, environment);
        evaluation.Error.Should().BeNull();
        var settings = evaluation.Settings!;
        var logLevel = new LogLevelSwitch(settings.LogLevel);
        var destinations = new SpecialDestinationsSwitch(settings.AllowAllDestinations);
        var dissector = new DissectorSwitch(settings.DissectorEnabled);
        ConfigurationReloadStep.ConfigFileOf(settings).Should().Be(args[1]);
        return (new ConfigurationReloadStep(settings, args[1], () => environment, logLevel, destinations, dissector), logLevel, destinations, dissector);
    }

    private static Hashtable Environment(params (string Name, string Value)[] variables)
    {
        var table = new Hashtable();
        foreach (var (name, value) in variables)
        {
            table[name] = value;
        }

        return table;
    }
}

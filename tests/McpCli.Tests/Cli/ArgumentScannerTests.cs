using McpCli.Cli;
using McpCli.Options;

namespace McpCli.Tests.Cli;

public sealed class ArgumentScannerTests
{
    [Test]
    public void Scan_OptionsBeforeVerb_MovesThemAfterTheVerb()
    {
        var invocation = ArgumentScanner.Scan(["-H", "::1", "--port", "9", "--json", "add-user", "alice", "--", "-pw"]);

        invocation.Should().BeOfType<RunInvocation>().Which.Args.Should().Equal("add-user", "-H", "::1", "--port", "9", "--json", "alice", "--", "-pw");
    }

    [Test]
    public void Scan_HelpAfterDoubleDash_IsAnArgument()
    {
        var invocation = ArgumentScanner.Scan(["add-user", "alice", "--", "--help"]);

        invocation.Should().BeOfType<RunInvocation>().Which.Verb.Should().Be<AddUserOptions>();
    }

    [TestCase("--help")]
    [TestCase("-h")]
    [TestCase("help")]
    [TestCase("-P", "9", "--help", "metrics")]
    public void Scan_GeneralHelp(params string[] args)
    {
        ArgumentScanner.Scan(args).Should().Be(new HelpInvocation(null));
    }

    [TestCase("remove-user", "--help")]
    [TestCase("remove-user", "bob", "-h")]
    [TestCase("help", "remove-user")]
    public void Scan_VerbHelp(params string[] args)
    {
        ArgumentScanner.Scan(args).Should().Be(new HelpInvocation(typeof(RemoveUserOptions)));
    }

    [Test]
    public void Scan_Version()
    {
        ArgumentScanner.Scan(["--version"]).Should().BeOfType<VersionInvocation>();
    }

    [Test]
    public void Scan_NegativeNumberAfterPort_IsAValueForValidationToReject()
    {
        ArgumentScanner.Scan(["metrics", "--port", "-5"]).Should().BeOfType<RunInvocation>();
    }
}

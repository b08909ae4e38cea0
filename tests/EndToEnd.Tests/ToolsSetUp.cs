namespace EndToEnd.Tests;

/// <summary>Runs once before every test of the assembly (the root namespace): installs the real clients the tests use.</summary>
[SetUpFixture]
public sealed class ToolsSetUp
{
    /// <summary>Installs what is missing (apt-get), or fails the run naming the tool.</summary>
    [OneTimeSetUp]
    public void InstallTools() => RequiredTools.EnsureInstalled();
}

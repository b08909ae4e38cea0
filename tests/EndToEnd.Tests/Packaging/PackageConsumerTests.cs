using System.IO.Compression;
using System.Reflection.Metadata;
using System.Text;
using System.Xml.Linq;
using EndToEnd.Tests.Samples;
using EndToEnd.Tests.Support;

namespace EndToEnd.Tests.Packaging;

/// <summary>
/// The packages as a user gets them: packed once from this repository into a temporary folder, then a throwaway app
/// that references Socks.Core and Mcp.Protocol by version from that folder (no project reference) is built and run
/// against a live socks5d, and mcpctl is installed from it with <c>dotnet tool install --tool-path</c>.
/// </summary>
/// <remarks>
/// Slow (three packs, a restore and a build): everything is prepared once, in <see cref="PackAndBuildOnce"/>. The
/// restore uses a packages folder of its own (so a package packed by an earlier run is never taken from the machine's
/// cache) with the machine's packages folder as a fallback and the normal registry source for anything else.
/// </remarks>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class PackageConsumerTests
{
    /// <summary>An upper bound for one dotnet pack, restore, build or tool install on a loaded machine.</summary>
    private static readonly TimeSpan StepLimit = TimeSpan.FromMinutes(8);

    /// <summary>No MSBuild node, MSBuild server or compiler server left running after a build (they would hold the output pipes open).</summary>
    private static readonly IReadOnlyDictionary<string, string> NoBuildServers = new Dictionary<string, string>
    {
        ["MSBUILDDISABLENODEREUSE"] = "1",
        ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0",
        ["UseSharedCompilation"] = "false",
    };

    /// <summary>The Source Link kind of custom debug information in a portable PDB.</summary>
    private static readonly Guid SourceLinkKind = new("CC110556-A091-4D38-9FEC-25AB9A351A6A");

    private string _root = "";
    private string _packages = "";
    private string _version = "";
    private string _consumerDll = "";
    private string _mcpctl = "";
    private Dictionary<string, string> _environment = [];
    private readonly List<string> _packOutput = [];

    [OneTimeSetUp]
    public async Task PackAndBuildOnce()
    {
        _root = Directory.CreateTempSubdirectory("socks5d-packages-").FullName;
        _packages = Path.Combine(_root, "packages");
        _environment = DotnetEnvironment(_root);
        var repository = Path.GetDirectoryName(RepositoryFiles.Find("Mcp.sln"))!;
        foreach (var project in new[] { "src/Mcp.Protocol/Mcp.Protocol.csproj", "src/Socks.Core/Socks.Core.csproj", "src/McpCli/McpCli.csproj" })
        {
            // The repository's own restore (dotnet test made it), untouched: the packages folder of this run is the consumer's.
            var pack = await DotnetAsync(
                repository, NoBuildServers, "pack", Path.Combine(repository, project), "-c", "Release", "-o", _packages, "--no-restore", "--disable-build-servers");
            _packOutput.AddRange(pack.StdoutLines);
        }

        var socksCore = Directory.GetFiles(_packages, "Socks.Core.*.nupkg").Single();
        _version = Path.GetFileName(socksCore)["Socks.Core.".Length..^".nupkg".Length];

        var consumer = Path.Combine(_root, "consumer");
        Directory.CreateDirectory(consumer);
        WriteConsumer(consumer, _version);
        await DotnetAsync(consumer, _environment, "build", "-c", "Release", "--disable-build-servers");
        _consumerDll = Path.Combine(consumer, "bin", "Release", "net10.0", "Consumer.dll");

        var tools = Path.Combine(_root, "tools");
        await DotnetAsync(_root, _environment, "tool", "install", "mcpctl", "--tool-path", tools, "--version", _version, "--add-source", _packages);
        _mcpctl = Path.Combine(tools, "mcpctl");
    }

    [OneTimeTearDown]
    public void RemoveTemporaryFolder()
    {
        if (_root.Length > 0)
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Test]
    public void Pack_OfEveryPackage_HasNoWarning_AndPutsPackageAndSymbolsIntoOneFolder()
    {
        _packOutput.Should().NotContain(line => line.Contains("warning", StringComparison.OrdinalIgnoreCase));
        Directory.GetFiles(_packages).Select(Path.GetFileName).Should().BeEquivalentTo(
            new[] { "Mcp.Protocol", "Socks.Core", "mcpctl" }.SelectMany(id => new[] { $"{id}.{_version}.nupkg", $"{id}.{_version}.snupkg" }));
    }

    [TestCase("Mcp.Protocol", "lib/net10.0/Mcp.Protocol")]
    [TestCase("Socks.Core", "lib/net10.0/Socks.Core")]
    [TestCase("mcpctl", "tools/net10.0/any/mcpctl")]
    public void Package_HasReadmeRepositoryDocsAndSourceLinkedSymbols(string id, string assembly)
    {
        using var package = ZipFile.OpenRead(Path.Combine(_packages, $"{id}.{_version}.nupkg"));
        var nuspec = XDocument.Load(package.GetEntry($"{id}.nuspec")!.Open());
        var metadata = nuspec.Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        string Field(string name) => metadata.Elements().Single(e => e.Name.LocalName == name).Value;
        XElement Element(string name) => metadata.Elements().Single(e => e.Name.LocalName == name);

        Field("readme").Should().Be("README.md");
        package.GetEntry("README.md").Should().NotBeNull();
        Field("license").Should().Be("MIT");
        Field("description").Should().Contain("Monitoring and Configuration Protocol");
        Field("tags").Should().Contain("socks5d");
        var repository = Element("repository");
        repository.Attribute("url")!.Value.Should().Be("https://github.com/socks5d/socks5d");
        var commit = repository.Attribute("commit")!.Value;
        commit.Should().MatchRegex("^[0-9a-f]{40}$");
        package.GetEntry($"{assembly}.xml").Should().NotBeNull("every public member has XML docs, shipped with the assembly");

        using var symbols = ZipFile.OpenRead(Path.Combine(_packages, $"{id}.{_version}.snupkg"));
        SourceLinkOf(symbols.GetEntry($"{assembly}.pdb")!).Should().Contain($"\"https://raw.githubusercontent.com/socks5d/socks5d/{commit}/*\"");
    }

    [Test]
    public async Task ConsumerApp_BuiltFromThePackagesByVersion_EmbedsAnAnonymousServer_AndAddsAUserToSocks5d()
    {
        await using var echo = new EchoServer();
        await using var proxy = await RunningProxy.StartAsync("-l", "127.0.0.1", "-p", "0", "-u", "user:pass");
        await using var app = ChildProcess.Start(Mcpctl.DotnetHost(), [_consumerDll, $"127.0.0.1:{proxy.Management.Port}"], _environment);
        var embedded = await SampleTests.ListeningEndPointAsync(app);

        using (var tunnel = await SocksTestClient.OpenTunnelAsync(embedded, echo.EndPoint, user: null))
        {
            await tunnel.SendAsync("through the packaged engine");
            (await tunnel.ReceiveAsync(27)).Should().Equal(Encoding.ASCII.GetBytes("through the packaged engine"));
        }

        await app.WriteLineAsync("stop");
        (await app.WaitForExitAsync()).Should().Be(0, string.Join('\n', app.StandardError));
        app.StandardOutput.Should().Contain("socks5d metrics: 0 historical connections")
            .And.Contain(line => line.StartsWith("SocksMetricsSnapshot {", StringComparison.Ordinal) && line.Contains("SuccessfulConnections = 1"));
        using var carol = await SocksTestClient.ConnectAsync(proxy.Socks);
        (await carol.AuthenticateAsync("carol", "from-the-package")).Should().Be(0x00, "the app added carol through the packaged McpClient");
    }

    [Test]
    public async Task Mcpctl_InstalledAsAToolFromThePackage_ShowsHelp_AndReadsTheMetricsOfSocks5d()
    {
        await using var proxy = await RunningProxy.StartAsync("-l", "127.0.0.1", "-p", "0", "-u", "user:pass");

        var help = await ChildProcess.RunAsync(_mcpctl, ["--help"], TestTimeouts.Generous, _environment);
        var metrics = await ChildProcess.RunAsync(_mcpctl, ["-P", proxy.Management.Port.ToString(), "metrics"], TestTimeouts.Generous, _environment);

        help.ExitCode.Should().Be(0, help.Stderr);
        (help.Stdout + help.Stderr).Should().Contain("metrics").And.Contain("add-user");
        metrics.ExitCode.Should().Be(0, metrics.Stderr);
        metrics.Stdout.Should().ContainEquivalentOf("historical");
    }

    /// <summary>The Source Link JSON in a portable PDB of a symbols package, or "" when it has none.</summary>
    private static string SourceLinkOf(ZipArchiveEntry pdb)
    {
        using var copy = new MemoryStream();
        using (var stream = pdb.Open())
        {
            stream.CopyTo(copy);
        }

        copy.Position = 0;
        using var provider = MetadataReaderProvider.FromPortablePdbStream(copy);
        var reader = provider.GetMetadataReader();
        return reader.CustomDebugInformation
            .Select(reader.GetCustomDebugInformation)
            .Where(information => reader.GetGuid(information.Kind) == SourceLinkKind)
            .Select(information => Encoding.UTF8.GetString(reader.GetBlobBytes(information.Value)))
            .SingleOrDefault() ?? "";
    }

    /// <summary>The throwaway app: Socks.Core and Mcp.Protocol by version, outside the repository's build files.</summary>
    private static void WriteConsumer(string directory, string version)
    {
        // Empty build files stop MSBuild and NuGet from looking further up for ones that are not the user's.
        File.WriteAllText(Path.Combine(directory, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(directory, "Directory.Build.targets"), "<Project />\n");
        File.WriteAllText(Path.Combine(directory, "Directory.Packages.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(directory, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Socks.Core" Version="{version}" />
                <PackageReference Include="Mcp.Protocol" Version="{version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(directory, "Program.cs"), """
            using System.Net;
            using Mcp.Protocol;
            using Socks.Core;

            await using (var client = await McpClient.ConnectAsync(IPEndPoint.Parse(args[0])))
            {
                await client.AddUserAsync("carol", "from-the-package");
                var metrics = await client.GetMetricsAsync();
                Console.WriteLine($"socks5d metrics: {metrics.HistoricalConnections} historical connections");
            }

            await using var server = new SocksServer(new SocksServerOptions { AllowAnonymous = true });
            server.Start([new IPEndPoint(IPAddress.Loopback, 0)]);
            Console.WriteLine($"embedded SOCKS5 listening on {server.LocalEndPoints[0]}");
            Console.ReadLine();
            await server.StopAsync(TimeSpan.FromSeconds(5));
            Console.WriteLine(server.GetMetrics());
            """);
    }

    /// <summary>
    /// The environment of the consumer's build and of the tool install: a packages folder of this run only (with the
    /// machine's as fallback, in nuget.config), no build servers left behind, and the runtime for the tool's launcher.
    /// </summary>
    private static Dictionary<string, string> DotnetEnvironment(string root)
    {
        var machinePackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } set
            ? set
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        File.WriteAllText(Path.Combine(root, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="socks5d-packed" value="{Path.Combine(root, "packages")}" />
              </packageSources>
              <fallbackPackageFolders>
                <add key="machine" value="{machinePackages}" />
              </fallbackPackageFolders>
            </configuration>
            """);
        var dotnet = new FileInfo(Mcpctl.DotnetHost());
        var dotnetRoot = (dotnet.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? dotnet).DirectoryName!;
        return new Dictionary<string, string>(NoBuildServers)
        {
            ["NUGET_PACKAGES"] = Path.Combine(root, "nuget-packages"),
            ["DOTNET_ROOT"] = dotnetRoot,
        };
    }

    /// <summary>Runs one dotnet command to its end; a failure fails the fixture with its output.</summary>
    private static async Task<RunResult> DotnetAsync(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var result = await ChildProcess.RunAsync(Mcpctl.DotnetHost(), arguments, StepLimit, environment, workingDirectory);
        result.ExitCode.Should().Be(0, $"dotnet {string.Join(' ', arguments)} succeeds:\n{result.Stdout}\n{result.Stderr}");
        return result;
    }
}

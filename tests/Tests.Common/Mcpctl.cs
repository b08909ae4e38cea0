using System.Diagnostics;
using System.Text;

namespace Tests.Common;

/// <summary>Runs the real <c>mcpctl.dll</c> (copied next to the tests) as a child process.</summary>
public static class Mcpctl
{
    /// <summary>The upper bound for one run; a run that takes longer is killed and the test fails.</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    /// <summary>The mcpctl build that the project reference copied next to the tests.</summary>
    public static readonly string Dll = Path.Combine(AppContext.BaseDirectory, "mcpctl.dll");

    /// <summary>The variables mcpctl reads (docs/mcpctl.md, "Environment"); a run sees only those its test sets.</summary>
    public static readonly string[] EnvironmentVariables = ["MCPCTL_HOST", "MCPCTL_PORT", "MCPCTL_SOCKET"];

    /// <summary>Runs <c>dotnet mcpctl.dll args</c> with <paramref name="stdin"/> (stdin is always a pipe, never a terminal).</summary>
    public static Task<RunResult> RunAsync(string[] args, string stdin = "") => RunAsync(args, new Dictionary<string, string>(), stdin);

    /// <summary>Runs <c>dotnet mcpctl.dll args</c> with <paramref name="environment"/> set (and no other MCPCTL_ variable).</summary>
    public static async Task<RunResult> RunAsync(string[] args, IReadOnlyDictionary<string, string> environment, string stdin = "")
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            StandardInputEncoding = new UTF8Encoding(false),
        };
        start.ArgumentList.Add(Dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var name in EnvironmentVariables)
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return await RunAsync(start, args, stdin);
    }

    /// <summary>Runs a prepared mcpctl command line (<see cref="McpctlAsUser"/> prefixes setpriv) under the same rules.</summary>
    internal static async Task<RunResult> RunAsync(ProcessStartInfo start, string[] args, string stdin)
    {
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["LANG"] = "C.UTF-8";

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();

        using var limit = new CancellationTokenSource(Limit);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"mcpctl {string.Join(' ', args)} did not exit within {Limit}; killed");
        }

        var result = new RunResult(process.ExitCode, Normalize(await stdout), Normalize(await stderr));
        AssertNoStackTrace(result);
        return result;
    }

    /// <summary>Every run, in-process or not: never a stack trace for the user.</summary>
    public static void AssertNoStackTrace(RunResult result)
    {
        result.Stderr.Should().NotContain("   at ", "mcpctl must never show a stack trace");
        result.Stdout.Should().NotContain("   at ", "mcpctl must never show a stack trace");
        result.Stderr.Should().NotContain("Unhandled exception");
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal);

    /// <summary>The dotnet host: the one `dotnet test` names in DOTNET_HOST_PATH, else the one running us.</summary>
    public static string DotnetHost()
    {
        var fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk))
        {
            return fromSdk;
        }

        var self = Environment.ProcessPath;
        return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }
}

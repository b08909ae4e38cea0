using System.Diagnostics;

namespace Tests.Common;

/// <summary>The real fail2ban tools (Debian package fail2ban): <c>fail2ban-regex</c> and <c>fail2ban-client</c>.</summary>
public static class Fail2ban
{
    /// <summary>Runs <c>fail2ban-regex</c> with <paramref name="arguments"/> (for example <c>-o ip LOG FILTER</c>).</summary>
    public static Task<RunResult> RegexAsync(params string[] arguments) => RunAsync("fail2ban-regex", arguments);

    /// <summary>Runs <c>fail2ban-client</c> with <paramref name="arguments"/> (for example <c>-c DIR --test</c>; never a running server).</summary>
    public static Task<RunResult> ClientAsync(params string[] arguments) => RunAsync("fail2ban-client", arguments);

    private static async Task<RunResult> RunAsync(string tool, string[] arguments)
    {
        var startInfo = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TestTimeouts.Generous);
        return new RunResult(process.ExitCode, await output, await error);
    }
}

using System.Diagnostics;

namespace Tests.Common;

/// <summary>The real curl, through a SOCKS proxy.</summary>
public static class Curl
{
    /// <summary>Fetches <paramref name="url"/> through <paramref name="proxy"/> (e.g. socks5h://u:p@127.0.0.1:PORT).</summary>
    /// <returns>curl's exit code and the body it printed.</returns>
    public static Task<(int ExitCode, string Output)> RunAsync(string proxy, string url) => RunAsync(proxy, url, []);

    /// <summary>Fetches <paramref name="url"/> through <paramref name="proxy"/> with more curl options (before the URL).</summary>
    /// <param name="proxy">For example socks5h://u:p@127.0.0.1:PORT.</param>
    /// <param name="url">The URL.</param>
    /// <param name="options">For example <c>--limit-rate 8m -o /dev/null -w %{size_download}</c>.</param>
    /// <returns>curl's exit code and what it printed on standard output.</returns>
    public static async Task<(int ExitCode, string Output)> RunAsync(string proxy, string url, IEnumerable<string> options)
    {
        var startInfo = new ProcessStartInfo("curl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-sS", "--max-time", "20", "-x", proxy }.Concat(options).Append(url))
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var curl = Process.Start(startInfo)!;
        var output = curl.StandardOutput.ReadToEndAsync();
        var error = curl.StandardError.ReadToEndAsync();
        await curl.WaitForExitAsync().WaitAsync(TestTimeouts.Generous);
        await error;
        return (curl.ExitCode, await output);
    }
}

using System.Diagnostics;

namespace Tests.Common;

/// <summary>
/// Runs a script of a real SOCKS client library (the Node <c>socks</c> package, PySocks) as its own process: the script
/// text is written to a temporary file, run with the arguments given, and its exit code and output returned. Also runs
/// programs under torsocks.
/// </summary>
public static class ScriptRunner
{
    /// <summary>Debian's Python, where the <c>python3-socks</c> package installs PySocks (not a pyenv or venv Python).</summary>
    public const string DebianPython = "/usr/bin/python3";

    /// <summary>Where the Node packages the tests use are installed, shared by every test project of a run.</summary>
    public static readonly string NodeDirectory = Path.Combine(Path.GetTempPath(), "socks5d-tests-node");

    /// <summary>The Node <c>socks</c> package version range installed.</summary>
    private const string NodeSocksPackage = "socks@2";

    /// <summary>Runs a Python script with PySocks (installed by <see cref="RequiredTools"/>).</summary>
    /// <param name="script">The script's text.</param>
    /// <param name="arguments">Its arguments (sys.argv[1:]).</param>
    /// <returns>Exit code, stdout and stderr.</returns>
    public static Task<RunResult> RunPythonAsync(string script, params string[] arguments) =>
        RunScriptAsync(DebianPython, ".py", script, arguments, environment: null);

    /// <summary>
    /// Runs a Node script that may <c>require('socks')</c>: the package is installed from the npm registry on first use
    /// (under a lock, so test projects running in parallel install it once).
    /// </summary>
    /// <param name="script">The script's text (CommonJS).</param>
    /// <param name="arguments">Its arguments (process.argv.slice(2)).</param>
    /// <returns>Exit code, stdout and stderr.</returns>
    /// <exception cref="InvalidOperationException">npm could not install the package.</exception>
    public static async Task<RunResult> RunNodeAsync(string script, params string[] arguments)
    {
        await EnsureNodeSocksAsync();
        var environment = new Dictionary<string, string> { ["NODE_PATH"] = Path.Combine(NodeDirectory, "node_modules") };
        return await RunScriptAsync("node", ".js", script, arguments, environment);
    }

    /// <summary>
    /// Runs a program under torsocks (Debian's, installed by <see cref="RequiredTools"/>) with the configuration file
    /// <paramref name="configuration"/> (TORSOCKS_CONF_FILE): its name lookups become RESOLVE / RESOLVE_PTR requests.
    /// </summary>
    /// <param name="configuration">The torsocks.conf to use (TorAddress, TorPort, ...).</param>
    /// <param name="program">The program, for example <see cref="DebianPython"/>.</param>
    /// <param name="arguments">Its arguments.</param>
    /// <returns>Exit code, stdout and stderr.</returns>
    public static Task<RunResult> RunUnderTorsocksAsync(string configuration, string program, params string[] arguments) =>
        RunAsync("torsocks", [program, .. arguments], new Dictionary<string, string> { ["TORSOCKS_CONF_FILE"] = configuration });

    private static async Task EnsureNodeSocksAsync()
    {
        Directory.CreateDirectory(NodeDirectory);
        // flock (util-linux) serialises the install across the test processes of one run.
        var install = $"cd '{NodeDirectory}' && flock .install.lock sh -c " +
            $"'test -f node_modules/socks/package.json || npm install --no-audit --no-fund --no-save --loglevel=error {NodeSocksPackage}'";
        var result = await RunAsync("/bin/sh", ["-c", install], environment: null);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"the tests need the Node package {NodeSocksPackage}; npm install exited {result.ExitCode}: {result.Stderr.Trim()}");
        }
    }

    private static async Task<RunResult> RunScriptAsync(
        string interpreter, string extension, string script, string[] arguments, IReadOnlyDictionary<string, string>? environment)
    {
        var path = Path.Combine(Path.GetTempPath(), $"socks5d-test-{Guid.NewGuid():N}{extension}");
        await File.WriteAllTextAsync(path, script);
        try
        {
            return await RunAsync(interpreter, [path, .. arguments], environment);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Runs a program to its end (killed past <see cref="TestTimeouts.Generous"/>) and returns its exit code and output.</summary>
    /// <param name="program">The program (found on PATH).</param>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="environment">Variables to set, or null.</param>
    /// <param name="stdin">Text for its standard input (then closed), or null for an empty input.</param>
    /// <returns>Exit code, stdout and stderr.</returns>
    public static async Task<RunResult> RunAsync(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, string? stdin = null)
    {
        var startInfo = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[name] = value;
        }

        using var process = Process.Start(startInfo)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(stdin ?? "");
        process.StandardInput.Close();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TestTimeouts.Generous);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new RunResult(process.ExitCode, await output, await error);
    }
}

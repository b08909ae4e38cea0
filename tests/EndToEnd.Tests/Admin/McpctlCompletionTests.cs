using System.Text.RegularExpressions;

namespace EndToEnd.Tests.Admin;

/// <summary>
/// The bash and zsh completion scripts of <c>mcpctl completion bash|zsh</c>: the copies in contrib/completions are
/// that output, real bash completes every verb and option the real mcpctl has (its usage line and each verb's
/// --help are the reference), and real zsh parses the script and completes in a real terminal (tmux).
/// </summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed partial class McpctlCompletionTests
{
    private string _directory = "";

    [SetUp]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("socks5d-completion-").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    [TestCase("bash", "contrib/completions/mcpctl.bash")]
    [TestCase("zsh", "contrib/completions/_mcpctl")]
    public async Task ContribFile_IsWhatMcpctlCompletionPrints(string shell, string file)
    {
        var result = await Mcpctl.RunAsync(["completion", shell]);

        result.ExitCode.Should().Be(0, result.Stderr);
        result.Stdout.Should().Be(await File.ReadAllTextAsync(RepositoryFiles.Find(file)), $"regenerate {file} with: mcpctl completion {shell} > {file}");
    }

    [TestCase(new[] { "completion" }, "mcpctl: completion needs the shell: bash or zsh")]
    [TestCase(new[] { "completion", "fish" }, "mcpctl: no completion script for 'fish'; there are scripts for bash and zsh")]
    [TestCase(new[] { "completion", "bash", "zsh" }, "mcpctl: unexpected argument 'zsh'")]
    public async Task Completion_BadShell_Exits64(string[] args, string message)
    {
        var result = await Mcpctl.RunAsync(args);

        result.ExitCode.Should().Be(64);
        result.StderrLines[0].Should().Be(message);
        result.Stdout.Should().BeEmpty();
    }

    [Test]
    public async Task Bash_FirstWord_OffersEveryVerbOfTheRealMcpctl()
    {
        var verbs = await RealVerbsAsync();

        (await BashCompleteAsync("mcpctl", "")).Should().BeEquivalentTo([.. verbs, "help", "completion"]);
        (await BashCompleteAsync("mcpctl", "-P", "9000", "")).Should().BeEquivalentTo([.. verbs, "help", "completion"], "an option's value is not the verb");
        (await BashCompleteAsync("mcpctl", "help", "")).Should().BeEquivalentTo(verbs);
    }

    [Test]
    public async Task Bash_EachVerb_OffersExactlyTheOptionsItsHelpLists()
    {
        foreach (var verb in await RealVerbsAsync())
        {
            var help = await Mcpctl.RunAsync([verb, "--help"]);
            help.ExitCode.Should().Be(0);

            (await BashCompleteAsync("mcpctl", verb, "-")).Should().BeEquivalentTo([.. OptionsInHelp(help.Stdout), "-h"], $"the options of {verb}");
        }

        var general = await Mcpctl.RunAsync(["--help"]);
        (await BashCompleteAsync("mcpctl", "-")).Should().BeEquivalentTo([.. OptionsInHelp(general.Stdout), "-h"]);
    }

    [Test]
    public async Task Bash_Operands_AndOptionValues()
    {
        (await BashCompleteAsync("mcpctl", "dissector", "")).Should().BeEquivalentTo("status", "on", "off");
        (await BashCompleteAsync("mcpctl", "dissector", "o")).Should().BeEquivalentTo("on", "off");
        (await BashCompleteAsync("mcpctl", "--port", "=", "9000", "dissector", "s")).Should().Equal(["status"], "--port=9000 is one option");
        (await BashCompleteAsync("mcpctl", "--timeout", "3", "dissector", "on", "")).Should().BeEmpty("ACTION is given");
        (await BashCompleteAsync("mcpctl", "completion", "")).Should().BeEquivalentTo("bash", "zsh");
        (await BashCompleteAsync("mcpctl", "dis")).Should().Equal("dissector");
        (await BashCompleteAsync("mcpctl", "metrics", "-P", "")).Should().BeEmpty("a port is not guessed");

        File.WriteAllText(Path.Combine(_directory, "mcp.sock"), "");
        (await BashCompleteAsync("mcpctl", "--socket", Path.Combine(_directory, "mcp."))).Should().Equal(Path.Combine(_directory, "mcp.sock"));
        (await BashCompleteAsync("mcpctl", "list-users", "--socket", "=", Path.Combine(_directory, "mcp."))).Should().Equal(Path.Combine(_directory, "mcp.sock"));
    }

    [Test]
    public async Task Bash_Script_RegistersTheFunctionForMcpctl()
    {
        var script = await ScriptAsync("bash");

        var result = await ScriptRunner.RunAsync("bash", ["--norc", "-c", $"source {script} && complete -p mcpctl"]);

        result.Should().Be(new RunResult(0, "complete -F _mcpctl mcpctl\n", ""));
    }

    [Test]
    public async Task Zsh_Script_ParsesAndCompletesVerbsOperandsAndOptionsInARealTerminal()
    {
        var script = await ScriptAsync("zsh");
        (await ScriptRunner.RunAsync("zsh", ["-n", script])).Should().Be(new RunResult(0, "", ""), "zsh -n: the script parses");

        // An interactive zsh with nothing but compinit and the script; the prompt is a marker to wait for.
        var zdotdir = Path.Combine(_directory, "zdotdir");
        Directory.CreateDirectory(zdotdir);
        File.WriteAllText(Path.Combine(zdotdir, ".zshrc"), $"PS1='ready%% '\nautoload -Uz compinit && compinit -u -D\nsource {script}\n");
        await using var terminal = await TmuxSession.StartAsync(
            "zsh -i", 120, 40, new Dictionary<string, string> { ["ZDOTDIR"] = zdotdir, ["HOME"] = _directory });
        await terminal.WaitForScreenAsync(screen => screen.Any(line => line == "ready%"), "the zsh prompt");

        await terminal.SendKeysAsync("mcpctl dis", literal: true);
        await terminal.SendKeysAsync("Tab");
        await terminal.WaitForScreenAsync(screen => screen.Any(line => line == "ready% mcpctl dissector"), "the verb completed");

        await terminal.SendKeysAsync("st", literal: true);
        await terminal.SendKeysAsync("Tab");
        await terminal.WaitForScreenAsync(screen => screen.Any(line => line == "ready% mcpctl dissector status"), "the ACTION completed");

        await terminal.SendKeysAsync(" --js", literal: true);
        await terminal.SendKeysAsync("Tab");
        await terminal.WaitForScreenAsync(screen => screen.Any(line => line == "ready% mcpctl dissector status --json"), "the option completed");

        // A menu of every verb, each with its help: the real verb list.
        await terminal.SendKeysAsync("C-u");
        await terminal.SendKeysAsync("mcpctl ", literal: true);
        await terminal.SendKeysAsync("Tab");
        var verbs = await RealVerbsAsync();
        await terminal.WaitForScreenAsync(
            screen => verbs.Append("help").Append("completion").All(verb => screen.Any(line => line.StartsWith(verb + " ", StringComparison.Ordinal) && line.Contains(" -- ", StringComparison.Ordinal))),
            "every verb in the menu");
    }

    /// <summary>The verbs as the real mcpctl lists them after a usage error ("Verbs: a, b, c").</summary>
    private static async Task<string[]> RealVerbsAsync()
    {
        var result = await Mcpctl.RunAsync(["no-such-verb"]);
        var line = result.StderrLines.Single(l => l.StartsWith("Verbs: ", StringComparison.Ordinal));
        return line["Verbs: ".Length..].Split(", ");
    }

    /// <summary>The option spellings in a --help text: the first column of its option rows (-H HOST, --host=HOST).</summary>
    private static string[] OptionsInHelp(string help) =>
    [
        .. help.Split('\n')
            .SkipWhile(line => !(line.StartsWith("Options", StringComparison.Ordinal) && line.EndsWith(':')))
            .Skip(1)
            .TakeWhile(line => line.Length > 0)
            .Where(line => line.StartsWith("  -", StringComparison.Ordinal))
            .Select(line => ColumnGap().Split(line.Trim())[0])
            .SelectMany(column => column.Split(", "))
            .Select(spelling => spelling.Split('=', ' ')[0]),
    ];

    [GeneratedRegex("  +")]
    private static partial Regex ColumnGap();

    private async Task<string> ScriptAsync(string shell)
    {
        var result = await Mcpctl.RunAsync(["completion", shell]);
        result.ExitCode.Should().Be(0, result.Stderr);
        var path = Path.Combine(_directory, "mcpctl." + shell);
        await File.WriteAllTextAsync(path, result.Stdout);
        return path;
    }

    /// <summary>Runs the bash script's completion function as bash's programmable completion would for these words (the last is the one completed).</summary>
    private async Task<string[]> BashCompleteAsync(params string[] words)
    {
        var script = Path.Combine(_directory, "mcpctl.bash");
        if (!File.Exists(script))
        {
            await ScriptAsync("bash");
        }

        var quoted = string.Join(' ', words.Select(w => "'" + w.Replace("'", "'\\''", StringComparison.Ordinal) + "'"));
        var program = $"source {script}\nCOMP_WORDS=({quoted})\nCOMP_CWORD={words.Length - 1}\nCOMP_LINE=\"${{COMP_WORDS[*]}}\"\nCOMP_POINT=${{#COMP_LINE}}\n_mcpctl\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n";
        var result = await ScriptRunner.RunAsync("bash", ["--norc", "-c", program]);
        result.ExitCode.Should().Be(0, result.Stderr);
        result.Stderr.Should().BeEmpty();
        return [.. result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }
}

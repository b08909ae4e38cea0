namespace Tests.Common;

/// <summary>The exit code and the two output streams of one mcpctl run.</summary>
public sealed record RunResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>The output lines of stdout, without the final line break.</summary>
    public string[] StdoutLines => Stdout.Length == 0 ? [] : Stdout.TrimEnd('\n').Split('\n');

    /// <summary>The output lines of stderr, without the final line break.</summary>
    public string[] StderrLines => Stderr.Length == 0 ? [] : Stderr.TrimEnd('\n').Split('\n');
}

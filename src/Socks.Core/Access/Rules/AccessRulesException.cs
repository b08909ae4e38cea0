namespace Socks.Core.Access.Rules;

/// <summary>A rules file that cannot be used: unreadable, or a line that is not a rule. The message names the file and the line.</summary>
public sealed class AccessRulesException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The rules file (or the name the text was given under).</param>
    /// <param name="lineNumber">The line (1-based), or null when the problem is about the whole file.</param>
    /// <param name="problem">What is wrong, one phrase.</param>
    /// <param name="innerException">The I/O error behind it, if any.</param>
    public AccessRulesException(string path, int? lineNumber, string problem, Exception? innerException = null)
        : base(Format(path, lineNumber, problem), innerException)
    {
        FilePath = path;
        LineNumber = lineNumber;
        Problem = problem;
    }

    /// <summary>The rules file.</summary>
    public string FilePath { get; }

    /// <summary>The line the problem is on (1-based), or null for the whole file.</summary>
    public int? LineNumber { get; }

    /// <summary>What is wrong, without the file and line.</summary>
    public string Problem { get; }

    private static string Format(string path, int? lineNumber, string problem) =>
        lineNumber is { } line ? $"rules file {path}: line {line}: {problem}" : $"rules file {path}: {problem}";
}

namespace Socks.Core.Users;

/// <summary>
/// The users file could not be loaded: it is unreadable or not in the documented format
/// (docs/users-file.md). The message is one line, names the file and, when the problem is on one
/// line, its number, and never contains password material.
/// </summary>
/// <example><c>users file /etc/socks5d/users: line 3: salt is not valid base64</c></example>
public sealed class UsersFileException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The users file.</param>
    /// <param name="lineNumber">The 1-based line the problem is on, or null when it is about the whole file.</param>
    /// <param name="problem">What is wrong, without secrets.</param>
    /// <param name="innerException">The I/O error behind the problem, if any.</param>
    public UsersFileException(string path, int? lineNumber, string problem, Exception? innerException = null)
        : base(Format(path, lineNumber, problem), innerException)
    {
        Path = path;
        LineNumber = lineNumber;
        Problem = problem;
    }

    /// <summary>The users file.</summary>
    public string Path { get; }

    /// <summary>The 1-based line the problem is on, or null when it is about the whole file.</summary>
    public int? LineNumber { get; }

    /// <summary>What is wrong, without the file name and line number.</summary>
    public string Problem { get; }

    private static string Format(string path, int? lineNumber, string problem) =>
        lineNumber is { } line ? $"users file {path}: line {line}: {problem}" : $"users file {path}: {problem}";
}

using System.Buffers;
using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Socks.Core.Users.Verification;

namespace Socks.Core.Users;

/// <summary>
/// Reads and writes the users file (format: docs/users-file.md). Writes replace the file
/// atomically: a crash at any moment leaves either the old or the new file, whole.
/// </summary>
internal sealed class UsersFile
{
    public const string Header = "socks5d-users v1";

    /// <summary>The header of a file with limits (docs/users-file.md "Version 2"); a file without limits is still written as v1.</summary>
    public const string HeaderV2 = "socks5d-users v2";
    public const string Algorithm = "pbkdf2-sha256";

    /// <summary>The size limit of a file for up to 1024 users (far above that many records).</summary>
    public const int MaxFileSize = 1 << 20;

    /// <summary>More than the longest record (498 bytes: a 255-byte name, a 64-byte salt), so a saved file always loads.</summary>
    private const int BytesPerUser = 1024;

    private const string HeaderPrefix = "socks5d-users ";
    private const int FieldCount = 5;

    // Convert.TryFromBase64String skips white space inside its input; fields must not contain any.
    private static readonly SearchValues<char> Base64Alphabet =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=");

    private readonly Func<string, string?> _syncDirectory;

    private UsersFile(string path, Func<string, string?> syncDirectory)
    {
        Path = path;
        DirectoryPath = System.IO.Path.GetDirectoryName(path)!;
        _syncDirectory = syncDirectory;
    }

    /// <summary>The full path of the file.</summary>
    public string Path { get; }

    public string DirectoryPath { get; }

    /// <summary>
    /// Loads every user in the file, or none when the file does not exist yet. Either all records
    /// load or <see cref="UsersFileException"/> is thrown.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="maxUsers">The most records the file may hold.</param>
    /// <param name="syncDirectory">Syncs the directory after each save: null on success, else why not.</param>
    /// <param name="users">The records, in file order.</param>
    public static UsersFile Load(string path, int maxUsers, Func<string, string?> syncDirectory, out ImmutableArray<UserRecord> users)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fullPath = System.IO.Path.GetFullPath(path);
        if (System.IO.Path.GetDirectoryName(fullPath) is null || System.IO.Path.EndsInDirectorySeparator(fullPath))
        {
            throw new UsersFileException(fullPath, null, "is not a file path");
        }

        var file = new UsersFile(fullPath, syncDirectory);
        if (!Directory.Exists(file.DirectoryPath))
        {
            throw new UsersFileException(fullPath, null, $"directory {file.DirectoryPath} does not exist");
        }

        if (Directory.Exists(fullPath))
        {
            throw new UsersFileException(fullPath, null, "is a directory");
        }

        var content = ReadContent(fullPath, MaxFileSizeFor(maxUsers));
        users = content is null ? [] : Parse(fullPath, content, maxUsers);
        return file;
    }

    /// <summary>Reads the users the file holds now (none when it no longer exists). Either all records load or <see cref="UsersFileException"/> is thrown.</summary>
    /// <param name="maxUsers">The most records the file may hold.</param>
    /// <returns>The records, in file order.</returns>
    public ImmutableArray<UserRecord> Read(int maxUsers)
    {
        var content = ReadContent(Path, MaxFileSizeFor(maxUsers));
        return content is null ? [] : Parse(Path, content, maxUsers);
    }

    /// <summary>The size limit for a file of <paramref name="maxUsers"/> users: 1 MiB, or more for more than 1024 users.</summary>
    public static long MaxFileSizeFor(int maxUsers) => Math.Min(Array.MaxLength, Math.Max(MaxFileSize, (long)maxUsers * BytesPerUser));

    /// <summary>The file's text for <paramref name="users"/>, in their order.</summary>
    public static byte[] Format(IEnumerable<UserRecord> users)
    {
        var text = new StringBuilder();
        var records = users as IReadOnlyCollection<UserRecord> ?? users.ToList();
        var withLimits = records.Any(static u => !u.Limits.IsNone);

        // Without limits the file stays v1, so an older socks5d still reads it.
        text.Append(withLimits ? HeaderV2 : Header).Append('\n');
        text.Append("# One user per line: <base64 name>:pbkdf2-sha256:<iterations>:<base64 salt>:<base64 hash>\n");
        if (withLimits)
        {
            text.Append("# then limits, if any: sessions=N rate-up=BYTES/s rate-down=BYTES/s quota=BYTES/day or BYTES/month\n");
        }

        text.Append("# socks5d rewrites this file on every change (comments are not kept). See docs/users-file.md.\n");
        foreach (var user in records)
        {
            AppendRecord(text, user);
            text.Append('\n');
        }

        return Encoding.ASCII.GetBytes(text.ToString());
    }

    /// <summary>One record line (v2 syntax: limits follow the five fields, when there are any), without the newline.</summary>
    public static string FormatRecord(UserRecord user) => AppendRecord(new StringBuilder(), user).ToString();

    /// <summary>Parses one record line in v2 syntax (a v1 record is a v2 record without limits).</summary>
    /// <exception cref="UsersFileException">The line is not a valid record; the message names <paramref name="source"/>.</exception>
    public static UserRecord ParseRecordLine(string source, string line)
    {
        var text = line.Trim(' ', '\t');
        return text.Length == 0 ? throw new UsersFileException(source, null, "empty user record") : ParseRecordV2(source, null, text);
    }

    private static StringBuilder AppendRecord(StringBuilder text, UserRecord user)
    {
        text.Append(Convert.ToBase64String(user.Name)).Append(':')
            .Append(Algorithm).Append(':')
            .Append(user.Hash.Iterations.ToString(CultureInfo.InvariantCulture)).Append(':')
            .Append(Convert.ToBase64String(user.Hash.Salt.Span)).Append(':')
            .Append(Convert.ToBase64String(user.Hash.Hash.Span));
        if (!user.Limits.IsNone)
        {
            text.Append(' ').Append(user.Limits.ToString());
        }

        return text;
    }

    /// <summary>
    /// Replaces the file with <paramref name="users"/>: write a temporary file in the same directory,
    /// sync it, rename it over the file, sync the directory.
    /// </summary>
    /// <returns>
    /// Null when the new file is in place and durable; otherwise why the directory could not be
    /// synced: the new file is in place but the rename might not survive a crash.
    /// </returns>
    /// <exception cref="IOException">The file could not be written; the old file is unchanged.</exception>
    public string? Save(IEnumerable<UserRecord> users)
    {
        var content = Format(users);
        var tempPath = System.IO.Path.Combine(
            DirectoryPath,
            $".{System.IO.Path.GetFileName(Path)}.tmp-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}");
        try
        {
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
            };
            if (!OperatingSystem.IsWindows())
            {
                // Created 0600 from the start, so the hashes are never readable by others, not even
                // for a moment; the rename keeps the mode.
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var stream = new FileStream(tempPath, options))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            File.Move(tempPath, Path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            DeleteTemporary(tempPath);
            throw new IOException($"users file {Path}: cannot save: {e.Message}", e);
        }

        // Without this the rename itself may be lost in a crash, bringing back the old file.
        return _syncDirectory(DirectoryPath) is { } error
            ? $"users file {Path}: saved, but syncing directory {DirectoryPath} failed: {error}"
            : null;
    }

    private static void DeleteTemporary(string tempPath)
    {
        try
        {
            File.Delete(tempPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The save already failed and that error is what the caller needs; a leftover temporary
            // file is harmless (never read) and its name says what it is.
        }
    }

    private static byte[]? ReadContent(string path, long maxFileSize)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            if (stream.Length > maxFileSize)
            {
                throw new UsersFileException(path, null, $"is larger than {maxFileSize} bytes");
            }

            var content = new byte[stream.Length];
            stream.ReadExactly(content);
            return content;
        }
        catch (FileNotFoundException)
        {
            // Not created yet: the store starts empty and the first change creates the file.
            return null;
        }
        catch (UnauthorizedAccessException e)
        {
            throw new UsersFileException(path, null, "cannot read: permission denied", e);
        }
        catch (IOException e)
        {
            throw new UsersFileException(path, null, $"cannot read: {e.Message}", e);
        }
    }

    private static ImmutableArray<UserRecord> Parse(string path, byte[] content, int maxUsers)
    {
        var users = ImmutableArray.CreateBuilder<UserRecord>();
        var firstLineOf = new Dictionary<byte[], int>(ByteArrayComparer.Instance);
        var sawHeader = false;
        var version = 1;
        var lineNumber = 0;
        var rest = content.AsSpan();
        while (!rest.IsEmpty)
        {
            lineNumber++;
            var end = rest.IndexOf((byte)'\n');
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? [] : rest[(end + 1)..];

            line = line.Trim(" \t\r"u8);
            if (line.IsEmpty || line[0] == (byte)'#')
            {
                continue;
            }

            if (line.IndexOfAnyExceptInRange((byte)0x20, (byte)0x7E) is var bad and >= 0)
            {
                throw new UsersFileException(path, lineNumber, $"unexpected byte 0x{line[bad]:X2} (records are printable ASCII)");
            }

            var text = Encoding.ASCII.GetString(line);
            if (!sawHeader)
            {
                version = CheckHeader(path, lineNumber, text);
                sawHeader = true;
                continue;
            }

            var record = version == 1 ? ParseRecord(path, lineNumber, text) : ParseRecordV2(path, lineNumber, text);
            if (firstLineOf.TryGetValue(record.Name, out var firstLine))
            {
                throw new UsersFileException(path, lineNumber, $"duplicate user (already defined on line {firstLine})");
            }

            if (users.Count == maxUsers)
            {
                throw new UsersFileException(path, lineNumber, $"more users than the limit of {maxUsers}");
            }

            firstLineOf.Add(record.Name, lineNumber);
            users.Add(record);
        }

        return users.ToImmutable();
    }

    private static int CheckHeader(string path, int lineNumber, string text)
    {
        if (text == Header)
        {
            return 1;
        }

        if (text == HeaderV2)
        {
            return 2;
        }

        var problem = text.StartsWith(HeaderPrefix, StringComparison.Ordinal)
            ? $"unsupported format version (this socks5d reads '{Header}' and '{HeaderV2}')"
            : $"expected the header line '{Header}'";
        throw new UsersFileException(path, lineNumber, problem);
    }

    private static UserRecord ParseRecord(string path, int? lineNumber, string text)
    {
        var fields = text.Split(':');
        if (fields.Length != FieldCount)
        {
            var problem = fields.Length < FieldCount
                ? $"incomplete record: {fields.Length} of {FieldCount} ':'-separated fields (<name>:{Algorithm}:<iterations>:<salt>:<hash>)"
                : $"too many ':'-separated fields ({fields.Length}, expected {FieldCount})";
            throw new UsersFileException(path, lineNumber, problem);
        }

        var name = DecodeBase64(path, lineNumber, fields[0], "username");
        if (name.Length is 0 or > UserStore.MaxCredentialLength)
        {
            throw new UsersFileException(path, lineNumber, $"username must be 1 to {UserStore.MaxCredentialLength} bytes, is {name.Length}");
        }

        if (fields[1] != Algorithm)
        {
            throw new UsersFileException(path, lineNumber, $"unsupported hash algorithm (expected '{Algorithm}')");
        }

        if (fields[2].Length is 0 or > 8
            || fields[2].AsSpan().ContainsAnyExceptInRange('0', '9')
            || !int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations)
            || iterations is < 1 or > PasswordHash.MaxIterations)
        {
            throw new UsersFileException(path, lineNumber, $"iteration count must be a whole number from 1 to {PasswordHash.MaxIterations}");
        }

        var salt = DecodeBase64(path, lineNumber, fields[3], "salt");
        if (salt.Length is < PasswordHash.MinSaltSize or > PasswordHash.MaxSaltSize)
        {
            throw new UsersFileException(path, lineNumber, $"salt must be {PasswordHash.MinSaltSize} to {PasswordHash.MaxSaltSize} bytes, is {salt.Length}");
        }

        var hash = DecodeBase64(path, lineNumber, fields[4], "hash");
        if (hash.Length != PasswordHash.HashSize)
        {
            throw new UsersFileException(path, lineNumber, $"hash must be {PasswordHash.HashSize} bytes, is {hash.Length}");
        }

        return new UserRecord(name, new PasswordHash(iterations, salt, hash));
    }

    /// <summary>A v2 record: the v1 fields, then limits as space-separated <c>key=value</c> words.</summary>
    private static UserRecord ParseRecordV2(string path, int? lineNumber, string text)
    {
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var record = ParseRecord(path, lineNumber, words[0]);
        if (words.Length == 1)
        {
            return record;
        }

        int sessions = 0;
        long rateUp = 0, rateDown = 0, quota = 0;
        var period = Limits.QuotaPeriod.None;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var word in words.AsSpan(1))
        {
            var equals = word.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new UsersFileException(path, lineNumber, $"limit '{word}' is not key=value");
            }

            var key = word[..equals];
            var value = word[(equals + 1)..];
            if (!seen.Add(key))
            {
                throw new UsersFileException(path, lineNumber, $"limit '{key}' given twice");
            }

            switch (key)
            {
                case "sessions":
                    sessions = (int)ParseCount(path, lineNumber, key, value, int.MaxValue);
                    break;
                case "rate-up":
                    rateUp = ParseCount(path, lineNumber, key, value, long.MaxValue);
                    break;
                case "rate-down":
                    rateDown = ParseCount(path, lineNumber, key, value, long.MaxValue);
                    break;
                case "quota":
                    var slash = value.IndexOf('/', StringComparison.Ordinal);
                    period = slash < 0 ? Limits.QuotaPeriod.None : value[(slash + 1)..] switch
                    {
                        "day" => Limits.QuotaPeriod.Day,
                        "month" => Limits.QuotaPeriod.Month,
                        _ => Limits.QuotaPeriod.None,
                    };
                    if (period == Limits.QuotaPeriod.None)
                    {
                        throw new UsersFileException(path, lineNumber, "quota must be BYTES/day or BYTES/month");
                    }

                    quota = ParseCount(path, lineNumber, key, value[..slash], long.MaxValue);
                    break;
                default:
                    throw new UsersFileException(path, lineNumber, $"unknown limit '{key}' (known: sessions, rate-up, rate-down, quota)");
            }
        }

        return record.WithLimits(new Limits.UserLimits(sessions, rateUp, rateDown, quota, period));
    }

    private static long ParseCount(string path, int? lineNumber, string key, string value, long max)
    {
        if (value.Length is 0 or > 19
            || value.AsSpan().ContainsAnyExceptInRange('0', '9')
            || !long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            || count < 1
            || count > max)
        {
            throw new UsersFileException(path, lineNumber, $"limit '{key}' must be a whole number from 1 to {max}");
        }

        return count;
    }

    private static byte[] DecodeBase64(string path, int? lineNumber, string field, string what)
    {
        var buffer = new byte[field.Length];
        if (field.Length == 0
            || field.AsSpan().ContainsAnyExcept(Base64Alphabet)
            || !Convert.TryFromBase64String(field, buffer, out var written))
        {
            throw new UsersFileException(path, lineNumber, $"{what} is not valid base64");
        }

        return buffer[..written];
    }
}

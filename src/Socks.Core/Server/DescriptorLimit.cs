using System.Globalization;

namespace Socks.Core.Server;

/// <summary>
/// Reads what the process's <see cref="DescriptorBudget"/> is derived from: the soft descriptor limit
/// (RLIMIT_NOFILE) and the descriptors open now.
/// </summary>
internal static class DescriptorLimit
{
    /// <summary>The limit assumed when the descriptor limit cannot be read (the usual Linux default).</summary>
    public const long AssumedSoftLimit = 1024;

    /// <summary>The descriptors assumed open when they cannot be counted.</summary>
    public const long AssumedOpenDescriptors = 128;

    /// <summary>Used for an "unlimited" descriptor limit.</summary>
    public const long UnlimitedSoftLimit = 1 << 20;

    /// <summary>The connection limit for a descriptor limit and the descriptors already open, with no other part.</summary>
    /// <param name="softLimit">The soft RLIMIT_NOFILE.</param>
    /// <param name="openDescriptors">Descriptors the process holds now.</param>
    /// <returns>At least 1.</returns>
    public static int MaxConnectionsFor(long softLimit, long openDescriptors) => new DescriptorBudget(softLimit, openDescriptors).MaxSessions;

    /// <summary>Counts the descriptors this process holds, from /proc/self/fd.</summary>
    /// <returns>The count, or <see cref="AssumedOpenDescriptors"/> when it cannot be read (not Linux).</returns>
    public static long CountOpenDescriptors()
    {
        try
        {
            return Directory.EnumerateFileSystemEntries("/proc/self/fd").LongCount();
        }
        catch (IOException)
        {
            return AssumedOpenDescriptors;
        }
        catch (UnauthorizedAccessException)
        {
            return AssumedOpenDescriptors;
        }
    }

    /// <summary>Reads the soft descriptor limit of this process, from /proc/self/limits.</summary>
    /// <returns>The limit, or <see cref="AssumedSoftLimit"/> when it cannot be read (not Linux).</returns>
    public static long ReadSoftLimit()
    {
        try
        {
            return ParseSoftLimit(File.ReadAllText("/proc/self/limits")) ?? AssumedSoftLimit;
        }
        catch (IOException)
        {
            return AssumedSoftLimit;
        }
        catch (UnauthorizedAccessException)
        {
            return AssumedSoftLimit;
        }
    }

    /// <summary>Finds the soft "Max open files" limit in the text of /proc/PID/limits.</summary>
    /// <param name="limits">The file's text.</param>
    /// <returns>The limit (<see cref="UnlimitedSoftLimit"/> for "unlimited"), or null when absent or malformed.</returns>
    public static long? ParseSoftLimit(string limits)
    {
        // Lines look like: "Max open files            1024                 4096                 files     "
        const string Key = "Max open files";
        foreach (var line in limits.Split('\n'))
        {
            if (!line.StartsWith(Key, StringComparison.Ordinal))
            {
                continue;
            }

            var fields = line[Key.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0)
            {
                return null;
            }

            if (fields[0] == "unlimited")
            {
                return UnlimitedSoftLimit;
            }

            return long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var soft) && soft > 0 ? soft : null;
        }

        return null;
    }
}

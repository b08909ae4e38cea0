using System.Globalization;

namespace Socks.Core.Server;

/// <summary>
/// Derives the default connection limit from the process's descriptor limit (RLIMIT_NOFILE).
/// </summary>
/// <remarks>
/// Each session holds two descriptors (client and target), and the runtime needs descriptors of its
/// own for lazy work (loading an assembly, a new thread's resources, DNS, the log). A .NET process
/// that runs out of descriptors in the runtime can abort ("Out of memory."), so the limit keeps a
/// reserve: an eighth of the descriptor limit, at least 32 and at most 1024, and divides the rest by two.
/// </remarks>
internal static class DescriptorLimit
{
    /// <summary>The limit assumed when the descriptor limit cannot be read (the usual Linux default).</summary>
    public const long AssumedSoftLimit = 1024;

    /// <summary>Used for an "unlimited" descriptor limit.</summary>
    public const long UnlimitedSoftLimit = 1 << 20;

    private const long MinReserve = 32;
    private const long MaxReserve = 1024;

    /// <summary>The connection limit for a descriptor limit.</summary>
    /// <param name="softLimit">The soft RLIMIT_NOFILE.</param>
    /// <returns>At least 1.</returns>
    public static int MaxConnectionsFor(long softLimit)
    {
        var reserve = Math.Clamp(softLimit / 8, MinReserve, MaxReserve);
        var sessions = (softLimit - reserve) / 2;
        return (int)Math.Clamp(sessions, 1, int.MaxValue);
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

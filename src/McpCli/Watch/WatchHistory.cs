using Mcp.Protocol;

namespace McpCli.Watch;

/// <summary>
/// The samples the dashboard has taken: the latest counters, the rates since the sample before, and a bounded history
/// of the rates for the graphs. Rates are per second of the time between the two samples, not per refresh.
/// </summary>
internal sealed class WatchHistory
{
    /// <summary>How many rates the graphs keep: more than any terminal is wide.</summary>
    public const int Capacity = 512;

    private readonly Queue<double> _bytesPerSecond = new();
    private readonly Queue<double> _connectionsPerSecond = new();
    private readonly Dictionary<string, (ulong Up, ulong Down)> _previousUsers = new(StringComparer.Ordinal);
    private McpMetrics? _previous;
    private TimeSpan _previousAt;

    /// <summary>The latest counters, or null before the first sample.</summary>
    public McpMetrics? Current { get; private set; }

    /// <summary>Connections accepted per second (historical connections), between the last two samples.</summary>
    public double ConnectionsPerSecond { get; private set; }

    /// <summary>Bytes transferred per second, both legs, between the last two samples.</summary>
    public double BytesPerSecond { get; private set; }

    /// <summary>Client bytes per second, between the last two samples.</summary>
    public double ClientBytesPerSecond { get; private set; }

    /// <summary>Successful sessions per second.</summary>
    public double SuccessfulPerSecond { get; private set; }

    /// <summary>Failed sessions per second.</summary>
    public double FailedPerSecond { get; private set; }

    /// <summary>The per-user rows of the latest sample with their rates (bytes/s up, down), or null when not supported.</summary>
    public IReadOnlyList<(WatchUser User, double UpPerSecond, double DownPerSecond)>? Users { get; private set; }

    /// <summary>Bytes per second, oldest first.</summary>
    public IReadOnlyCollection<double> BytesHistory => _bytesPerSecond;

    /// <summary>Connections per second, oldest first.</summary>
    public IReadOnlyCollection<double> ConnectionsHistory => _connectionsPerSecond;

    /// <summary>Adds a sample taken at <paramref name="at"/> (a monotonic time).</summary>
    public void Add(TimeSpan at, McpMetrics metrics, IReadOnlyList<WatchUser>? users)
    {
        var seconds = (at - _previousAt).TotalSeconds;
        if (_previous is { } before && seconds > 0)
        {
            ConnectionsPerSecond = Rate(before.HistoricalConnections, metrics.HistoricalConnections, seconds);
            BytesPerSecond = Rate(before.BytesTransferred, metrics.BytesTransferred, seconds);
            ClientBytesPerSecond = Rate(before.ClientBytes, metrics.ClientBytes, seconds);
            SuccessfulPerSecond = Rate(before.SuccessfulConnections, metrics.SuccessfulConnections, seconds);
            FailedPerSecond = Rate(before.FailedConnections, metrics.FailedConnections, seconds);
            Push(_bytesPerSecond, BytesPerSecond);
            Push(_connectionsPerSecond, ConnectionsPerSecond);
        }

        Users = users is null ? null : RateUsers(users, _previous is null ? 0 : seconds);
        _previous = metrics;
        _previousAt = at;
        Current = metrics;
    }

    // A counter that went down (the server restarted) has no meaningful rate: 0, not a huge negative number.
    private static double Rate(ulong before, ulong after, double seconds) => after >= before ? (after - before) / seconds : 0;

    private static void Push(Queue<double> queue, double value)
    {
        queue.Enqueue(value);
        if (queue.Count > Capacity)
        {
            queue.Dequeue();
        }
    }

    private List<(WatchUser, double, double)> RateUsers(IReadOnlyList<WatchUser> users, double seconds)
    {
        var rows = new List<(WatchUser, double, double)>(users.Count);
        var seen = new Dictionary<string, (ulong, ulong)>(StringComparer.Ordinal);
        foreach (var user in users)
        {
            var key = Convert.ToHexString(user.Name);
            var (up, down) = (0.0, 0.0);
            if (seconds > 0 && _previousUsers.TryGetValue(key, out var before))
            {
                up = Rate(before.Up, user.BytesUp, seconds);
                down = Rate(before.Down, user.BytesDown, seconds);
            }

            rows.Add((user, up, down));
            seen[key] = (user.BytesUp, user.BytesDown);
        }

        _previousUsers.Clear();
        foreach (var (key, value) in seen)
        {
            _previousUsers[key] = value;
        }

        // Most traffic first; the name breaks ties so the order is stable between refreshes.
        rows.Sort((a, b) => b.Item1.Traffic != a.Item1.Traffic
            ? b.Item1.Traffic.CompareTo(a.Item1.Traffic)
            : a.Item1.Name.AsSpan().SequenceCompareTo(b.Item1.Name));
        return rows;
    }
}

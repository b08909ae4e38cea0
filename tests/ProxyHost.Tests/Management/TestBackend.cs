using Mcp.Protocol;
using ProxyHost.Management;
using Socks.Core.Users;

namespace ProxyHost.Tests.Management;

/// <summary>
/// A simple backend for the server tests: a real in-memory <see cref="UserStore"/> (cheap hashing), fixed metrics and
/// a flag. Not under test. Optionally holds ADD_USER at a gate so tests can make a "slow PBKDF2" deterministic.
/// </summary>
internal sealed class TestBackend : IManagementBackend
{
    public static readonly McpMetrics FixedMetrics = new(
        HistoricalConnections: 0x0102030405060708,
        ConcurrentConnections: 2,
        BytesTransferred: 0xFFFF_FFFF_FFFF_FFFF,
        SuccessfulConnections: 4,
        FailedConnections: 5,
        ClientBytes: 0x0100_0000_0000);

    private static readonly UserStoreOptions FastHashing = new() { Iterations = 1_000 };

    private readonly TaskCompletionSource _addUserEntered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _dissectorLock = new();
    private bool _dissector;

    public TestBackend(int maxUsers = UserStore.DefaultMaxUsers) => Store = UserStore.CreateInMemory(maxUsers, FastHashing);

    public UserStore Store { get; }

    public bool DissectorEnabled
    {
        get
        {
            lock (_dissectorLock)
            {
                return _dissector;
            }
        }
    }

    /// <summary>When set, ADD_USER waits for this task before changing the store.</summary>
    public Task? AddUserGate { get; set; }

    /// <summary>Completes when an ADD_USER call has started (and is waiting at <see cref="AddUserGate"/>, if any).</summary>
    public Task AddUserEntered => _addUserEntered.Task;

    /// <summary>Released once per ADD_USER call that has started: wait on it n times to know that n calls are in the backend.</summary>
    public SemaphoreSlim AddUserCalls { get; } = new(0);

    /// <summary>When set, LIST_USERS throws it (a failing backend).</summary>
    public Exception? ListUsersFailure { get; set; }

    /// <summary>When set, LIST_USERS returns these names instead of the store's.</summary>
    public IReadOnlyList<byte[]>? ListUsersOverride { get; set; }

    /// <summary>The counters GET_METRICS answers; <see cref="FixedMetrics"/> unless a test sets others.</summary>
    public McpMetrics Metrics { get; set; } = FixedMetrics;

    public McpMetrics GetMetrics() => Metrics;

    public ValueTask<IReadOnlyList<byte[]>> ListUsersAsync(CancellationToken cancellationToken)
    {
        if (ListUsersFailure is { } failure)
        {
            throw failure;
        }

        return ValueTask.FromResult(ListUsersOverride ?? Store.ListUsers());
    }

    public async ValueTask<McpStatus> AddUserAsync(ReadOnlyMemory<byte> username, ReadOnlyMemory<byte> password, CancellationToken cancellationToken)
    {
        _addUserEntered.TrySetResult();
        AddUserCalls.Release();
        if (AddUserGate is { } gate)
        {
            await gate.WaitAsync(cancellationToken);
        }

        // As the real backend does: the store runs the blocking change off the caller's thread.
        return (await UserChangeStatus.ApplyAsync(() => Store.AddAsync(username, password, cancellationToken))).Status;
    }

    public async ValueTask<McpStatus> RemoveUserAsync(ReadOnlyMemory<byte> username, CancellationToken cancellationToken) =>
        (await UserChangeStatus.ApplyAsync(() => Store.RemoveAsync(username, cancellationToken))).Status;

    public bool ToggleDissector()
    {
        lock (_dissectorLock)
        {
            _dissector = !_dissector;
            return _dissector;
        }
    }

    public bool SetDissector(bool enabled)
    {
        lock (_dissectorLock)
        {
            _dissector = enabled;
            return _dissector;
        }
    }
}

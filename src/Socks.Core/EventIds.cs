namespace Socks.Core;

/// <summary>
/// The event-id table of the product: the first id of each component's range. A range is <see cref="RangeSize"/>
/// ids wide, and every <c>[LoggerMessage]</c> of a component (the <c>Log</c> class of a folder, and of the folders
/// below it) takes its id from its range, so no two messages share an id, neither in this assembly nor in socks5d's
/// log, where the engine's and the host's messages meet. tests/Socks.Core.Tests/EventIdTests.cs enforces it.
/// </summary>
/// <remarks>
/// <code>
///    1-  99  ProxyHost  Hosting     (ProxyHost.EventIds)
///  100- 199  Socks.Core Server      listener, sessions, drain
///  200- 299  Socks.Core Relay
///  300- 399  ProxyHost  Management  MCP listener (ProxyHost.EventIds)
///  400- 499  Socks.Core Commands    reserved: command handlers (CONNECT, BIND, UDP ASSOCIATE)
///  500- 599  Socks.Core Connectors  resolving and dialing
///  600- 699  Socks.Core Access      reserved: access policies
///  700- 799  Socks.Core Users       the user store and directory
///  800- 899  Socks.Core Metrics     reserved
///  900- 999  Socks.Core Hosting     the Generic Host integration (AddSocksServer)
/// 5000-5099  Socks.Core Logging     the record-log writers (access log, credentials log)
/// 5100-5199  Socks.Core Dissectors
/// </code>
/// A component without a range gets a new one here (and in ProxyHost.EventIds) before its first message.
/// </remarks>
internal static class EventIds
{
    /// <summary>How many ids a component owns, from its first.</summary>
    public const int RangeSize = 100;

    /// <summary>Server/: the listener, the sessions and the drain (100-199).</summary>
    public const int Server = 100;

    /// <summary>Relay/ (200-299).</summary>
    public const int Relay = 200;

    /// <summary>Commands/, reserved (400-499).</summary>
    public const int Commands = 400;

    /// <summary>Connectors/: resolving and dialing (500-599).</summary>
    public const int Connectors = 500;

    /// <summary>Access/, reserved (600-699).</summary>
    public const int Access = 600;

    /// <summary>Users/: the user store and directory (700-799).</summary>
    public const int Users = 700;

    /// <summary>Metrics/, reserved (800-899).</summary>
    public const int Metrics = 800;

    /// <summary>Hosting/: the Generic Host integration, AddSocksServer (900-999).</summary>
    public const int Hosting = 900;

    /// <summary>Logging/: the record-log writers of the access log and the credentials log (5000-5099).</summary>
    public const int Logging = 5000;

    /// <summary>Dissectors/ (5100-5199).</summary>
    public const int Dissectors = 5100;
}

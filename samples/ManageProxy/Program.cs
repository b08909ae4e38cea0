// ManageProxy: adds a user to a running socks5d and prints its metrics, over MCP, the Monitoring and
// Configuration Protocol of socks5d (docs/embedding.md, docs/mcp-protocol.md).
//   dotnet run --project samples/ManageProxy -- 127.0.0.1:8080 bob secret
using System.Net;
using Mcp.Protocol;

if (args.Length != 3 || !IPEndPoint.TryParse(args[0], out var endpoint))
{
    Console.Error.WriteLine("usage: ManageProxy HOST:PORT USER PASSWORD   (socks5d's MCP endpoint, 127.0.0.1:8080 by default)");
    return 64;
}

try
{
    await using var client = await McpClient.ConnectAsync(endpoint);
    await client.AddUserAsync(args[1], args[2]);
    Console.WriteLine($"added user {args[1]}");

    var metrics = await client.GetMetricsAsync();
    Console.WriteLine($"historical connections: {metrics.HistoricalConnections}");
    Console.WriteLine($"concurrent connections: {metrics.ConcurrentConnections}");
    Console.WriteLine($"bytes transferred:      {metrics.BytesTransferred}");
    Console.WriteLine($"successful connections: {metrics.SuccessfulConnections}");
    Console.WriteLine($"failed connections:     {metrics.FailedConnections}");
    return 0;
}
catch (McpStatusException e)
{
    // The server refused the change: UserExists, UserLimit...
    Console.Error.WriteLine($"ManageProxy: socks5d answered {e.Status}");
    return 1;
}
catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException)
{
    Console.Error.WriteLine($"ManageProxy: {endpoint}: {e.Message}");
    return 69;
}

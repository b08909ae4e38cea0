using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Mcp.Protocol;

namespace ProxyHost.Management;

/// <summary>Carrying out one well-formed request against the backend (MCP memo §4).</summary>
internal sealed partial class McpConnection
{
    private async ValueTask<McpResponse> ExecuteAsync(McpRequest request, CancellationToken token)
    {
        var command = request.Command;
        if (!request.IsKnownCommand && !ServesExtension(command))
        {
            // Memo §5 0x02: the frame was well delimited by LEN, so the connection stays usable.
            Log.UnknownCommand(_logger, Id, McpNames.GetName(command));
            return McpResponse.Failure(command, McpStatus.CommandNotSupported);
        }

        _idle.EnterBusy();
        try
        {
            switch (command)
            {
                case McpCommand.GetMetrics:
                    return McpResponse.FromMetrics(_backend.GetMetrics());

                case McpCommand.ListUsers:
                    return await ListUsersAsync(token).ConfigureAwait(false);

                case McpCommand.AddUser:
                    var added = await _backend.AddUserAsync(request.Username, request.Password, token).ConfigureAwait(false);
                    return UserChangeResponse(command, request.Username, added);

                case McpCommand.UserStats:
                case McpCommand.FleetUserStats:
                case McpCommand.GetLimits:
                case McpCommand.SetLimits:
                    return await ExecuteLimitsAsync(request, token).ConfigureAwait(false);

                case McpCommand.RemoveUser:
                    var removed = await _backend.RemoveUserAsync(request.Username, token).ConfigureAwait(false);
                    return UserChangeResponse(command, request.Username, removed);

                case McpCommand.GetDissector:
                    return McpResponse.FromDissectorState(command, _backend.DissectorEnabled);

                case McpCommand.SetDissector:
                    var state = _backend.SetDissector(request.DissectorEnabled);
                    Log.DissectorSet(_logger, Id, Peer.Client, Peer.UidText, request.DissectorEnabled ? "on" : "off", state ? "on" : "off");
                    return McpResponse.FromDissectorState(command, state);

                case McpCommand.ToggleDissector:
                    var enabled = _backend.ToggleDissector();
                    Log.DissectorToggled(_logger, Id, Peer.Client, Peer.UidText, enabled ? "on" : "off");
                    return McpResponse.FromDissectorState(enabled);

                default:
                    // A command the library knows but this server does not carry out: what a server without it says.
                    Log.UnknownCommand(_logger, Id, McpNames.GetName(command));
                    return McpResponse.Failure(command, McpStatus.CommandNotSupported);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception exception)
        {
            // Memo §5 0x01 "Error interno": the backend failed (or broke its contract, e.g. 256 users); the request
            // was well-formed, so the connection stays in step and keeps serving.
            Log.BackendFailed(_logger, Id, McpNames.GetName(command), exception);
            return McpResponse.Failure(command, McpStatus.Error);
        }
        finally
        {
            _idle.ExitBusy();

            // The reader gave the password its own array; wipe it once the backend is done with it.
            if (MemoryMarshal.TryGetArray(request.Password, out var password))
            {
                CryptographicOperations.ZeroMemory(password.AsSpan());
            }
        }
    }

    private async ValueTask<McpResponse> ListUsersAsync(CancellationToken token)
    {
        var users = await _backend.ListUsersAsync(token).ConfigureAwait(false);
        var names = new ReadOnlyMemory<byte>[users.Count];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = users[i];
        }

        // Validates the backend's list (at most 255 names of 1 to 255 bytes) before anything is written.
        return McpResponse.FromUsers(names);
    }

    private McpResponse UserChangeResponse(McpCommand command, ReadOnlyMemory<byte> username, McpStatus status)
    {
        var user = LogText.EscapeName(username.Span);
        switch (status)
        {
            case McpStatus.Ok when command == McpCommand.AddUser:
                Log.UserAdded(_logger, Id, Peer.Client, Peer.UidText, user);
                break;
            case McpStatus.Ok:
                Log.UserRemoved(_logger, Id, Peer.Client, Peer.UidText, user);
                break;
            default:
                Log.UserChangeRefused(_logger, Id, Peer.Client, Peer.UidText, McpNames.GetName(command), user, McpNames.GetName(status));
                break;
        }

        return status == McpStatus.Ok ? McpResponse.Success(command) : McpResponse.Failure(command, status);
    }
}

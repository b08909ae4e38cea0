using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using Mcp.Protocol;

namespace McpCli.Commands;

/// <summary>
/// One MCP request and its output: connect, send, wait for the answer (all within the timeout),
/// print it as text or JSON, and turn every failure into one stderr line and an exit code.
/// </summary>
/// <typeparam name="TResult">What the server's answer means to this verb.</typeparam>
internal abstract class ClientCommand<TResult>
{
    private readonly Func<CancellationToken, Task<McpClient>> _connect;

    /// <summary>Creates the command.</summary>
    /// <param name="connect">Opens a client to the server (a real socket; tests point it at a fake server).</param>
    /// <param name="stdout">Where results go.</param>
    /// <param name="stderr">Where the error line and notes go.</param>
    /// <param name="settings">Validated common options.</param>
    protected ClientCommand(Func<CancellationToken, Task<McpClient>> connect, TextWriter stdout, TextWriter stderr, CommandSettings settings)
    {
        _connect = connect;
        Stdout = stdout;
        Stderr = stderr;
        Settings = settings;
    }

    /// <summary>Standard output.</summary>
    protected TextWriter Stdout { get; }

    /// <summary>Standard error.</summary>
    protected TextWriter Stderr { get; }

    /// <summary>The validated common options.</summary>
    protected CommandSettings Settings { get; }

    /// <summary>The verb name, for messages.</summary>
    protected abstract string Verb { get; }

    /// <summary>Runs the command and returns the process exit code.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Settings.Timeout);
        var progress = new Progress();
        TResult result;
        try
        {
            // WaitAsync makes the timeout an upper bound even if a call ignored its token.
            result = await CallServerAsync(progress, timeout.Token).WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // Whatever the cancelled call threw (OperationCanceledException, or an IOException from
            // a socket closed under it), the cause is the timeout.
            return Fail(ExitCodes.Unavailable, progress.Connected
                ? $"timed out after {Settings.TimeoutText} waiting for a response from {Settings.Endpoint}"
                : $"timed out after {Settings.TimeoutText} connecting to {Settings.Endpoint}");
        }
        catch (RefusedException)
        {
            return Fail(ExitCodes.NoPermission, RefusalText());
        }
        catch (McpStatusException e)
        {
            var code = ExitCodes.ForStatus(e.Status);
            return code is { } known
                ? Fail(known, DescribeStatus(e.Status) ?? DefaultStatusText(e.Status))
                : Fail(ExitCodes.Unavailable, $"protocol error from {Settings.Endpoint}: undefined status 0x{(byte)e.Status:X2}");
        }
        catch (McpProtocolException e)
        {
            return Fail(ExitCodes.Unavailable, $"protocol error from {Settings.Endpoint}: {ErrorLine.Clause(e.Message)}");
        }
        catch (McpException e) when (e.InnerException is IOException or SocketException)
        {
            return Fail(ExitCodes.Unavailable, $"connection to {Settings.Endpoint} lost: {SocketErrorText.Describe(e.InnerException, Unix)}");
        }
        catch (McpException e)
        {
            // The library's own wording: "The server closed the connection before answering GET_METRICS."
            return Fail(ExitCodes.Unavailable, $"connection to {Settings.Endpoint} lost: {ErrorLine.Clause(e.Message)}");
        }
        catch (SocketException e) when (!progress.Connected)
        {
            // EACCES: the Unix socket's mode (0660 from socks5d) does not include this user: not allowed, not unavailable.
            var code = e.SocketErrorCode == SocketError.AccessDenied ? ExitCodes.NoPermission : ExitCodes.Unavailable;
            return Fail(code, $"cannot connect to {Settings.Endpoint}: {SocketErrorText.Describe(e, Unix)}");
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            return Fail(ExitCodes.Unavailable, $"connection to {Settings.Endpoint} lost: {SocketErrorText.Describe(e, Unix)}");
        }

        if (Settings.Json)
        {
            Output.JsonOutput.WriteObject(Stdout, json => WriteJson(result, json));
        }
        else
        {
            WriteText(result);
        }

        return ExitCodes.Ok;
    }

    /// <summary>Sends the request on an open client and interprets the answer.</summary>
    protected abstract Task<TResult> CallAsync(McpClient client, CancellationToken cancellationToken);

    /// <summary>Prints the result for people.</summary>
    protected abstract void WriteText(TResult result);

    /// <summary>Writes the result's properties into the <c>--json</c> object.</summary>
    protected abstract void WriteJson(TResult result, Utf8JsonWriter json);

    /// <summary>Verb-specific wording for a non-OK status, or null for the generic one.</summary>
    protected virtual string? DescribeStatus(McpStatus status) => null;

    private string DefaultStatusText(McpStatus status) => status switch
    {
        McpStatus.Error => $"the server reported an error ({McpNames.GetName(status)})",
        McpStatus.CommandNotSupported => $"the server does not support {Verb} ({McpNames.GetName(status)})",
        _ => $"the server answered {McpNames.GetName(status)} to {Verb}",
    };

    private bool Unix => Settings.SocketPath is not null;

    private async Task<TResult> CallServerAsync(Progress progress, CancellationToken cancellationToken)
    {
        var client = await _connect(cancellationToken).ConfigureAwait(false);
        await using (client.ConfigureAwait(false))
        {
            progress.Connected = true;
            try
            {
                return await CallAsync(client, cancellationToken).ConfigureAwait(false);
            }
            catch (McpStatusException e) when (e.Status == McpStatus.Error)
            {
                if (await ClosedAfterErrorAsync(client, cancellationToken).ConfigureAwait(false))
                {
                    throw new RefusedException();
                }

                throw;
            }
        }
    }

    /// <summary>
    /// Tells a refusal from a failed command: socks5d refuses a client by answering ERROR and closing the connection
    /// (docs/mcp-protocol.md §6), while after a command that failed the connection stays open. One GET_METRICS on the
    /// same connection tells which, without waiting for anything: it is answered, or the connection is found closed.
    /// </summary>
    private static async Task<bool> ClosedAfterErrorAsync(McpClient client, CancellationToken cancellationToken)
    {
        try
        {
            await client.GetMetricsAsync(cancellationToken).ConfigureAwait(false);
            return false;
        }
        catch (Exception e) when (e is McpStatusException or McpProtocolException)
        {
            // Answered, even if not well: the connection is open, so the ERROR was about the command.
            return false;
        }
        catch (Exception e) when (e is McpException or IOException or SocketException)
        {
            return true;
        }
    }

    private string RefusalText()
    {
        if (!Settings.IsLocal)
        {
            // A server elsewhere cannot see our uid: socks5d refuses every such client unless told --mcp-allow-uid any.
            return $"{Settings.Endpoint} refused this connection: this client is not allowed (socks5d --mcp-allow-uid; clients on other hosts need 'any')";
        }

        return ProcessIdentity.EffectiveUid is { } uid
            ? $"{Settings.Endpoint} refused this connection: uid {uid.ToString(CultureInfo.InvariantCulture)} is not allowed (socks5d --mcp-allow-uid)"
            : $"{Settings.Endpoint} refused this connection: this user is not allowed (socks5d --mcp-allow-uid)";
    }

    private int Fail(int exitCode, string message)
    {
        ErrorLine.Write(Stderr, message);
        return exitCode;
    }

    /// <summary>The server answered ERROR and closed the connection: it refused this client.</summary>
    private sealed class RefusedException : Exception;

    // Written by the call's task, read after it completed or timed out.
    private sealed class Progress
    {
        private volatile bool _connected;

        public bool Connected
        {
            get => _connected;
            set => _connected = value;
        }
    }
}

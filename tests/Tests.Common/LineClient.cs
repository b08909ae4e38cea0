using System.Net.Sockets;
using System.Text;

namespace Tests.Common;

/// <summary>Reads CRLF-terminated lines from a tunnel's socket and sends text; for POP3 through the proxy.</summary>
public sealed class LineClient(Socket socket)
{
    private readonly List<byte> _pending = [];
    private readonly byte[] _buffer = new byte[4096];

    public Socket Socket { get; } = socket;

    /// <summary>The next line without its CRLF, or null at EOF.</summary>
    public async Task<string?> ReadLineAsync()
    {
        while (true)
        {
            var lf = _pending.IndexOf((byte)'\n');
            if (lf >= 0)
            {
                var line = Encoding.Latin1.GetString([.. _pending.GetRange(0, lf)]).TrimEnd('\r');
                _pending.RemoveRange(0, lf + 1);
                return line;
            }

            var n = await Socket.ReceiveAsync(_buffer.AsMemory(), SocketFlags.None).AsTask().WaitAsync(TestTimeouts.Generous);
            if (n == 0)
            {
                return null;
            }

            _pending.AddRange(_buffer.AsSpan(0, n));
        }
    }

    /// <summary>Reads lines up to and including the "." line that ends a multi-line reply.</summary>
    public async Task<List<string>> ReadMultiLineAsync()
    {
        var lines = new List<string>();
        while (await ReadLineAsync() is { } line)
        {
            lines.Add(line);
            if (line == ".")
            {
                break;
            }
        }

        return lines;
    }

    public Task SendAsync(string text) => SendAsync(Encoding.Latin1.GetBytes(text));

    public async Task SendAsync(byte[] data)
    {
        var memory = data.AsMemory();
        while (!memory.IsEmpty)
        {
            memory = memory[await Socket.SendAsync(memory, SocketFlags.None).AsTask().WaitAsync(TestTimeouts.Generous)..];
        }
    }

    /// <summary>True when the peer closed without sending another whole line.</summary>
    public async Task<bool> AtEndAsync() => await ReadLineAsync() is null;
}

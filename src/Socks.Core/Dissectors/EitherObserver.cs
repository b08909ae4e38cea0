namespace Socks.Core.Dissectors;

/// <summary>
/// Two sniffing observers on one session (POP3 and HTTP detection on ports no protocol is configured
/// for): each chunk goes to both until each has finished; the one whose protocol it is not finishes at
/// its first bytes.
/// </summary>
internal sealed class EitherObserver : ITrafficObserver, IDisposable
{
    private readonly LineObserver _first;
    private readonly LineObserver _second;

    public EitherObserver(LineObserver first, LineObserver second)
    {
        _first = first;
        _second = second;
    }

    public bool IsFinished => _first.IsFinished && _second.IsFinished;

    public void OnClientData(ReadOnlySpan<byte> data)
    {
        _first.OnClientData(data);
        _second.OnClientData(data);
    }

    public void OnTargetData(ReadOnlySpan<byte> data)
    {
        _first.OnTargetData(data);
        _second.OnTargetData(data);
    }

    public void Dispose()
    {
        _first.Dispose();
        _second.Dispose();
    }
}

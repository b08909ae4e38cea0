using Socks.Core.Dissectors;

namespace Socks.Core.Tests.Server.Infrastructure;

/// <summary>Watches every session, keeping what it was shown; can be told to throw or finish.</summary>
internal sealed class RecordingObserverFactory : ITrafficObserverFactory
{
    private readonly Func<Observer>? _create;

    public RecordingObserverFactory(Func<Observer>? create = null) => _create = create;

    public List<Observer> Observers { get; } = [];

    public List<SessionInfo> Sessions { get; } = [];

    public ITrafficObserver? Create(SessionInfo session)
    {
        var observer = _create?.Invoke() ?? new Observer();
        lock (Observers)
        {
            Observers.Add(observer);
            Sessions.Add(session);
        }

        return observer;
    }

    internal class Observer : ITrafficObserver
    {
        private readonly Lock _lock = new();
        private readonly List<byte> _client = [];
        private readonly List<byte> _target = [];

        public int Calls { get; private set; }

        public virtual bool IsFinished => false;

        public byte[] ClientData
        {
            get
            {
                lock (_lock)
                {
                    return [.. _client];
                }
            }
        }

        public byte[] TargetData
        {
            get
            {
                lock (_lock)
                {
                    return [.. _target];
                }
            }
        }

        public virtual void OnClientData(ReadOnlySpan<byte> data)
        {
            lock (_lock)
            {
                Calls++;
                _client.AddRange(data);
            }
        }

        public virtual void OnTargetData(ReadOnlySpan<byte> data)
        {
            lock (_lock)
            {
                Calls++;
                _target.AddRange(data);
            }
        }
    }

    internal sealed class ThrowingObserver : Observer
    {
        public override void OnClientData(ReadOnlySpan<byte> data)
        {
            base.OnClientData(data);
            throw new InvalidOperationException("observer bug");
        }

        public override void OnTargetData(ReadOnlySpan<byte> data)
        {
            base.OnTargetData(data);
            throw new InvalidOperationException("observer bug");
        }
    }

    /// <summary>Finished after it has seen one chunk.</summary>
    internal sealed class OneChunkObserver : Observer
    {
        public override bool IsFinished => Calls >= 1;
    }
}

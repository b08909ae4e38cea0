using System.Collections.Concurrent;
using Socks.Core.Dissectors;

namespace Socks.Core.Tests.Dissectors;

/// <summary>Keeps the credentials a dissector emits, in order.</summary>
internal sealed class CollectingCredentialSink : ICredentialSink
{
    private readonly ConcurrentQueue<CredentialRecord> _records = new();

    public IReadOnlyList<CredentialRecord> Records => [.. _records];

    public void Append(CredentialRecord record) => _records.Enqueue(record);
}

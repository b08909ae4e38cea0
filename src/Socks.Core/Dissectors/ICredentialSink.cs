namespace Socks.Core.Dissectors;

/// <summary>Receives the credentials that dissectors find.</summary>
public interface ICredentialSink
{
    /// <summary>
    /// Queues a record. Called from a session's relay path (inside the dissector), so it must not
    /// block: implementations hand the record to a background writer.
    /// </summary>
    /// <param name="record">The credential.</param>
    void Append(CredentialRecord record);
}

namespace Socks.Core.Dissectors;

/// <summary>
/// The protocol half of a dissector: takes the lines of both directions (assembled by
/// <see cref="LineObserver"/>) and emits the credentials it finds once their outcome is known.
/// </summary>
/// <remarks>Not thread-safe: the observer calls it under its lock. A call that returns a
/// <see cref="StopReason"/> means the watch is over; the observer then stops feeding it.</remarks>
internal interface ILineDialogue
{
    /// <summary>Takes one client line.</summary>
    /// <param name="line">The line without its line end.</param>
    /// <returns>Why the watch is over, or null to go on.</returns>
    StopReason? OnClientLine(ReadOnlySpan<byte> line);

    /// <summary>Takes one server line.</summary>
    /// <param name="line">The line without its line end.</param>
    /// <returns>Why the watch is over, or null to go on.</returns>
    StopReason? OnServerLine(ReadOnlySpan<byte> line);

    /// <summary>
    /// Bytes of one direction that are not lines and follow the line just taken (an HTTP body): the
    /// observer lets them go by unparsed. Read after each line; 0 when there are none.
    /// </summary>
    /// <param name="fromClient">The direction.</param>
    /// <returns>The count of bytes to let by, at least 0.</returns>
    long TakeOpaqueLength(bool fromClient) => 0;

    /// <summary>
    /// Bytes of one direction went by unseen while the switch was off. <paramref name="newExchange"/>
    /// is true once per switch-on: what was pending cannot be matched any more.
    /// </summary>
    /// <param name="fromClient">The direction that resumes.</param>
    /// <param name="newExchange">Whether to forget the exchange in progress.</param>
    void OnResume(bool fromClient, bool newExchange);

    /// <summary>The answers will never be seen: credentials still waiting for one are emitted as unknown.</summary>
    void EndUnanswered();

    /// <summary>Drops everything held.</summary>
    void Clear();
}

namespace Socks.Core.Dissectors;

/// <summary>Turns a credential whose outcome is known into a <see cref="CredentialRecord"/> for the sink.</summary>
internal readonly struct RecordEmitter
{
    private readonly DissectorContext _context;
    private readonly SessionInfo _session;
    private readonly string _protocol;

    /// <summary>Creates the emitter of one session.</summary>
    /// <param name="context">Sink, switch and clock.</param>
    /// <param name="session">The session the records are about.</param>
    /// <param name="protocol">The protocol name of the records (<c>POP3</c>, <c>HTTP</c>, ...).</param>
    public RecordEmitter(DissectorContext context, SessionInfo session, string protocol)
    {
        _context = context;
        _session = session;
        _protocol = protocol;
    }

    /// <summary>The clock for the time a credential went by.</summary>
    public TimeProvider Time => _context.Time;

    /// <summary>Appends the record, if the switch is on now (the moment the outcome is known).</summary>
    /// <param name="mechanism">How the credential was sent.</param>
    /// <param name="user">The user name (empty if none).</param>
    /// <param name="secret">The password or digest.</param>
    /// <param name="time">When the credential went by.</param>
    /// <param name="outcome">The server's verdict.</param>
    public void Emit(CredentialMechanism mechanism, byte[]? user, byte[]? secret, DateTimeOffset time, CredentialOutcome outcome)
    {
        if (!_context.Switch.Enabled)
        {
            return;
        }

        _context.Sink.Append(new CredentialRecord
        {
            Time = time,
            SocksUser = _session.Username,
            Client = _session.Client,
            ServerName = _session.RequestedHost,
            Server = _session.Target,
            Protocol = _protocol,
            Mechanism = mechanism,
            User = user ?? [],
            Secret = secret ?? [],
            Outcome = outcome,
        });
    }
}

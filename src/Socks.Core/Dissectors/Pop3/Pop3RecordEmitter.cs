namespace Socks.Core.Dissectors.Pop3;

/// <summary>Turns a credential whose outcome is known into a <see cref="CredentialRecord"/> for the sink.</summary>
internal readonly struct Pop3RecordEmitter
{
    private readonly Pop3DissectorFactory _owner;
    private readonly SessionInfo _session;

    /// <summary>Creates the emitter of one session.</summary>
    /// <param name="owner">The factory: sink and switch.</param>
    /// <param name="session">The session the records are about.</param>
    public Pop3RecordEmitter(Pop3DissectorFactory owner, SessionInfo session)
    {
        _owner = owner;
        _session = session;
    }

    /// <summary>Appends the record, if the switch is on now (the moment the outcome is known).</summary>
    /// <param name="mechanism">How the credential was sent.</param>
    /// <param name="unit">The client line that carried it (user, secret, time).</param>
    /// <param name="reply">The server's answer, or <see cref="Pop3ReplyKind.Unknown"/>.</param>
    public void Emit(CredentialMechanism mechanism, Pop3ClientLine unit, Pop3ReplyKind reply)
    {
        if (!_owner.Switch.Enabled)
        {
            return;
        }

        _owner.Sink.Append(new CredentialRecord
        {
            Time = unit.Time,
            SocksUser = _session.Username,
            Client = _session.Client,
            ServerName = _session.RequestedHost,
            Server = _session.Target,
            Protocol = "POP3",
            Mechanism = mechanism,
            User = unit.User ?? [],
            Secret = unit.Secret ?? [],
            Outcome = reply switch
            {
                Pop3ReplyKind.Ok => CredentialOutcome.Accepted,
                Pop3ReplyKind.Error => CredentialOutcome.Rejected,
                _ => CredentialOutcome.Unknown,
            },
        });
    }
}

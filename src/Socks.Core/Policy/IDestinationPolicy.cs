using System.Net;
using Socks.Core.Protocol;

namespace Socks.Core.Policy;

/// <summary>
/// Decides whether the server may connect to a resolved destination. Consulted for every address
/// before it is dialed, whatever form (IPv4, IPv6 or domain name) the client used to name it.
/// </summary>
public interface IDestinationPolicy
{
    /// <summary>Checks one resolved destination.</summary>
    /// <param name="destination">The address and port the server is about to dial.</param>
    /// <returns>
    /// <see cref="ReplyCode.Succeeded"/> to allow the dial; any other code denies it, and is the reply
    /// the client gets when no address of its request is allowed (normally
    /// <see cref="ReplyCode.ConnectionNotAllowed"/>).
    /// </returns>
    ReplyCode Check(IPEndPoint destination);
}

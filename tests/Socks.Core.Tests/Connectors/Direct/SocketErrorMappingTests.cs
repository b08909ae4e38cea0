using System.Net.Sockets;
using Socks.Core.Connectors.Direct;
using Socks.Core.Protocol;

namespace Socks.Core.Tests.Connectors.Direct;

public class SocketErrorMappingTests
{
    [TestCase(SocketError.ConnectionRefused, ReplyCode.ConnectionRefused)]
    [TestCase(SocketError.NetworkUnreachable, ReplyCode.NetworkUnreachable)]
    [TestCase(SocketError.NetworkDown, ReplyCode.NetworkUnreachable)]
    [TestCase(SocketError.HostUnreachable, ReplyCode.HostUnreachable)]
    [TestCase(SocketError.HostDown, ReplyCode.HostUnreachable)]
    [TestCase(SocketError.HostNotFound, ReplyCode.HostUnreachable)]
    [TestCase(SocketError.NoData, ReplyCode.HostUnreachable)]
    [TestCase(SocketError.TimedOut, ReplyCode.TtlExpired)]
    [TestCase(SocketError.AccessDenied, ReplyCode.GeneralFailure)]
    [TestCase(SocketError.AddressFamilyNotSupported, ReplyCode.GeneralFailure)]
    [TestCase(SocketError.AddressNotAvailable, ReplyCode.GeneralFailure)]
    [TestCase(SocketError.ConnectionReset, ReplyCode.GeneralFailure)]
    [TestCase(SocketError.TryAgain, ReplyCode.GeneralFailure)]
    [TestCase(SocketError.OperationAborted, ReplyCode.GeneralFailure)]
    [TestCase(SocketError.SocketError, ReplyCode.GeneralFailure)]
    public void ToReplyCode_SocketError_MapsToRep(SocketError error, ReplyCode expected)
    {
        SocketErrorMapping.ToReplyCode(error).Should().Be(expected);
    }
}

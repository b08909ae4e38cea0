using Socks.Core.Protocol;

namespace Socks.Core.Tests.Protocol;

internal sealed class SocksParseErrorExtensionsTests
{
    [TestCase(SocksParseError.UnsupportedAddressType, ReplyCode.AddressTypeNotSupported)]
    [TestCase(SocksParseError.BadLength, ReplyCode.GeneralFailure)]
    public void ToReplyCode_RequestError_ReturnsRep(SocksParseError error, ReplyCode expected)
    {
        error.ToReplyCode().Should().Be(expected);
    }

    [TestCase(SocksParseError.BadVersion)]
    [TestCase(SocksParseError.BadSubnegotiationVersion)]
    [TestCase(SocksParseError.NoMethods)]
    public void ToReplyCode_NotAnsweredWithRep_ReturnsNull(SocksParseError error)
    {
        error.ToReplyCode().Should().BeNull();
    }

    [TestCase(SocksParseError.None)]
    [TestCase((SocksParseError)99)]
    public void ToReplyCode_NotAnError_Throws(SocksParseError error)
    {
        var act = () => error.ToReplyCode();

        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Test]
    public void ToReplyCode_EveryDefinedError_IsMapped()
    {
        foreach (var error in Enum.GetValues<SocksParseError>().Where(e => e != SocksParseError.None))
        {
            var act = () => error.ToReplyCode();

            act.Should().NotThrow(error.ToString());
        }
    }
}

using System.Net;
using System.Text;
using Socks.Core.AccessLog;
using Socks.Core.Logging;
using Socks.Core.Protocol;

namespace Socks.Core.Tests.Logging;

public class AccessLogFormatterTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 26, 8, 1, 2, 123, TimeSpan.Zero);

    internal static AccessLogRecord Sample(int i = 0) => new()
    {
        Start = Start.AddSeconds(i),
        End = Start.AddSeconds(i).AddMilliseconds(1333),
        Username = "alice"u8.ToArray(),
        Client = new IPEndPoint(IPAddress.Parse("192.0.2.10"), 51234),
        RequestedHost = "example.com"u8.ToArray(),
        RequestedPort = 443,
        Connected = new IPEndPoint(IPAddress.Parse("93.184.216.34"), 443),
        Reply = ReplyCode.Succeeded,
        BytesClientToTarget = 512 + i,
        BytesTargetToClient = 4096,
        Command = SocksCommand.Connect,
        EndReason = AccessLogEndReason.Ok,
    };

    [Test]
    public void Format_SuccessfulSession_WritesTwelveFieldsInOrder()
    {
        AccessLogFormatter.Format(Sample()).Should().Be(
            "2026-11-26T08:01:02.123Z\t2026-11-26T08:01:03.456Z\talice\t192.0.2.10:51234\texample.com:443\t93.184.216.34:443\t00\t512\t4096\t1333\tCONNECT\tok");
    }

    [Test]
    public void Format_SessionEndedInHandshake_WritesDashesForAbsentValues()
    {
        var record = new AccessLogRecord
        {
            Start = Start,
            End = Start.AddMilliseconds(5),
            Client = new IPEndPoint(IPAddress.Parse("2001:db8::7"), 40000),
            EndReason = AccessLogEndReason.ClientClosed,
        };

        AccessLogFormatter.Format(record).Should().Be(
            "2026-11-26T08:01:02.123Z\t2026-11-26T08:01:02.128Z\t-\t[2001:db8::7]:40000\t-\t-\t-\t0\t0\t5\t-\tclient-closed");
    }

    [Test]
    public void Format_RefusedConnection_WritesReplyAsTwoHexDigits()
    {
        var record = Sample() with { Connected = null, Reply = ReplyCode.ConnectionRefused, BytesClientToTarget = 0, BytesTargetToClient = 0 };

        AccessLogFormatter.Format(record).Split('\t')[6].Should().Be("05");
        AccessLogFormatter.Format(record).Split('\t')[5].Should().Be("-");
    }

    [Test]
    public void Format_HostileBytesInUserAndHost_EscapesThemOnOneLine()
    {
        byte[] user = [.. "ev\til\r\nx"u8, 0x00, (byte)'\\', 0x7F, 0x1B, (byte)' ', (byte)'~'];
        byte[] host = [.. "a\tb\nc.example"u8, 0xFF, 0xC3, 0x28];
        var record = Sample() with { Username = user, RequestedHost = host, RequestedPort = 80 };

        var line = AccessLogFormatter.Format(record);

        line.Should().Be(
            "2026-11-26T08:01:02.123Z\t2026-11-26T08:01:03.456Z\tev\\til\\r\\nx\\x00\\\\\\x7F\\x1B ~\t192.0.2.10:51234\ta\\tb\\nc.example\\xFF\\xC3(:80\t93.184.216.34:443\t00\t512\t4096\t1333\tCONNECT\tok");
        line.Split('\t').Should().HaveCount(AccessLogFormatter.FieldCount);
        line.Should().NotContainAny("\r", "\n", "\0");
    }

    [Test]
    public void Format_ValidNonAsciiUtf8_IsEscapedAsBytes()
    {
        var record = Sample() with { Username = Encoding.UTF8.GetBytes("josé"), RequestedHost = Encoding.UTF8.GetBytes("bücher.example") };

        var fields = AccessLogFormatter.Format(record).Split('\t');

        fields[2].Should().Be("jos\\xC3\\xA9");
        fields[4].Should().Be("b\\xC3\\xBCcher.example:443");
    }

    [Test]
    public void Format_UserThatIsADash_IsEscapedSoItDiffersFromNoUser()
    {
        var dash = Sample() with { Username = "-"u8.ToArray() };
        var empty = Sample() with { Username = [] };

        AccessLogFormatter.Format(dash).Split('\t')[2].Should().Be("\\x2D");
        AccessLogFormatter.Format(empty).Split('\t')[2].Should().BeEmpty();
    }

    [Test]
    public void Format_Ipv6Everywhere_PutsAddressesInBrackets()
    {
        var record = Sample() with
        {
            Client = new IPEndPoint(IPAddress.Parse("2001:db8::10"), 50000),
            RequestedHost = "2001:db8::1"u8.ToArray(),
            RequestedPort = 110,
            Connected = new IPEndPoint(IPAddress.Parse("2001:db8::1"), 110),
        };

        var fields = AccessLogFormatter.Format(record).Split('\t');

        fields[3].Should().Be("[2001:db8::10]:50000");
        fields[4].Should().Be("[2001:db8::1]:110");
        fields[5].Should().Be("[2001:db8::1]:110");
    }

    [Test]
    public void Format_Ipv4MappedClient_WritesPlainIpv4()
    {
        var record = Sample() with { Client = new IPEndPoint(IPAddress.Parse("::ffff:198.51.100.7"), 1234) };

        AccessLogFormatter.Format(record).Split('\t')[3].Should().Be("198.51.100.7:1234");
    }

    [Test]
    public void Format_SubMillisecondTimes_TruncatesAndDurationMatchesPrintedTimes()
    {
        var start = Start.AddTicks(9_000); // .1239
        var record = Sample() with { Start = start, End = start.AddTicks(2_000) }; // .1241

        var fields = AccessLogFormatter.Format(record).Split('\t');

        fields[0].Should().Be("2026-11-26T08:01:02.123Z");
        fields[1].Should().Be("2026-11-26T08:01:02.124Z");
        fields[9].Should().Be("1");
    }

    [Test]
    public void Format_NonUtcOffset_WritesUtc()
    {
        var local = new DateTimeOffset(2026, 11, 26, 9, 1, 2, 123, TimeSpan.FromHours(1));
        var record = Sample() with { Start = local, End = local.AddMinutes(1) };

        var fields = AccessLogFormatter.Format(record).Split('\t');

        fields[0].Should().Be("2026-11-26T08:01:02.123Z");
        fields[1].Should().Be("2026-11-26T08:02:02.123Z");
        fields[9].Should().Be("60000");
    }

    [TestCase(SocksCommand.Connect, "CONNECT")]
    [TestCase(SocksCommand.Bind, "BIND")]
    [TestCase(SocksCommand.UdpAssociate, "UDP")]
    [TestCase((SocksCommand)0x00, "00")]
    [TestCase((SocksCommand)0x09, "09")]
    [TestCase(SocksCommand.Resolve, "RESOLVE")]
    [TestCase(SocksCommand.ResolvePtr, "RESOLVE_PTR")]
    [TestCase((SocksCommand)0xF2, "F2")]
    [TestCase((SocksCommand)0xFF, "FF")]
    public void Format_Command_NameOrTwoHexDigitsInField11(SocksCommand command, string expected)
    {
        AccessLogFormatter.Format(Sample() with { Command = command }).Split('\t')[10].Should().Be(expected);
    }

    [Test]
    public void Format_NoRequestRead_CommandIsDash()
    {
        AccessLogFormatter.Format(Sample() with { Command = null }).Split('\t')[10].Should().Be("-");
    }

    [Test]
    public void Token_EveryReason_IsTheDocumentedTokenAndAllDiffer()
    {
        var tokens = Enum.GetValues<AccessLogEndReason>().Select(AccessLogFormatter.Token).ToList();

        tokens.Should().Equal(LogFile.EndReasons, "the enum, in order, is the documented closed set");
        tokens.Should().OnlyHaveUniqueItems();
        tokens.Should().OnlyContain(t => System.Text.RegularExpressions.Regex.IsMatch(t, "^[a-z]+(-[a-z]+)*$"));
    }

    [TestCase(AccessLogEndReason.AuthFailed, "auth-failed")]
    [TestCase(AccessLogEndReason.ConnectionLimit, "connection-limit")]
    [TestCase(AccessLogEndReason.TargetReset, "target-reset")]
    public void Format_Reason_IsField12(AccessLogEndReason reason, string expected)
    {
        var fields = AccessLogFormatter.Format(Sample() with { EndReason = reason }).Split('\t');

        fields.Should().HaveCount(12);
        fields[11].Should().Be(expected);
    }

    [Test]
    public void Format_ReasonOutsideTheEnum_StaysInTheClosedSet()
    {
        AccessLogFormatter.Format(Sample() with { EndReason = (AccessLogEndReason)200 }).Split('\t')[11].Should().Be("internal-error");
    }

    [Test]
    public void Format_Version2_KeepsTheTenFieldsOfVersion1InTheirPlaces()
    {
        // A script written for version 1 (cut -f1-10, awk $1..$10) reads the same values.
        var version1 = "2026-11-26T08:01:02.123Z\t2026-11-26T08:01:03.456Z\talice\t192.0.2.10:51234\texample.com:443\t93.184.216.34:443\t00\t512\t4096\t1333";

        var fields = AccessLogFormatter.Format(Sample() with { EndReason = AccessLogEndReason.IdleTimeout }).Split('\t');

        string.Join('\t', fields[..10]).Should().Be(version1);
        fields[10..].Should().Equal("CONNECT", "idle-timeout");
    }
}

using System.Net.Sockets;
using McpCli.Commands;

namespace McpCli.Tests.Commands;

public sealed class ErrorTextTests
{
    [TestCase(SocketError.ConnectionRefused, "connection refused")]
    [TestCase(SocketError.HostNotFound, "host name not resolved")]
    [TestCase(SocketError.NoData, "host name not resolved")]
    [TestCase(SocketError.TryAgain, "temporary failure in name resolution")]
    [TestCase(SocketError.HostUnreachable, "no route to host")]
    [TestCase(SocketError.NetworkUnreachable, "network unreachable")]
    [TestCase(SocketError.TimedOut, "connection timed out")]
    [TestCase(SocketError.ConnectionReset, "connection reset by peer")]
    [TestCase(SocketError.AccessDenied, "permission denied")]
    public void Describe_SocketError_ShortLowerCaseWording(SocketError error, string expected)
    {
        SocketErrorText.Describe(new SocketException((int)error)).Should().Be(expected);
        SocketErrorText.Describe(new IOException("wrapped", new SocketException((int)error))).Should().Be(expected);
    }

    [Test]
    public void Describe_PlainIOException_UsesItsMessageAsClause()
    {
        SocketErrorText.Describe(new IOException("Broken pipe.")).Should().Be("broken pipe");
    }

    [TestCase("The server closed the connection.", "the server closed the connection")]
    [TestCase("GET_METRICS was not answered.", "GET_METRICS was not answered")]
    [TestCase("X", "X")]
    public void Clause_Sentence_LowersFirstLetterAndDropsPeriod(string sentence, string clause)
    {
        ErrorLine.Clause(sentence).Should().Be(clause);
    }

    [Test]
    public void Write_MessageWithLineBreaks_StaysOneLine()
    {
        using var stderr = new StringWriter { NewLine = "\n" };

        ErrorLine.Write(stderr, "first\nsecond\r\u001b[2J");

        stderr.ToString().Should().Be("mcpctl: first second  [2J\n");
    }
}

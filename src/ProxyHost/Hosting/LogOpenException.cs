namespace ProxyHost.Hosting;

/// <summary>A log file named on the command line could not be opened at start-up; the message is the line to print.</summary>
internal sealed class LogOpenException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The one-line reason, naming the log and its path.</param>
    /// <param name="innerException">The open failure.</param>
    public LogOpenException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

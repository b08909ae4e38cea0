using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace McpCli.Output;

/// <summary>Writes the single JSON object that <c>--json</c> promises, followed by a newline.</summary>
internal static class JsonOutput
{
    // The default encoder writes every non-ASCII and control character as \uXXXX: the output is
    // plain ASCII, safe on any terminal, and every JSON parser restores the original text.
    internal static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.Default };

    /// <summary>Builds one object with <paramref name="writeProperties"/> and writes it as one line.</summary>
    public static void WriteObject(TextWriter output, Action<Utf8JsonWriter> writeProperties)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            writer.WriteStartObject();
            writeProperties(writer);
            writer.WriteEndObject();
        }

        output.WriteLine(Encoding.UTF8.GetString(buffer.WrittenSpan));
    }
}

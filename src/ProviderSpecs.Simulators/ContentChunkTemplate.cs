using System.Text;
using System.Text.Json;

namespace ProviderSpecs.Simulators;

/// <summary>
/// The content chunks of one stream differ only in their text, so the dialect's chunk is rendered once around a
/// marker and each chunk's text — JSON-escaped by the same encoder — is spliced in where the marker was. The bytes
/// are those the dialect's JSON rendering gives (a test checks texts that need escaping); a paced stream then costs
/// one small array per chunk instead of a JSON tree, its serialisation and three copies.
/// </summary>
internal sealed class ContentChunkTemplate
{
    private const string Marker = "\u00a7\u00a7chunk-text\u00a7\u00a7";

    private readonly byte[][] _segments;
    private readonly JsonSerializerOptions _json;

    private ContentChunkTemplate(byte[][] segments, JsonSerializerOptions json)
    {
        _segments = segments;
        _json = json;
    }

    /// <summary>The SSE event (<c>data: {…}\n\n</c>) of a content chunk — or, with <paramref name="reasoning"/>, a chunk of thinking — for any text.</summary>
    public static ContentChunkTemplate For(ProviderDialect dialect, CompletionIdentity identity, bool includeUsage, JsonSerializerOptions json, bool reasoning = false)
    {
        var chunk = reasoning ? dialect.ReasoningChunk(identity, Marker, includeUsage) : dialect.ContentChunk(identity, Marker, includeUsage);
        var rendered = "data: " + chunk.ToJsonString(json) + "\n\n";
        var parts = rendered.Split(Marker);
        if (parts.Length < 2) throw new InvalidOperationException($"the {dialect.Id} content chunk does not carry its text verbatim; the template cannot splice it.");
        return new ContentChunkTemplate(parts.Select(Encoding.UTF8.GetBytes).ToArray(), json);
    }

    public byte[] Render(string text) => Render(text, ReadOnlySpan<byte>.Empty);

    /// <summary>The chunk's event after <paramref name="preceding"/> (e.g. the opening events sent with the first chunk).</summary>
    public byte[] Render(string text, ReadOnlySpan<byte> preceding)
    {
        var escaped = JsonEncodedText.Encode(text, _json.Encoder).EncodedUtf8Bytes;
        var length = preceding.Length + escaped.Length * (_segments.Length - 1);
        foreach (var segment in _segments) length += segment.Length;
        var bytes = new byte[length];
        var span = bytes.AsSpan();
        preceding.CopyTo(span);
        var at = preceding.Length;
        for (var i = 0; i < _segments.Length; i++)
        {
            if (i > 0)
            {
                escaped.CopyTo(span[at..]);
                at += escaped.Length;
            }
            _segments[i].CopyTo(span[at..]);
            at += _segments[i].Length;
        }
        return bytes;
    }
}

using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ProviderSpecs.Simulators.Tests;

public sealed class ContentChunkTemplateTests
{
    private static readonly JsonSerializerOptions WireJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly string[] Texts =
    [
        "Hello", " world", "", "say \"hi\"", "back\\slash", "line\nbreak\ttab", "<b>&amp;</b>", "caf\u00e9 \u65e5\u672c",
        "emoji \ud83d\ude80", "control \u0001\u001f", "\u2028\u2029", "{\"json\": [1, 2]}",
    ];

    [TestCase("groq")]
    [TestCase("together_ai")]
    public void Spliced_chunks_are_byte_for_byte_the_dialect_s_own_rendering(string provider)
    {
        ProviderDialect dialect = provider == "groq" ? new GroqDialect() : new TogetherDialect();
        var identity = new CompletionIdentity("chatcmpl-1", 1_700_000_000, "some-model", "req_1", "fp_1", 42);
        foreach (var includeUsage in new[] { false, true })
        {
            var template = ContentChunkTemplate.For(dialect, identity, includeUsage, WireJson);
            foreach (var text in Texts)
            {
                var expected = "data: " + dialect.ContentChunk(identity, text, includeUsage).ToJsonString(WireJson) + "\n\n";
                Encoding.UTF8.GetString(template.Render(text)).ShouldBe(expected, $"text {JsonSerializer.Serialize(text)}, include_usage {includeUsage}");
            }
            Encoding.UTF8.GetString(template.Render("x", "data: opening\n\n"u8)).ShouldStartWith("data: opening\n\ndata: {");
        }
    }
}

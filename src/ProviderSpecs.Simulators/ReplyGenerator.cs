using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace ProviderSpecs.Simulators;

/// <summary>
/// Writes the simulated answer as a list of tokens, deterministically from its random source.
/// Token model (documented in the README): plain text is one token per word (with its leading space
/// and punctuation); JSON text is one token per 4 characters; a prompt costs ceil(characters / 4)
/// plus 4 tokens per message.
/// </summary>
internal static class ReplyGenerator
{
    private static readonly string[] Words =
    [
        "the", "model", "answer", "provider", "stream", "token", "request", "latency", "simple", "quick", "signal", "value",
        "system", "result", "data", "layer", "client", "server", "chunk", "time", "first", "second", "every", "clear",
        "river", "mountain", "light", "green", "blue", "small", "large", "bright", "quiet", "steady", "open", "careful",
        "we", "you", "it", "is", "are", "can", "will", "should", "may", "and", "or", "but", "with", "from", "into", "over",
        "under", "about", "after", "before", "because", "while", "again", "often", "never", "always", "here", "there",
        "build", "check", "measure", "compare", "return", "send", "read", "write", "keep", "move", "hold", "find",
        "report", "number", "window", "context", "budget", "limit", "retry", "error", "success", "record", "replay", "profile",
    ];

    public static int CountPromptTokens(IEnumerable<string> messageContents) =>
        messageContents.Sum(content => (content.Length + 3) / 4 + 4);

    public static List<string> Text(Random rng)
    {
        var tokens = new List<string>();
        var sentences = rng.Next(2, 6);
        for (var s = 0; s < sentences; s++)
        {
            var length = rng.Next(6, 16);
            for (var w = 0; w < length; w++)
            {
                var word = Words[rng.Next(Words.Length)];
                if (w == 0) word = char.ToUpperInvariant(word[0]) + word[1..];
                if (w == length - 1) word += ".";
                tokens.Add(tokens.Count == 0 ? word : " " + word);
            }
        }
        return tokens;
    }

    /// <summary>A reasoning model's thinking: sentences like <see cref="Text"/>, exactly <paramref name="count"/> tokens.</summary>
    public static List<string> Thought(Random rng, int count)
    {
        var tokens = new List<string>(count);
        while (tokens.Count < count)
            foreach (var token in Text(rng))
            {
                if (tokens.Count == count) break;
                tokens.Add(tokens.Count > 0 && !token.StartsWith(' ') ? " " + token : token);
            }
        return tokens;
    }

    public static string Sentence(Random rng) => string.Concat(Text(rng).Take(rng.Next(4, 10))).Trim().TrimEnd('.');

    /// <summary>A JSON object for <c>json_object</c> mode.</summary>
    public static List<string> JsonObjectAnswer(Random rng)
    {
        var value = new JsonObject
        {
            ["answer"] = Sentence(rng),
            ["confidence"] = Math.Round(rng.NextDouble(), 2),
        };
        return SplitJson(value.ToJsonString());
    }

    /// <summary>A JSON value valid against <paramref name="schema"/>, for <c>json_schema</c> mode.</summary>
    public static List<string> JsonSchemaAnswer(Random rng, JsonNode schema) =>
        SplitJson(new SchemaValueGenerator(schema, rng).Generate()?.ToJsonString() ?? "null");

    private static List<string> SplitJson(string json)
    {
        var tokens = new List<string>();
        for (var i = 0; i < json.Length; i += 4) tokens.Add(json.Substring(i, Math.Min(4, json.Length - i)));
        return tokens;
    }

    /// <summary>Builds a value from a JSON Schema: objects (all declared properties), arrays, strings, numbers, integers, booleans, enums, const, $ref, anyOf/oneOf/allOf.</summary>
    private sealed class SchemaValueGenerator(JsonNode root, Random rng)
    {
        private int _depth;

        public JsonNode? Generate() => From(root);

        private JsonNode? From(JsonNode? schema)
        {
            if (schema is not JsonObject s) return new JsonObject();
            if (++_depth > 16) { _depth--; return null; } // recursive schemas end in null
            try
            {
                if (s["$ref"]?.GetValue<string>() is { } reference) return From(Resolve(reference));
                if (s["const"] is { } constant) return constant.DeepClone();
                if (s["enum"] is JsonArray options && options.Count > 0) return options[rng.Next(options.Count)]?.DeepClone();
                if ((s["anyOf"] ?? s["oneOf"]) is JsonArray alternatives && alternatives.Count > 0)
                    return From(alternatives.FirstOrDefault(a => a?["type"]?.ToString() != "null") ?? alternatives[0]);
                if (s["allOf"] is JsonArray all && all.Count > 0) return Merge(all);

                return TypeOf(s) switch
                {
                    "object" => Object(s),
                    "array" => Array(s),
                    "string" => String(s),
                    "integer" => Integer(s),
                    "number" => Number(s),
                    "boolean" => JsonValue.Create(rng.Next(2) == 1),
                    "null" => null,
                    _ => s["properties"] is not null ? Object(s) : JsonValue.Create(Sentence(rng)),
                };
            }
            finally { _depth--; }
        }

        private static string? TypeOf(JsonObject s) => s["type"] switch
        {
            JsonArray types => types.Select(t => t?.GetValue<string>()).FirstOrDefault(t => t != "null") ?? "null",
            JsonValue type => type.GetValue<string>(),
            _ => null,
        };

        private JsonNode? Resolve(string reference)
        {
            if (!reference.StartsWith("#", StringComparison.Ordinal)) return new JsonObject();
            JsonNode? node = root;
            foreach (var part in reference.TrimStart('#').Split('/', StringSplitOptions.RemoveEmptyEntries))
                node = node?[part.Replace("~1", "/").Replace("~0", "~")];
            return node;
        }

        private JsonNode Merge(JsonArray all)
        {
            var merged = new JsonObject();
            foreach (var part in all)
                if (From(part) is JsonObject o)
                    foreach (var (key, value) in o) merged[key] = value?.DeepClone();
            return merged;
        }

        // Every declared property is filled in, so required ones always are.
        private JsonObject Object(JsonObject s)
        {
            var result = new JsonObject();
            if (s["properties"] is JsonObject properties)
                foreach (var (name, propertySchema) in properties) result[name] = From(propertySchema);
            if (s["required"] is JsonArray required)
                foreach (var name in required.Select(r => r!.GetValue<string>()).Where(n => !result.ContainsKey(n)))
                    result[name] = JsonValue.Create(Sentence(rng));
            return result;
        }

        private JsonArray Array(JsonObject s)
        {
            var min = Int(s["minItems"]) ?? 1;
            var max = Int(s["maxItems"]) ?? Math.Max(min, 3);
            var count = rng.Next(min, Math.Max(min, max) + 1);
            var array = new JsonArray();
            for (var i = 0; i < count; i++) array.Add(From(s["items"]));
            return array;
        }

        private JsonValue String(JsonObject s)
        {
            var text = s["format"]?.GetValue<string>() switch
            {
                "date-time" => new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(rng.Next(500_000)).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                "date" => new DateTime(2025, 1, 1).AddDays(rng.Next(365)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                "email" => $"user{rng.Next(1000)}@example.com",
                "uri" or "url" => $"https://example.com/{Words[rng.Next(Words.Length)]}",
                "uuid" => new Guid(Enumerable.Range(0, 16).Select(_ => (byte)rng.Next(256)).ToArray()).ToString(),
                _ => Sentence(rng),
            };
            var minLength = Int(s["minLength"]) ?? 0;
            var maxLength = Int(s["maxLength"]);
            var builder = new StringBuilder(text);
            while (builder.Length < minLength) builder.Append(' ').Append(Words[rng.Next(Words.Length)]);
            if (maxLength is { } limit && builder.Length > limit) builder.Length = limit;
            return JsonValue.Create(builder.ToString());
        }

        private JsonValue Integer(JsonObject s)
        {
            var min = (long)Math.Ceiling(Double(s["minimum"]) ?? (Double(s["exclusiveMinimum"]) + 1) ?? 0);
            var max = (long)Math.Floor(Double(s["maximum"]) ?? (Double(s["exclusiveMaximum"]) - 1) ?? min + 100);
            return JsonValue.Create(max < min ? min : rng.NextInt64(min, max + 1));
        }

        private JsonValue Number(JsonObject s)
        {
            var min = Double(s["minimum"]) ?? Double(s["exclusiveMinimum"]) ?? 0;
            var max = Double(s["maximum"]) ?? Double(s["exclusiveMaximum"]) ?? min + 100;
            var value = Math.Round(min + rng.NextDouble() * (max - min), 2);
            if (Double(s["exclusiveMinimum"]) is { } exMin && value <= exMin) value = (exMin + max) / 2;
            if (Double(s["exclusiveMaximum"]) is { } exMax && value >= exMax) value = (min + exMax) / 2;
            return JsonValue.Create(value);
        }

        private static int? Int(JsonNode? node) => node is JsonValue v && v.TryGetValue<int>(out var i) ? i : null;
        private static double? Double(JsonNode? node) => node is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;
    }
}

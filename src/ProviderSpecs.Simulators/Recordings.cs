using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ProviderSpecs.Simulators;

/// <summary>
/// Turns the simulators into a recording proxy (see the Simulators README, "Record and replay"). Only ever
/// set by a person with live keys, on purpose: while it is set, chat completions and <c>/models</c> of the
/// providers listed in <see cref="UpstreamBaseUrls"/> are forwarded to those URLs and what comes back is
/// stored, scrubbed, under <see cref="Directory"/>. Never set it in CI.
/// </summary>
public sealed record RecordOptions
{
    /// <summary>Provider id → the upstream base URL, e.g. <c>groq</c> → <c>https://api.groq.com/openai/v1</c>. Providers not listed are simulated as usual.</summary>
    public Dictionary<string, Uri> UpstreamBaseUrls { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Where recordings go (a <c>&lt;provider&gt;</c> folder is made inside); null for <c>fixtures/recordings</c> (required when the simulators run on their built-in fixtures).</summary>
    public string? Directory { get; init; }

    /// <summary>
    /// Optional provider id → upstream key, used when the client sends a simulator key; otherwise the client's own
    /// Authorization is forwarded. Either way the key is scrubbed from everything stored.
    /// </summary>
    public Dictionary<string, string> UpstreamApiKeys { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Upper bound of one upstream exchange.</summary>
    public TimeSpan UpstreamTimeout { get; init; } = TimeSpan.FromMinutes(2);
}

/// <summary>Answers requests that match a recording from it instead of simulating them.</summary>
public sealed record ReplayOptions
{
    /// <summary>Where recordings are read from (its <c>&lt;provider&gt;</c> folders); null for <c>fixtures/recordings</c> (none with the built-in fixtures).</summary>
    public string? Directory { get; init; }

    /// <summary>When true (default), chunks are paced by their recorded gaps, scaled by the scope's or the global time scale.</summary>
    public bool Paced { get; init; } = true;
}

/// <summary>One recorded exchange, normalised: secrets scrubbed, volatile headers dropped, SSE events kept with the gap before each.</summary>
public sealed record Recording
{
    public const int FormatVersion = 1;

    public int Version { get; init; } = FormatVersion;
    public required string Provider { get; init; }
    public required string Method { get; init; }
    /// <summary>The path after the provider's prefix: <c>/chat/completions</c>, <c>/models</c>, <c>/models/{id}</c>.</summary>
    public required string Endpoint { get; init; }
    public string? Model { get; init; }
    public bool Stream { get; init; }
    public DateTimeOffset RecordedAt { get; init; }
    /// <summary>The request body as sent (scrubbed), for reading only: matching uses endpoint, model and stream flag.</summary>
    public JsonNode? RequestBody { get; init; }
    public required int Status { get; init; }
    /// <summary>Response headers kept (lower-case names); request ids are the placeholder <see cref="RecordingScrubber.RequestIdPlaceholder"/>.</summary>
    public Dictionary<string, string> Headers { get; init; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>A non-streamed body: JSON when it parsed, otherwise a string.</summary>
    public JsonNode? Body { get; init; }
    /// <summary>Milliseconds from sending the request to the whole non-streamed body.</summary>
    public double? TotalMs { get; init; }
    /// <summary>A streamed body's SSE events in order.</summary>
    public List<RecordedChunk>? Chunks { get; init; }

    internal static readonly JsonSerializerOptions FileJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public string ToJson() => JsonSerializer.Serialize(this, FileJson);

    public static Recording Load(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<Recording>(File.ReadAllText(path), FileJson)
                   ?? throw new SimulatorFixtureException(path, "the recording is empty");
        }
        catch (JsonException ex)
        {
            throw new SimulatorFixtureException(path, ex.Message, ex);
        }
    }

    /// <summary>The file name this recording is stored under inside its provider folder.</summary>
    public string FileName()
    {
        var endpoint = Endpoint.Trim('/').Replace('/', '-');
        var model = Model is null ? "" : "." + Regex.Replace(Model, "[^A-Za-z0-9._-]+", "_");
        var kind = Endpoint == "/chat/completions" ? (Stream ? ".stream" : ".json") : "";
        var status = Status == 200 ? "" : "." + Status.ToString(CultureInfo.InvariantCulture);
        return $"{endpoint}{model}{kind}{status}.json";
    }

    internal bool Matches(string method, string endpoint, string? model, bool stream) =>
        string.Equals(Method, method, StringComparison.OrdinalIgnoreCase)
        && Endpoint == endpoint
        && (endpoint != "/chat/completions" || (Model == model && Stream == stream));
}

/// <summary>One SSE event of a recorded stream: the milliseconds before it (the first: since the request was sent) and its data.</summary>
public sealed record RecordedChunk(double GapMs, string Data);

/// <summary>Removes secrets and volatile values from what is about to become a fixture.</summary>
public static partial class RecordingScrubber
{
    public const string Scrubbed = "<scrubbed>";
    public const string RequestIdPlaceholder = "<request-id>";

    // Headers kept as they are; every other header is dropped (date, server, set-cookie, cf-*, via, alt-svc, …).
    private static readonly HashSet<string> KeptHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "content-type", "cache-control", "retry-after", "openai-organization", "openai-processing-ms",
    };
    private static readonly HashSet<string> RequestIdHeaders = new(StringComparer.OrdinalIgnoreCase) { "x-request-id", "x-together-traceid" };

    /// <summary>The headers worth keeping, with request ids replaced by a placeholder and every value scrubbed.</summary>
    public static Dictionary<string, string> Headers(IEnumerable<KeyValuePair<string, string>> headers, IEnumerable<string> secrets)
    {
        var kept = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in headers)
        {
            var lower = name.ToLowerInvariant();
            if (RequestIdHeaders.Contains(lower)) kept[lower] = RequestIdPlaceholder;
            else if (KeptHeaders.Contains(lower) || lower.StartsWith("x-ratelimit-", StringComparison.Ordinal) || lower.StartsWith("x-tokenlimit-", StringComparison.Ordinal))
                kept[lower] = Text(value, secrets);
        }
        return kept;
    }

    /// <summary>Scrubs a text: the given secrets, anything key-shaped, bearer tokens and organisation ids.</summary>
    public static string Text(string text, IEnumerable<string> secrets)
    {
        foreach (var secret in secrets.Where(s => s.Length >= 4).OrderByDescending(s => s.Length))
            text = text.Replace(secret, Scrubbed, StringComparison.Ordinal);
        text = KeyLike().Replace(text, Scrubbed);
        return Organization().Replace(text, "org_" + Scrubbed);
    }

    /// <summary>Scrubs a JSON value in place: every string as <see cref="Text"/>, and the whole value of properties named like a credential.</summary>
    public static JsonNode? Json(JsonNode? node, IReadOnlyCollection<string> secrets)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var name in obj.Select(p => p.Key).ToList())
                {
                    var child = obj[name];
                    var replaced = CredentialName().IsMatch(name) && child is not null ? JsonValue.Create(Scrubbed) : Json(child, secrets);
                    if (!ReferenceEquals(replaced, child)) obj[name] = replaced; // a node still attached cannot be set again
                }
                return obj;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    var child = array[i];
                    var replaced = Json(child, secrets);
                    if (!ReferenceEquals(replaced, child)) array[i] = replaced;
                }
                return array;
            case JsonValue value when value.TryGetValue<string>(out var text):
                var scrubbed = Text(text, secrets);
                return scrubbed == text ? value : JsonValue.Create(scrubbed);
            default:
                return node;
        }
    }

    /// <summary>Parses a body as JSON and scrubs it, or scrubs it as text when it is not JSON.</summary>
    public static JsonNode? Body(string body, IReadOnlyCollection<string> secrets)
    {
        if (body.Length == 0) return null;
        try
        {
            return Json(JsonNode.Parse(body), secrets);
        }
        catch (JsonException)
        {
            return JsonValue.Create(Text(body, secrets));
        }
    }

    /// <summary>True when the text still holds anything key-shaped (the same shapes the fixture scan looks for).</summary>
    public static bool LooksLikeKey(string text) => KeyLike().IsMatch(text);

    [GeneratedRegex(@"gsk_[A-Za-z0-9]{20,}|sk-[A-Za-z0-9_-]{20,}|tgp_v1_[A-Za-z0-9_-]{10,}|Bearer\s+[A-Za-z0-9._~+/-]{8,}|\b[0-9a-f]{48,}\b")]
    private static partial Regex KeyLike();

    [GeneratedRegex(@"\borg_[A-Za-z0-9]{8,}")]
    private static partial Regex Organization();

    [GeneratedRegex(@"^(api[_-]?key|key|secret|client[_-]?secret|password|authorization|access[_-]?token|refresh[_-]?token|bearer)$", RegexOptions.IgnoreCase)]
    private static partial Regex CredentialName();
}

/// <summary>The recordings of one provider, matched by method, endpoint, model and stream flag (never the exact body).</summary>
internal sealed class RecordingSet
{
    private readonly List<Recording> _recordings;

    private RecordingSet(List<Recording> recordings) => _recordings = recordings;

    public int Count => _recordings.Count;

    public static RecordingSet Load(string directory, string providerId)
    {
        var folder = Path.Combine(directory, providerId);
        var recordings = System.IO.Directory.Exists(folder)
            ? System.IO.Directory.EnumerateFiles(folder, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(Recording.Load).ToList()
            : [];
        return new RecordingSet(recordings);
    }

    /// <summary>The matching recording (2xx preferred); several match → chosen by the request's ordinal in its scope, so a scope cycles through them.</summary>
    public Recording? Find(string method, string endpoint, string? model, bool stream, int ordinal)
    {
        var all = _recordings.Where(r => r.Matches(method, endpoint, model, stream)).ToList();
        // Successful answers first: a recorded error (a 429, a 503) is replayed only where nothing succeeded.
        var matches = all.Any(r => r.Status is >= 200 and < 300) ? all.Where(r => r.Status is >= 200 and < 300).ToList() : all;
        return matches.Count == 0 ? null : matches[(ordinal - 1) % matches.Count];
    }
}

internal static class RecordingFiles
{
    /// <summary>Where recordings are written: the configured folder, else the fixtures folder's <c>recordings</c>.</summary>
    public static string ForRecording(string? configured, FixtureFiles fixtures) =>
        configured ?? (fixtures.Directory is { } directory ? Path.Combine(directory, "recordings")
            : throw new ArgumentException("Record: the simulators run on their built-in fixtures (no fixtures folder), so there is no fixtures/recordings to write to; set RecordOptions.Directory."));

    /// <summary>Where recordings are read from; null when there is no such folder (the built-in fixtures carry no recordings).</summary>
    public static string? ForReplay(string? configured, FixtureFiles fixtures) =>
        configured ?? (fixtures.Directory is { } directory ? Path.Combine(directory, "recordings") : null);

    public static string Save(Recording recording, string directory)
    {
        var folder = Path.Combine(directory, recording.Provider);
        System.IO.Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, recording.FileName());
        var json = recording.ToJson();
        if (RecordingScrubber.LooksLikeKey(json)) throw new InvalidOperationException($"Refusing to write {path}: something key-shaped survived scrubbing.");
        var temp = path + ".tmp";
        File.WriteAllText(temp, json + "\n", new UTF8Encoding(false));
        File.Move(temp, path, overwrite: true);
        return path;
    }
}

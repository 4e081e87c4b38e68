using System.Reflection;
using System.Text.Json;

namespace ProviderSpecs.Providers.Catalog;

/// <summary>
/// Bundled model metadata (fixtures/metadata/models-snapshot.json, restated from models.dev): what /models
/// does not say — output limits, prices, capabilities.
/// </summary>
public sealed class ModelSnapshot
{
    private const string ResourceName = "ProviderSpecs.Providers.models-snapshot.json";
    private static readonly Lazy<ModelSnapshot> BundledSnapshot = new(LoadBundled);
    private readonly Dictionary<(string Provider, string Id), ModelInfo> _models;

    public static ModelSnapshot Default => BundledSnapshot.Value;

    public string SourceDescription { get; }

    /// <summary>The day the snapshot was taken (<c>source.takenOn</c>); null when the snapshot does not say.</summary>
    public DateOnly? TakenOn { get; }

    public ModelSnapshot(IEnumerable<ModelInfo> models, string sourceDescription, DateOnly? takenOn = null)
    {
        _models = models.ToDictionary(m => (m.ProviderId, m.Id.ToLowerInvariant()));
        SourceDescription = sourceDescription;
        TakenOn = takenOn;
    }

    public IReadOnlyList<ModelInfo> ForProvider(string providerId) =>
        _models.Values.Where(m => m.ProviderId == providerId).OrderBy(m => m.Id, StringComparer.Ordinal).ToList();

    public ModelInfo? Find(string providerId, string modelId) =>
        _models.GetValueOrDefault((providerId, modelId.ToLowerInvariant()));

    public static ModelSnapshot Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var source = root.TryGetProperty("source", out var s) ? $"{s.GetProperty("name").GetString()} {s.GetProperty("commit").GetString()?[..7]} ({s.GetProperty("takenOn").GetString()})" : "snapshot";
        DateOnly? takenOn = root.TryGetProperty("source", out var src) && Str(src, "takenOn") is { } day
            && DateOnly.TryParseExact(day, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var date) ? date : null;
        var models = new List<ModelInfo>();
        foreach (var entry in root.GetProperty("models").EnumerateArray())
        {
            var caps = entry.GetProperty("capabilities");
            var model = new ModelInfo
            {
                Id = entry.GetProperty("id").GetString()!,
                ProviderId = entry.GetProperty("provider").GetString()!,
                DisplayName = Str(entry, "displayName"),
                Kind = JsonSerializer.Deserialize<ModelKind>(entry.GetProperty("kind").GetRawText()),
                ContextWindow = Int(entry, "contextWindow"),
                MaxOutputTokens = Int(entry, "maxOutputTokens"),
                Active = Str(entry, "status") is not "deprecated",
                InputPricePerMillionTokens = Dec(entry, "inputPricePerMillionTokens"),
                OutputPricePerMillionTokens = Dec(entry, "outputPricePerMillionTokens"),
                Capabilities = new ModelCapabilities
                {
                    Streaming = Bool(caps, "streaming"), ToolCalls = Bool(caps, "toolCalls"), JsonMode = Bool(caps, "jsonMode"),
                    JsonSchema = Bool(caps, "jsonSchema"), Reasoning = Bool(caps, "reasoning"), FineTunable = Bool(caps, "fineTunable"),
                },
            };
            models.Add(model with { Provenance = ModelNormaliser.AllKnownFields(model, FieldSource.Snapshot) });
        }
        return new ModelSnapshot(models, source, takenOn);
    }

    private static ModelSnapshot LoadBundled()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Embedded resource {ResourceName} is missing from the build.");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    }

    private static JsonElement? Prop(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind is not JsonValueKind.Null ? v : null;
    private static string? Str(JsonElement e, string n) => Prop(e, n)?.GetString();
    private static int? Int(JsonElement e, string n) => Prop(e, n)?.GetInt32();
    private static decimal? Dec(JsonElement e, string n) => Prop(e, n)?.GetDecimal();
    private static bool? Bool(JsonElement e, string n) => Prop(e, n)?.GetBoolean();
}

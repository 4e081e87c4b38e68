using System.Net.Http.Headers;
using System.Text.Json;
using ProviderSpecs.Providers.Catalog;
using Shouldly;

namespace ProviderSpecs.Drivers.Catalog;

/// <summary>
/// The provider's own <c>GET /models</c> answer, read raw (no provider-layer code), so the normalised catalog can be
/// checked field by field against what the provider itself says. Works on both targets.
/// </summary>
public sealed class ProviderModelList
{
    private readonly Dictionary<string, JsonElement> _entries;

    private ProviderModelList(Dictionary<string, JsonElement> entries) => _entries = entries;

    public IReadOnlyCollection<string> Ids => _entries.Keys;

    public static async Task<ProviderModelList> FetchAsync(HttpClient http, Uri baseUrl, string apiKey, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUrl.ToString().TrimEnd('/') + "/models"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        using var response = await http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        ((int)response.StatusCode).ShouldBe(200, $"the provider's own /models answered HTTP {(int)response.StatusCode}: {Truncate(body)}");
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        var array = root.ValueKind == JsonValueKind.Array ? root
            : root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array ? data
            : throw new ShouldAssertException($"the provider's own /models is neither an array nor a {{\"data\": [...]}} list: {Truncate(body)}");
        var entries = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var entry in array.EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.Object || Str(entry, "id") is not { } id)
                throw new ShouldAssertException($"the provider's own /models holds an entry without an id: {Truncate(entry.GetRawText())}");
            entries[id] = entry.Clone();
        }
        return new ProviderModelList(entries);
    }

    /// <summary>Every disagreement between the provider's answer and the catalog, one line each (empty when they agree).</summary>
    public IReadOnlyList<string> Disagreements(IReadOnlyList<ModelInfo> catalog)
    {
        var problems = new List<string>();
        // An id listed twice (seen from independent implementations) is compared once, not a crash.
        var byId = catalog.GroupBy(m => m.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        foreach (var missing in _entries.Keys.Where(id => !byId.ContainsKey(id)))
            problems.Add($"{missing}: listed by the provider, missing from the catalog");
        foreach (var extra in byId.Keys.Where(id => !_entries.ContainsKey(id)))
            problems.Add($"{extra}: in the catalog, not listed by the provider");
        foreach (var (id, raw) in _entries)
        {
            if (!byId.TryGetValue(id, out var model)) continue;
            void Compare<T>(string field, T? providerSays, T? catalogSays, string provenanceField)
            {
                if (providerSays is null) return;
                if (!Equals(providerSays, catalogSays))
                    problems.Add($"{id}: the provider says {field} = {providerSays}, the catalog says {catalogSays?.ToString() ?? "nothing"}");
                else if (model.Provenance.GetValueOrDefault(provenanceField, FieldSource.Snapshot) != FieldSource.Live)
                    problems.Add($"{id}: {field} agrees but the catalog credits it to the snapshot instead of the provider");
            }
            Compare("context window", Int(raw, "context_window") ?? Int(raw, "context_length"), model.ContextWindow, "contextWindow");
            Compare("max output", Int(raw, "max_completion_tokens"), model.MaxOutputTokens, "maxOutputTokens");
            Compare("owner", Str(raw, "owned_by") ?? Str(raw, "organization"), model.Owner, "owner");
            Compare("display name", Str(raw, "display_name"), model.DisplayName, "displayName");
            Compare("active", Bool(raw, "active"), model.Active, "active");
            // The provider's own word for the kind, in the catalog's vocabulary (Together's "transcribe" is audio); a type
            // outside it ("video") has no catalog kind to agree with, so it is not compared.
            if (CatalogKindOf(Str(raw, "type")) is { } kind)
                Compare("kind", kind, CatalogText.KindName(model.Kind), "kind");
            if (raw.TryGetProperty("pricing", out var pricing) && pricing.ValueKind == JsonValueKind.Object)
            {
                Compare("input price per 1M", Dec(pricing, "input"), model.InputPricePerMillionTokens, "inputPricePerMillionTokens");
                Compare("output price per 1M", Dec(pricing, "output"), model.OutputPricePerMillionTokens, "outputPricePerMillionTokens");
            }
        }
        return problems;
    }

    private static string? CatalogKindOf(string? type) => type?.Trim().ToLowerInvariant() switch
    {
        null or "" => null,
        "transcribe" => "audio",
        var t when Enum.GetValues<ModelKind>().Any(k => k != ModelKind.Unknown && CatalogText.KindName(k) == t) => t,
        _ => null,
    };

    private static JsonElement? Prop(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind is not JsonValueKind.Null ? v : null;
    private static string? Str(JsonElement e, string n) => Prop(e, n) is { ValueKind: JsonValueKind.String } v ? v.GetString() : null;
    private static int? Int(JsonElement e, string n) => Prop(e, n) is { ValueKind: JsonValueKind.Number } v && v.TryGetInt32(out var i) ? i : null;
    private static decimal? Dec(JsonElement e, string n) => Prop(e, n) is { ValueKind: JsonValueKind.Number } v ? v.GetDecimal() : null;
    private static bool? Bool(JsonElement e, string n) => Prop(e, n) is { ValueKind: JsonValueKind.True or JsonValueKind.False } v ? v.GetBoolean() : null;
    private static string Truncate(string text) => text.Length <= 300 ? text : text[..300] + "…";
}

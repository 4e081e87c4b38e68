using System.Text.Json;
using System.Text.Json.Serialization;

namespace ProviderSpecs.LivingDoc;

/// <summary>One model of <c>reports/catalog.json</c> (a JSON array of these, camelCase).</summary>
public sealed record ModelCatalogRow(
    string Provider,
    string Id,
    string? Kind = null,
    int? ContextWindow = null,
    int? MaxOutputTokens = null,
    decimal? PriceInPer1M = null,
    decimal? PriceOutPer1M = null,
    IReadOnlyList<string>? Capabilities = null);

/// <summary>
/// One provider of <c>reports/catalog-drift.json</c> (a JSON array of these, camelCase): how the models the provider
/// listed when a run read its catalog differ from the metadata snapshot bundled with the provider layer.
/// </summary>
/// <param name="Provider">The provider's id, e.g. <c>together_ai</c>.</param>
/// <param name="ProviderName">Its display name, e.g. "Together AI".</param>
/// <param name="Target">"simulated" or "live": what the run read.</param>
/// <param name="SnapshotDate">The day the snapshot was taken, <c>yyyy-MM-dd</c>.</param>
/// <param name="SnapshotSource">Where the snapshot came from, e.g. "models.dev f3fc692 (2026-07-02)".</param>
/// <param name="ListedNotInSnapshot">Models the provider lists that the snapshot does not know (new, or never covered).</param>
/// <param name="InSnapshotNotListed">Models of the snapshot the provider no longer lists (retired or renamed).</param>
/// <param name="NamedButNotListed">Models scenarios named that the provider does not list: scenarios to update.</param>
/// <param name="CheckedAt">When the catalog was read.</param>
public sealed record CatalogDriftRow(
    string Provider,
    string? ProviderName = null,
    string? Target = null,
    string? SnapshotDate = null,
    string? SnapshotSource = null,
    IReadOnlyList<string>? ListedNotInSnapshot = null,
    IReadOnlyList<string>? InSnapshotNotListed = null,
    IReadOnlyList<string>? NamedButNotListed = null,
    DateTimeOffset? CheckedAt = null);

/// <summary>One cell of <c>reports/fault-matrix.json</c> (a JSON array of these, camelCase): a fault injected into a provider and the error key it produced.</summary>
public sealed record FaultMatrixRow(
    string Fault,
    string Provider,
    string? Mode,
    string ExpectedKey,
    string? ActualKey,
    bool Passed,
    double? ElapsedMs = null);

/// <summary>The side-car <c>&lt;name&gt;.run.json</c> next to a run's <c>&lt;name&gt;.ndjson</c>. Every field is optional.</summary>
/// <param name="Label">Short name shown on every result of the run, e.g. "simulated" or "live".</param>
/// <param name="Target">"simulated" or "live".</param>
/// <param name="Versions">Component → version, e.g. {"ProviderSpecs": "1.2.0", "dotnet": "10.0.1"}.</param>
public sealed record RunMetadata(
    string? Label = null,
    string? Target = null,
    DateTimeOffset? Date = null,
    IReadOnlyDictionary<string, string>? Versions = null,
    LiveBudget? LiveBudgetSpent = null,
    IReadOnlyList<string>? RateLimitsSeen = null);

/// <summary>What a live run spent of its budget, what it planned to spend before its first request, and what it was allowed.</summary>
/// <param name="Refused">Requests the budget refused (never sent): the scenarios that needed them were skipped.</param>
public sealed record LiveBudget(int? Requests = null, long? Tokens = null, decimal? CostUsd = null,
    long? PlannedRequests = null, long? PlannedTokens = null, long? MaxRequests = null, long? MaxTokens = null, long? Refused = null);

/// <summary>The one JSON convention of every data file the generator reads.</summary>
public static class LivingDocJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

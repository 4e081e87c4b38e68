using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using ProviderSpecs.Drivers.Targets;
using ProviderSpecs.Providers;
using ProviderSpecs.Providers.Catalog;
using ProviderSpecs.Providers.Registry;

namespace ProviderSpecs.Drivers.Catalog;

/// <summary>
/// One provider's catalog drift as a run saw it (the shape of <c>CatalogDriftRow</c> in ProviderSpecs.LivingDoc): the
/// models the provider listed that the bundled metadata snapshot does not know, the snapshot's models the provider no
/// longer lists, and the models scenarios named that the provider does not list.
/// </summary>
public sealed record CatalogDriftReport(
    string Provider,
    string ProviderName,
    string Target,
    string? SnapshotDate,
    string SnapshotSource,
    IReadOnlyList<string> ListedNotInSnapshot,
    IReadOnlyList<string> InSnapshotNotListed,
    IReadOnlyList<string> NamedButNotListed,
    DateTimeOffset CheckedAt)
{
    [JsonIgnore]
    public bool IsEmpty => ListedNotInSnapshot.Count == 0 && InSnapshotNotListed.Count == 0 && NamedButNotListed.Count == 0;
}

/// <summary>
/// Catalog drift: providers add and retire models every month, so a model a scenario names may be gone from a live
/// provider. That is a finding to report plainly — "Together AI no longer lists X; it was in the snapshot of DATE" —
/// never a crash. Every catalog a provider itself answered is compared with the bundled snapshot; the comparisons of
/// the run are written once to <c>reports/catalog-drift.json</c>, which the living documentation shows.
/// </summary>
public static class CatalogDrift
{
    public const string FileName = "catalog-drift.json";

    private static readonly ConcurrentDictionary<string, (ProviderDefinition Provider, IReadOnlyList<string> Listed, TargetKind Target, DateTimeOffset At)> Observed = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<(string Provider, string Model), byte> Named = new();
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>The snapshot's date as the findings print it, e.g. 2026-07-02.</summary>
    public static string SnapshotDate(ModelSnapshot snapshot) =>
        snapshot.TakenOn?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "unknown date";

    /// <summary>
    /// The finding for a model a scenario names that <paramref name="provider"/> does not list, in plain words, with what
    /// to do about it. A driver that fails a step with it calls <see cref="NoteNamed"/> too.
    /// </summary>
    public static string NotListedFinding(ProviderDefinition provider, string model, ModelSnapshot? snapshot = null)
    {
        snapshot ??= ModelSnapshot.Default;
        var date = SnapshotDate(snapshot);
        return snapshot.Find(provider.Id, model) is not null
            ? $"{provider.DisplayName} no longer lists {model}; it was in the snapshot of {date}. "
              + "The provider has retired or renamed it: replace it in the scenario (see \"Scenario models\" in features/_Glossary.md)."
            : $"{provider.DisplayName} does not list {model}, and the snapshot of {date} does not know it either: check the model id in the scenario.";
    }

    /// <summary>
    /// Notes that a scenario needed <paramref name="model"/> and <paramref name="providerId"/> does not list it, for the
    /// report's "named in scenarios, not listed". Only for a model a step needed: a scenario that asks for an imaginary
    /// model on purpose (to see it refused) is no finding.
    /// </summary>
    public static void NoteNamed(string providerId, string model) => Named.TryAdd((providerId, model), 0);

    /// <summary>
    /// Compares what <paramref name="provider"/> listed with the snapshot. Ids compare ignoring case, as the provider layer
    /// matches snapshot facts to listed models.
    /// </summary>
    public static CatalogDriftReport Compare(ProviderDefinition provider, IEnumerable<string> listed, TargetKind target, ModelSnapshot? snapshot = null, DateTimeOffset? checkedAt = null)
    {
        snapshot ??= ModelSnapshot.Default;
        var live = listed.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var known = snapshot.ForProvider(provider.Id).Select(m => m.Id).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return new CatalogDriftReport(
            provider.Id,
            provider.DisplayName,
            target.ToString().ToLowerInvariant(),
            snapshot.TakenOn?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            snapshot.SourceDescription,
            live.Where(id => !known.Contains(id)).Order(StringComparer.Ordinal).ToList(),
            known.Where(id => !live.Contains(id)).Order(StringComparer.Ordinal).ToList(),
            Named.Keys.Where(n => n.Provider == provider.Id && !live.Contains(n.Model)).Select(n => n.Model).Distinct().Order(StringComparer.Ordinal).ToList(),
            checkedAt ?? DateTimeOffset.UtcNow);
    }

    /// <summary>Records the drift of a catalog the provider itself answered; a snapshot fallback says nothing about drift.</summary>
    public static CatalogDriftReport? Observe(ProviderDefinition provider, CatalogListing listing, TargetKind target)
    {
        if (listing.FellBackToSnapshot) return null;
        var listed = listing.Models.Select(m => m.Id).ToList();
        var at = DateTimeOffset.UtcNow;
        Observed[provider.Id] = (provider, listed, target, at);
        return Compare(provider, listed, target, checkedAt: at);
    }

    /// <summary>
    /// Null when the session's provider lists <paramref name="model"/> (or its list cannot be read, so nothing can be
    /// said); otherwise the finding that it does not (not yet noted: see <see cref="NoteNamed"/>).
    /// </summary>
    public static async Task<string?> FindingAsync(ProviderSession session, string model, TargetKind target, CancellationToken cancellationToken = default)
    {
        CatalogListing listing;
        try
        {
            listing = await session.Catalog.GetModelsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return null;
        }
        if (listing.FellBackToSnapshot || listing.Models.Any(m => string.Equals(m.Id, model, StringComparison.OrdinalIgnoreCase))) return null;
        var finding = NotListedFinding(session.Provider, model);
        Observe(session.Provider, listing, target);
        return finding;
    }

    /// <summary>The reports of the run so far, one per provider.</summary>
    public static IReadOnlyList<CatalogDriftReport> Snapshot() =>
        Observed.Values.Select(o => Compare(o.Provider, o.Listed, o.Target, checkedAt: o.At)).OrderBy(r => r.Provider, StringComparer.Ordinal).ToList();

    /// <summary>Writes the run's drift (if any catalog was compared) atomically: a temporary file, then a rename.</summary>
    public static string? WriteTo(string reportsDirectory)
    {
        var reports = Snapshot();
        if (reports.Count == 0) return null;
        Directory.CreateDirectory(reportsDirectory);
        var path = Path.Combine(reportsDirectory, FileName);
        var temporary = path + $".{Environment.ProcessId}.tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(reports, Json));
        File.Move(temporary, path, overwrite: true);
        return path;
    }
}

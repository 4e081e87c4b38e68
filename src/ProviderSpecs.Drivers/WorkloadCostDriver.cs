using System.Globalization;
using ProviderSpecs.Drivers.Catalog;
using ProviderSpecs.Drivers.Support;
using ProviderSpecs.Drivers.Targets;
using ProviderSpecs.Providers.Catalog;
using ProviderSpecs.Providers.Registry;
using Shouldly;

namespace ProviderSpecs.Drivers;

/// <summary>A stated workload: so many requests, each of so many prompt tokens and answer tokens.</summary>
public sealed record Workload(long Requests, long PromptTokens, long AnswerTokens)
{
    /// <summary>requests × (prompt tokens × input price + answer tokens × output price) ÷ 1,000,000, prices in USD per 1M tokens.</summary>
    public decimal CostAt(decimal inputPricePerMillion, decimal outputPricePerMillion) =>
        Requests * (PromptTokens * inputPricePerMillion + AnswerTokens * outputPricePerMillion) / 1_000_000m;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Requests:N0} requests of {PromptTokens:N0} prompt tokens and {AnswerTokens:N0} answer tokens");
}

/// <summary>One model's price for the workload, with where each price came from.</summary>
public sealed record WorkloadPrice(ProviderDefinition Provider, string Model, decimal InputPrice, decimal OutputPrice, decimal Cost, string Source);

/// <summary>
/// What a workload costs per provider and model, from the catalog the provider layer reports (the provider's own model
/// list where it carries prices — Together AI's does — else the bundled metadata snapshot, as for Groq), shown next to
/// the latency the scenario measured.
/// </summary>
public sealed class WorkloadCostDriver(SpecTarget target, PerformanceDriver performance, ScenarioTranscript transcript)
{
    private readonly Dictionary<string, CatalogListing> _catalogs = new(StringComparer.Ordinal);
    private Workload? _workload;

    public Workload Workload => _workload ?? throw new InvalidOperationException("No workload was stated: a step must state one first.");

    public void StateWorkload(long requests, long promptTokens, long answerTokens)
    {
        if (requests < 1 || promptTokens < 0 || answerTokens < 0)
            throw new ArgumentException($"A workload needs at least one request and no negative token counts (got {requests}, {promptTokens}, {answerTokens}).");
        _workload = new Workload(requests, promptTokens, answerTokens);
    }

    /// <summary>Reads the catalog of each provider once (one model list each), as the provider layer reports it.</summary>
    public async Task ReadPricesAsync(IEnumerable<ProviderDefinition> providers, string scenario)
    {
        foreach (var provider in providers.DistinctBy(p => p.Id))
        {
            await using var session = target.Endpoint(provider.Id, scenario).OpenSession();
            var listing = await session.Catalog.GetModelsAsync(forceRefresh: true);
            _catalogs[provider.Id] = listing;
            transcript.Record($"{provider.DisplayName}'s catalog: {listing.Models.Count} models ({(listing.FellBackToSnapshot ? $"the bundled snapshot: {listing.FallbackReason}" : "its own model list, enriched from the snapshot")})");
        }
    }

    /// <summary>The workload's cost on one model, from its provider's catalog.</summary>
    public WorkloadPrice PriceOf(ProviderDefinition provider, string model)
    {
        var listing = _catalogs.GetValueOrDefault(provider.Id)
                      ?? throw new InvalidOperationException($"{provider.DisplayName}'s model list was not read in this scenario: price the workload from it first.");
        var info = listing.Models.FirstOrDefault(m => m.Id == model);
        if (info is null)
        {
            CatalogDrift.NoteNamed(provider.Id, model);
            throw new ShouldAssertException(CatalogDrift.NotListedFinding(provider, model));
        }
        if (info.InputPricePerMillionTokens is not { } input || info.OutputPricePerMillionTokens is not { } output)
            throw new ShouldAssertException($"not priced: {provider.DisplayName}'s catalog has no {(info.InputPricePerMillionTokens is null ? "input" : "output")} price for {model}, so the workload's cost cannot be stated");
        return new WorkloadPrice(provider, model, input, output, Workload.CostAt(input, output), Source(provider, listing, info));
    }

    /// <summary>Where the model's prices come from, in the reader's words.</summary>
    private string Source(ProviderDefinition provider, CatalogListing listing, ModelInfo model)
    {
        var live = model.Provenance.GetValueOrDefault("inputPricePerMillionTokens", FieldSource.Snapshot) == FieldSource.Live
                   && model.Provenance.GetValueOrDefault("outputPricePerMillionTokens", FieldSource.Snapshot) == FieldSource.Live;
        var snapshot = $"the bundled snapshot of {CatalogDrift.SnapshotDate(ModelSnapshot.Default)}";
        if (!live) return listing.FellBackToSnapshot ? $"{snapshot} ({provider.DisplayName}'s model list was unavailable)" : $"{snapshot} ({provider.DisplayName}'s model list carries no prices)";
        return target.Kind == TargetKind.Live ? $"{provider.DisplayName}'s own model list, as it lists them now" : $"the simulated {provider.DisplayName}'s own model list";
    }

    /// <summary>Each row's cost is the catalog's prices applied to the workload's tokens, to the cent as stated (or finer).</summary>
    public string CostsShouldBe(IEnumerable<(ProviderDefinition Provider, string Model, decimal Cost)> expected)
    {
        var lines = new List<string>();
        var wrong = new List<string>();
        foreach (var (provider, model, cost) in expected)
        {
            var price = PriceOf(provider, model);
            var line = Describe(price);
            lines.Add(line);
            if (price.Cost != cost) wrong.Add($"{line} — not {Dollars(cost)}");
        }
        var table = $"{Workload}:\n  " + string.Join("\n  ", lines);
        wrong.ShouldBeEmpty($"the workload's cost differs from the stated one:\n  {string.Join("\n  ", wrong)}\n{table}");
        return table;
    }

    /// <summary>The workload costs less on the first model than on the second; both costs (and measured latency) reported either way.</summary>
    public string ShouldCostLess(ProviderDefinition cheaper, string cheaperModel, ProviderDefinition dearer, string dearerModel)
    {
        var a = PriceOf(cheaper, cheaperModel);
        var b = PriceOf(dearer, dearerModel);
        var figures = $"{Workload}:\n  {Describe(a)}\n  {Describe(b)}";
        a.Cost.ShouldBeLessThan(b.Cost, figures);
        return figures;
    }

    private string Describe(WorkloadPrice price)
    {
        var latency = performance.MedianTimeToFirstWord(price.Provider, price.Model) is { } ms ? $"; median time to the first word {FigureWording.Ms(ms)}" : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"{price.Provider.DisplayName}'s {price.Model}: {Dollars(price.Cost)} ({Workload.Requests:N0} × ({Workload.PromptTokens:N0} × ${price.InputPrice} + {Workload.AnswerTokens:N0} × ${price.OutputPrice}) ÷ 1,000,000; prices per million tokens from {price.Source}){latency}");
    }

    /// <summary>"$0.41", "$0.975", "$1,234.50": dollars with at least two decimals and no rounding of what the catalog gives.</summary>
    public static string Dollars(decimal amount) => "$" + amount.ToString(amount == decimal.Round(amount, 2) ? "#,0.00" : "#,0.00####", CultureInfo.InvariantCulture);

    /// <summary>"$0.41" or "0.975" as a feature writes it.</summary>
    public static decimal ParseDollars(string text) =>
        decimal.TryParse(text.Trim().TrimStart('$').Replace(",", "", StringComparison.Ordinal), NumberStyles.Number, CultureInfo.InvariantCulture, out var value)
            ? value : throw new FormatException($"'{text}' is not an amount in dollars: write e.g. $0.41.");
}

using ProviderSpecs.Drivers.Catalog;
using ProviderSpecs.Drivers.Support;
using ProviderSpecs.Drivers.Targets;
using ProviderSpecs.Providers;
using ProviderSpecs.Providers.Catalog;
using ProviderSpecs.Providers.Errors;
using ProviderSpecs.Providers.Registry;
using Shouldly;

namespace ProviderSpecs.Drivers;

/// <summary>
/// Model discovery: reads a provider's catalog through the provider layer, narrows it the way a user would, and
/// checks it against the provider's own <c>/models</c> answer.
/// </summary>
public sealed class CatalogDriver(ScenarioEndpoints endpoints, ScenarioTranscript transcript)
{
    private ProviderEndpoint? _endpoint;
    private ProviderSession? _session;
    private Attempt<CatalogListing>? _listing;
    private Attempt<ModelInfo>? _lookup;
    private ModelFilter _filter = new();
    private IReadOnlyList<ModelInfo>? _narrowed;
    private string? _publishedTo;

    private ProviderSession SessionFor(ProviderDefinition provider, string scenario)
    {
        _endpoint = endpoints.For(provider, scenario);
        return _session = endpoints.Session(provider, scenario);
    }

    private ProviderEndpoint Endpoint => _endpoint ?? throw new InvalidOperationException("No catalog was read yet: a step must read a provider's catalog first.");

    public async Task ReadAsync(ProviderDefinition provider, string scenario)
    {
        var session = SessionFor(provider, scenario);
        _filter = new ModelFilter();
        _narrowed = null;
        _listing = await Attempt<CatalogListing>.RunAsync(() => session.Catalog.GetModelsAsync(forceRefresh: true), transcript);
        if (_listing is { Succeeded: true, Value: { } listing } && CatalogDrift.Observe(provider, listing, Endpoint.Target) is { IsEmpty: false } drift)
            transcript.Record($"catalog drift of {provider.DisplayName} against the snapshot of {drift.SnapshotDate}: "
                + $"{drift.ListedNotInSnapshot.Count} listed but not in the snapshot, {drift.InSnapshotNotListed.Count} in the snapshot but no longer listed");
    }

    public async Task LookUpAsync(ProviderDefinition provider, string modelId, string scenario)
    {
        var session = SessionFor(provider, scenario);
        _lookup = await Attempt<ModelInfo>.RunAsync(() => session.Catalog.GetAsync(modelId), transcript);
        try
        {
            _lookupListing = await session.Catalog.GetModelsAsync(); // the list the lookup searched (cached: nothing more is sent)
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _lookupListing = null; // the lookup's own outcome already says what went wrong
        }
    }

    private CatalogListing? _lookupListing;

    public CatalogListing Listing => (_listing ?? throw new InvalidOperationException("No catalog was read yet.")).ShouldSucceed();

    /// <summary>A model the scenario names; when the provider no longer lists it, the failure is the drift finding.</summary>
    private ModelInfo Model(string id) => Listing.Models.FirstOrDefault(m => m.Id == id) ?? throw NotListed(id);

    private ShouldAssertException NotListed(string id)
    {
        var provider = Endpoint.Provider;
        if (Listing.FellBackToSnapshot)
            return new ShouldAssertException($"the {provider.DisplayName} catalog (the bundled snapshot: {Listing.FallbackReason}) has no '{id}'");
        var sameButCase = Listing.Models.FirstOrDefault(m => string.Equals(m.Id, id, StringComparison.OrdinalIgnoreCase));
        CatalogDrift.NoteNamed(provider.Id, id);
        return new ShouldAssertException(sameButCase is not null
            ? $"{provider.DisplayName} lists '{sameButCase.Id}', not '{id}': model ids are case-sensitive, correct the scenario"
            : CatalogDrift.NotListedFinding(provider, id));
    }

    /// <summary>Where a fact of the catalog came from, for failure messages: the provider's own list or the snapshot.</summary>
    private string Origin(ModelInfo model, string field) =>
        model.Provenance.GetValueOrDefault(field, FieldSource.Snapshot) == FieldSource.Live
            ? $"as {Endpoint.Provider.DisplayName} lists it now"
            : $"from the snapshot of {CatalogDrift.SnapshotDate(ModelSnapshot.Default)}";

    // ---- where the catalog came from ----

    public void ShouldComeFromTheProvider(ProviderDefinition provider)
    {
        Endpoint.Provider.Id.ShouldBe(provider.Id, "the catalog read was another provider's");
        ShouldComeFromTheProvider();
    }

    public void ShouldComeFromTheProvider()
    {
        Listing.FellBackToSnapshot.ShouldBeFalse($"the catalog fell back to the snapshot: {Listing.FallbackReason}");
        Listing.Models.ShouldNotBeEmpty($"{Endpoint.Provider.DisplayName} listed no models");
    }

    public void ShouldComeFromTheSnapshot()
    {
        Listing.FellBackToSnapshot.ShouldBeTrue("the catalog should have fallen back to the bundled snapshot, but it says the provider answered");
        Listing.Models.ShouldNotBeEmpty("the bundled snapshot gave no models for the provider");
        Listing.Models.ShouldAllBe(m => m.ProviderId == Endpoint.Provider.Id);
    }

    public void FallbackReasonShouldName(string errorKey)
    {
        var reason = Listing.FallbackReason;
        reason.ShouldNotBeNullOrWhiteSpace("a catalog that fell back must say why");
        reason.ShouldStartWith(errorKey + ":", customMessage: $"the fallback reason should lead with the error key '{errorKey}': {reason}", caseSensitivity: Case.Sensitive);
        reason.ShouldContain("snapshot", customMessage: $"the fallback reason should say the snapshot is shown: {reason}");
    }

    /// <summary>Fetches the provider's own /models answer (raw HTTP, same key) and compares every model field by field.</summary>
    public async Task ShouldAgreeWithTheProvidersOwnListAsync(ProviderDefinition provider)
    {
        ShouldComeFromTheProvider(provider);
        var session = _session!;
        var key = session.Credential.Key;
        key.ShouldNotBeNull($"no {session.Provider.DisplayName} key resolves, so its own /models cannot be read");
        var own = await ProviderModelList.FetchAsync(Endpoint.Http, session.BaseUrl, key);
        var problems = own.Disagreements(Listing.Models);
        problems.ShouldBeEmpty($"the catalog disagrees with {session.Provider.DisplayName}'s own /models:\n  " + string.Join("\n  ", problems));
    }

    // ---- named facts ----

    public void ModelShouldBe(string id, ModelKind kind, int contextWindow)
    {
        var model = Model(id);
        model.Kind.ShouldBe(kind, $"{id}'s kind ({Origin(model, "kind")})");
        model.ContextWindow.ShouldBe(contextWindow, $"{id}'s context window in tokens ({Origin(model, "contextWindow")})");
    }

    public void MaxOutputShouldBe(string id, int maxOutputTokens)
    {
        var model = Model(id);
        model.MaxOutputTokens.ShouldBe(maxOutputTokens, $"{id}'s max output in tokens ({Origin(model, "maxOutputTokens")})");
    }

    public void PriceShouldBe(string id, decimal input, decimal output)
    {
        var model = Model(id);
        model.InputPricePerMillionTokens.ShouldBe(input, $"{id}'s input price in USD per 1M tokens ({Origin(model, "inputPricePerMillionTokens")})");
        model.OutputPricePerMillionTokens.ShouldBe(output, $"{id}'s output price in USD per 1M tokens ({Origin(model, "outputPricePerMillionTokens")})");
    }

    public void ShouldSupport(string id, ModelCapability capability) =>
        Model(id).Capabilities.Get(capability).ShouldBe(true, $"the catalog should mark {id} as supporting {capability} (capabilities come from the snapshot of {CatalogDrift.SnapshotDate(ModelSnapshot.Default)})");

    // ---- narrowing ----

    public Task NarrowToKindAsync(ModelKind kind) => NarrowAsync(_filter with { Kind = kind });

    public Task NarrowToCapabilityAsync(ModelCapability capability) => NarrowAsync(_filter with { Capabilities = [.. _filter.Capabilities, capability] });

    public Task NarrowToContextAsync(int minimum) => NarrowAsync(_filter with { MinContextWindow = minimum });

    public Task NarrowToPriceAsync(decimal maximum) => NarrowAsync(_filter with { MaxPricePerMillionTokens = maximum });

    public Task SearchAsync(string text) => NarrowAsync(_filter with { Search = text });

    public Task NarrowToAtMostParametersAsync(decimal billions) => NarrowAsync(_filter with { MaxParametersBillions = billions });

    public Task NarrowToAtLeastParametersAsync(decimal billions) => NarrowAsync(_filter with { MinParametersBillions = billions });

    private async Task NarrowAsync(ModelFilter filter)
    {
        _ = Listing; // a catalog must have been read
        _filter = filter;
        _narrowed = await _session!.Catalog.ListAsync(filter);
        transcript.Record($"{filter} → {string.Join(", ", _narrowed.Select(m => m.Id))}");
    }

    private IReadOnlyList<ModelInfo> Narrowed => _narrowed ?? Listing.Models;

    public void ShouldInclude(string id)
    {
        var model = Model(id); // a model the provider no longer lists is a drift finding, not a narrowing failure
        if (Narrowed.Any(m => m.Id == id)) return;
        throw new ShouldAssertException(
            $"the model list narrowed with {_filter} should include {id}, but it was left out: the catalog says {Describe(model)}; "
            + $"the list holds {string.Join(", ", Narrowed.Select(m => m.Id))}");
    }

    public void ShouldLeaveOut(string id)
    {
        if (Listing.Models.All(m => m.Id != id))
            throw new ShouldAssertException($"{NotListed(id).Message} Leaving it out proves nothing while it is not listed.");
        Narrowed.Select(m => m.Id).ShouldNotContain(id, $"the model list narrowed with {_filter} should leave out {id}; the catalog says {Describe(Model(id))}");
    }

    private static string Describe(ModelInfo m) =>
        $"{m.Id}: {CatalogText.KindName(m.Kind)}, context {m.ContextWindow?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"}, "
        + $"size {m.Size?.ToString() ?? "not stated"}, "
        + $"${m.InputPricePerMillionTokens?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} in / ${m.OutputPricePerMillionTokens?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} out per 1M, "
        + $"capabilities: {string.Join(" ", CatalogReport.CapabilityNames(m.Capabilities))}";

    public void EveryModelShouldBe(ModelKind kind) => Every(m => m.Kind == kind, $"is not a {CatalogText.KindName(kind)} model");

    public void EveryModelShouldSupport(ModelCapability capability) => Every(m => m.Capabilities.Get(capability) == true, $"does not support {capability}");

    public void EveryModelShouldHaveContextOfAtLeast(int minimum) => Every(m => m.ContextWindow >= minimum, $"has a context window below {minimum}");

    public void EveryModelShouldCostAtMost(decimal maximum) =>
        Every(m => m.InputPricePerMillionTokens <= maximum && m.OutputPricePerMillionTokens <= maximum, $"costs more than ${maximum} per 1M tokens (or has no price)");

    public void EveryModelShouldHaveAtMostParameters(decimal billions) =>
        Every(m => m.Size?.TotalBillions <= billions, $"do not state at most {billions} billion parameters in their id");

    public void EveryModelShouldHaveAtLeastParameters(decimal billions) =>
        Every(m => m.Size?.TotalBillions >= billions, $"do not state at least {billions} billion parameters in their id");

    /// <summary>The size the catalog gives a model (from its id): total parameters and, for a mixture of experts, the active ones.</summary>
    public void SizeShouldBe(string id, decimal totalBillions, decimal? activeBillions)
    {
        var size = Model(id).Size;
        size.ShouldNotBeNull($"the catalog gives {id} no size: its id states none");
        size.TotalBillions.ShouldBe(totalBillions, $"{id}'s total parameters, in billions ({size})");
        size.ActiveBillions.ShouldBe(activeBillions, $"{id}'s active parameters, in billions ({size})");
    }

    public void EveryModelShouldMention(string text) =>
        Every(m => new[] { m.Id, m.DisplayName, m.Owner }.Any(f => f?.Contains(text, StringComparison.OrdinalIgnoreCase) == true), $"does not mention '{text}' in its id, name or owner");

    private void Every(Func<ModelInfo, bool> holds, string failure)
    {
        _narrowed.ShouldNotBeNull("the model list was not narrowed yet");
        _narrowed.ShouldNotBeEmpty($"nothing is left after narrowing with {_filter}, so nothing can be checked");
        var wrong = _narrowed.Where(m => !holds(m)).Select(m => m.Id).ToList();
        wrong.ShouldBeEmpty($"these models {failure}: {string.Join(", ", wrong)}");
    }

    // ---- lookups ----

    public void LookupShouldSuggest(string id)
    {
        var error = (_lookup ?? throw new InvalidOperationException("No model was looked up yet.")).ShouldFailWith(ErrorKeys.ModelNotFound);
        if (_lookupListing is { FellBackToSnapshot: false } searched && searched.Models.All(m => m.Id != id))
        {
            CatalogDrift.NoteNamed(Endpoint.Provider.Id, id);
            throw new ShouldAssertException($"{CatalogDrift.NotListedFinding(Endpoint.Provider, id)} So it cannot be suggested: {error.Message}");
        }
        error.Message.ShouldContain(id, customMessage: $"a model-not-found error should suggest the close match '{id}': {error.Message}", caseSensitivity: Case.Sensitive);
    }

    // ---- the usage guide's model table ----

    public void Publish(string reportsDirectory)
    {
        ShouldComeFromTheProvider();
        _publishedTo = CatalogReport.Publish(reportsDirectory, Endpoint.Provider.Id, Listing.Models);
        transcript.Record($"catalog of {Endpoint.Provider.Id} published to {_publishedTo}");
    }

    public void PublishedTableShouldListEveryModel()
    {
        _publishedTo.ShouldNotBeNull("the catalog was not published yet");
        var rows = CatalogReport.Read(_publishedTo).Where(r => r.Provider == Endpoint.Provider.Id).ToDictionary(r => r.Id);
        foreach (var model in Listing.Models)
        {
            rows.ShouldContainKey(model.Id, $"the published table lacks {model.Id}");
            rows[model.Id].ShouldBe(CatalogReport.RowOf(model) with { Capabilities = rows[model.Id].Capabilities }, $"the published row of {model.Id}");
            rows[model.Id].Capabilities.ShouldBe(CatalogReport.CapabilityNames(model.Capabilities), $"the published capabilities of {model.Id}");
        }
        rows.Count.ShouldBe(Listing.Models.Count, "the published table should hold exactly the provider's models");
    }

}

using ProviderSpecs.Drivers.Catalog;
using ProviderSpecs.Drivers.Support;
using ProviderSpecs.Drivers.Targets;
using ProviderSpecs.Providers.Catalog;
using ProviderSpecs.Providers.Errors;
using ProviderSpecs.Providers.Registry;
using Shouldly;

namespace ProviderSpecs.Drivers;

/// <summary>Availability: what the registry says about a provider, and whether the provider answers through the layer.</summary>
public sealed class ProviderRegistryDriver(SpecTarget target, ScenarioTranscript transcript)
{
    private Attempt<ProviderDefinition>? _lookup;
    private Attempt<CatalogListing>? _listing;

    public void LookUp(string idOrAlias) =>
        _lookup = Attempt<ProviderDefinition>.Run(() => target.Registry.Resolve(idOrAlias), transcript);

    public ProviderDefinition Found => (_lookup ?? throw new InvalidOperationException("No provider was looked up yet.")).ShouldSucceed();

    public void ShouldAnswerWith(string displayName) => Found.DisplayName.ShouldBe(displayName);

    public void AdapterShouldBe(string adapter) => Found.Adapter.ShouldBe(adapter);

    public void MetadataShouldBe(string field, string expected)
    {
        var provider = Found;
        var actual = field switch
        {
            "base URL" => provider.BaseUrl.ToString().TrimEnd('/'),
            "API key variable" => provider.KeyEnvVar,
            "base-URL override variable" => provider.BaseUrlEnvVar,
            "documentation" => provider.DocsUrl?.ToString().TrimEnd('/'),
            "key prefix" => provider.KeyPrefix ?? "none",
            _ => throw new ArgumentException($"The registry has no field '{field}'; use base URL, API key variable, base-URL override variable, documentation or key prefix."),
        };
        actual.ShouldBe(expected.TrimEnd('/'), $"{provider.DisplayName}'s {field}");
    }

    public ProviderException LookupShouldFailWith(string errorKey) =>
        (_lookup ?? throw new InvalidOperationException("No provider was looked up yet.")).ShouldFailWith(errorKey);

    public void ErrorShouldSuggest(string suggestion) =>
        ((UnknownProviderException)LookupShouldFailWith(ErrorKeys.UnknownProvider)).CloseMatches.ShouldContain(suggestion);

    public void RegistryShouldListAtLeast(int count) => target.Registry.Providers.Count.ShouldBeGreaterThanOrEqualTo(count);

    public void EveryProviderShouldUse(string adapter) =>
        target.Registry.Providers.Where(p => p.Adapter != adapter).Select(p => p.Id).ShouldBeEmpty();

    public async Task ListModelsThroughTheLayerAsync(ProviderDefinition provider, string scenario)
    {
        var endpoint = target.Endpoint(provider.Id, scenario);
        await using var session = endpoint.OpenSession();
        _listing = await Attempt<CatalogListing>.RunAsync(() => session.Catalog.GetModelsAsync(forceRefresh: true), transcript);
        if (_listing is { Succeeded: true, Value: { } listing }) CatalogDrift.Observe(provider, listing, endpoint.Target);
    }

    public void ProviderShouldAnswerLive(int atLeastModels)
    {
        var listing = (_listing ?? throw new InvalidOperationException("No model list was asked for yet.")).ShouldSucceed();
        listing.FellBackToSnapshot.ShouldBeFalse($"the provider did not answer: {listing.FallbackReason}");
        listing.Models.Count.ShouldBeGreaterThanOrEqualTo(atLeastModels);
    }
}

using ProviderSpecs.Drivers.Catalog;
using ProviderSpecs.Drivers.Support;
using ProviderSpecs.Drivers.Targets;
using ProviderSpecs.Providers;
using ProviderSpecs.Providers.Catalog;
using ProviderSpecs.Providers.Credentials;
using ProviderSpecs.Providers.Errors;
using ProviderSpecs.Providers.Registry;
using Shouldly;

namespace ProviderSpecs.Drivers;

/// <summary>Availability: what the registry says about a provider, and whether the provider answers through the layer.</summary>
public sealed class ProviderRegistryDriver(SpecTarget target, ScenarioTranscript transcript)
{
    private Attempt<ProviderDefinition>? _lookup;
    private Attempt<CatalogListing>? _listing;
    private ProviderDefinition? _listedProvider;
    private IReadOnlyList<ProviderDefinition>? _everyProvider;

    public void LookUp(string idOrAlias) =>
        _lookup = Attempt<ProviderDefinition>.Run(() => target.Registry.Resolve(idOrAlias), transcript);

    public ProviderDefinition Found => (_lookup ?? throw new InvalidOperationException("No provider was looked up yet.")).ShouldSucceed();

    public void ShouldAnswerWith(string displayName) => Found.DisplayName.ShouldBe(displayName);

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

    // ---- a session through the provider layer, without sending anything ----

    /// <summary>
    /// An environment with no variables, no <c>.env</c> and no credentials file: a session opened in it takes its base URL
    /// from the registry alone, whatever the machine holds.
    /// </summary>
    private static CredentialEnvironment Nothing => new()
    {
        GetEnvironmentVariable = _ => null,
        WorkingDirectory = Path.Combine(Path.GetTempPath(), "providerspecs-registry-" + Guid.NewGuid().ToString("N")),
        UserConfigDirectory = null,
    };

    /// <summary>
    /// What a team needs from a registry entry to use it: the provider layer opens a session from it alone — at its
    /// registered https base URL, with a key variable to read — and creates a chat client. Nothing is sent.
    /// </summary>
    private string? SessionProblem(ProviderDefinition provider)
    {
        try
        {
            // Opened from the registry the entry was read from, so the entry checked is the one the session uses.
            using var session = ProviderSession.Open(provider.Id,
                new ProviderSessionOptions { ApiKey = "registry-check-not-a-key", Environment = Nothing, Registry = target.Registry });
            if (session.BaseUrlSource != BaseUrlSource.Registry) return $"{provider.Id}: the base URL came from {session.BaseUrlSource}, not the registry";
            if (session.BaseUrl != provider.BaseUrl) return $"{provider.Id}: the session opened at {session.BaseUrl}, not the registered {provider.BaseUrl}";
            if (session.BaseUrl.Scheme != Uri.UriSchemeHttps) return $"{provider.Id}: the registered base URL {session.BaseUrl} is not https";
            if (string.IsNullOrWhiteSpace(provider.KeyEnvVar)) return $"{provider.Id}: the registry names no key variable";
            if (string.IsNullOrWhiteSpace(provider.BaseUrlEnvVar)) return $"{provider.Id}: the registry names no base-URL override variable";
            session.CreateChatClient("any-model");
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return $"{provider.Id}: no session opens from its registry entry: {e.Message}";
        }
    }

    public void SessionShouldOpenAtItsBaseUrl()
    {
        var provider = Found;
        SessionProblem(provider).ShouldBeNull();
        transcript.Record($"a {provider.DisplayName} session opens at {provider.BaseUrl} through the provider layer");
    }

    public void ListEveryProvider() => _everyProvider = target.Registry.Providers;

    private IReadOnlyList<ProviderDefinition> EveryProvider => _everyProvider ?? throw new InvalidOperationException("The registry was not asked for every provider yet.");

    /// <summary>The registry lists exactly these providers (id and name): a provider added or dropped is a change to this list.</summary>
    public void ShouldListExactly(IReadOnlyList<(string Name, string Id)> expected)
    {
        var listed = EveryProvider.Select(p => (p.DisplayName, p.Id)).ToList();
        var missing = expected.Where(e => !listed.Contains(e)).Select(e => $"{e.Name} ({e.Id})").ToList();
        var extra = listed.Where(l => !expected.Contains(l)).Select(l => $"{l.DisplayName} ({l.Id})").ToList();
        missing.ShouldBeEmpty($"the registry does not list these providers (it lists {string.Join(", ", listed.Select(l => l.Id))})");
        extra.ShouldBeEmpty("the registry lists providers this scenario does not name: add them to its table");
    }

    public void EveryProviderShouldOpenASession()
    {
        var problems = EveryProvider.Select(SessionProblem).OfType<string>().ToList();
        problems.ShouldBeEmpty($"{problems.Count} of {EveryProvider.Count} registered providers cannot be used as registered:\n  {string.Join("\n  ", problems)}");
    }

    // ---- the provider's own model list through the layer ----

    public async Task ListModelsThroughTheLayerAsync(ProviderDefinition provider, string scenario)
    {
        var endpoint = target.Endpoint(provider.Id, scenario);
        _listedProvider = provider;
        await using var session = endpoint.OpenSession();
        _listing = await Attempt<CatalogListing>.RunAsync(() => session.Catalog.GetModelsAsync(forceRefresh: true), transcript);
        if (_listing is { Succeeded: true, Value: { } listing }) CatalogDrift.Observe(provider, listing, endpoint.Target);
    }

    /// <summary>The provider answered through the layer with its own list (not the snapshot), of at least one model.</summary>
    public CatalogListing ProviderShouldAnswerLive()
    {
        var listing = (_listing ?? throw new InvalidOperationException("No model list was asked for yet.")).ShouldSucceed();
        listing.FellBackToSnapshot.ShouldBeFalse($"{_listedProvider?.DisplayName} did not answer: {listing.FallbackReason}");
        listing.Models.ShouldNotBeEmpty($"{_listedProvider?.DisplayName} answered with no models");
        return listing;
    }

    /// <summary>
    /// The provider lists at least the given number of models of each kind ("any kind" counts them all). The kind is the
    /// provider's own where it states one (Together AI's <c>type</c>), else the snapshot's.
    /// </summary>
    public void ShouldListAtLeast(IReadOnlyList<(string Kind, int AtLeast)> floors)
    {
        var listing = ProviderShouldAnswerLive();
        var counts = listing.Models.GroupBy(m => m.Kind).ToDictionary(g => g.Key, g => g.Count());
        var seen = string.Join(", ", counts.OrderByDescending(c => c.Value).Select(c => $"{c.Value} {CatalogText.KindName(c.Key)}"));
        var shortfalls = new List<string>();
        foreach (var (kind, atLeast) in floors)
        {
            var count = kind == "any kind" ? listing.Models.Count : counts.GetValueOrDefault(CatalogText.ParseKind(kind));
            if (count < atLeast) shortfalls.Add($"{count} {kind} model(s), fewer than {atLeast}");
        }
        shortfalls.ShouldBeEmpty($"{_listedProvider?.DisplayName} lists {listing.Models.Count} models ({seen}): {string.Join("; ", shortfalls)}");
        transcript.Record($"{_listedProvider?.DisplayName} lists {listing.Models.Count} models: {seen}");
    }
}

using System.Net.Http.Headers;
using System.Text.Json;
using ProviderSpecs.Providers.Errors;
using ProviderSpecs.Providers.Registry;

namespace ProviderSpecs.Providers.Catalog;

/// <summary>A provider's models as one listing: where they came from, and why the snapshot was used if it was.</summary>
public sealed record CatalogListing
{
    public required string ProviderId { get; init; }
    public required IReadOnlyList<ModelInfo> Models { get; init; }
    /// <summary>Live when /models answered (snapshot facts fill its gaps); Snapshot when the fetch failed or was impossible.</summary>
    public required FieldSource Source { get; init; }
    public bool FellBackToSnapshot => Source == FieldSource.Snapshot;
    /// <summary>Why the live list could not be used (error key and message); null when it was.</summary>
    public string? FallbackReason { get; init; }
    public required DateTimeOffset RetrievedAt { get; init; }
    public bool FromCache { get; init; }
}

/// <summary>Lists, filters and looks up a provider's models from <c>GET {base}/models</c>, cached for a TTL.</summary>
public sealed class ModelCatalog
{
    private readonly ProviderDefinition _provider;
    private readonly Uri _baseUrl;
    private readonly HttpClient _http;
    private readonly Func<string?> _apiKey;
    private readonly ModelSnapshot _snapshot;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private CatalogListing? _cached;

    /// <param name="apiKey">Returns the key, or null when none resolves (the catalog then uses the snapshot and says so).</param>
    public ModelCatalog(ProviderDefinition provider, Uri baseUrl, HttpClient http, Func<string?> apiKey,
        TimeSpan timeToLive, ModelSnapshot? snapshot = null, TimeProvider? timeProvider = null)
    {
        _provider = provider;
        _baseUrl = baseUrl;
        _http = http;
        _apiKey = apiKey;
        TimeToLive = timeToLive;
        _snapshot = snapshot ?? ModelSnapshot.Default;
        _time = timeProvider ?? TimeProvider.System;
    }

    public TimeSpan TimeToLive { get; }

    /// <summary>
    /// How long a snapshot fallback (failed or impossible <c>/models</c>) is cached before the live list is tried
    /// again; capped at <see cref="TimeToLive"/>. Default 30 s.
    /// </summary>
    public TimeSpan FallbackTimeToLive { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest wait for <c>/models</c> (the session's own HttpClient has no timeout); on expiry the snapshot is used. Default 30 s.</summary>
    public TimeSpan FetchTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public async Task<CatalogListing> GetModelsAsync(bool forceRefresh = false, CancellationToken cancellationToken = default)
    {
        if (!forceRefresh && Fresh(_cached) is { } hit) return hit with { FromCache = true };
        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!forceRefresh && Fresh(_cached) is { } raced) return raced with { FromCache = true };
            var listing = await FetchAsync(cancellationToken).ConfigureAwait(false);
            _cached = listing;
            return listing;
        }
        finally
        {
            _refresh.Release();
        }
    }

    public async Task<IReadOnlyList<ModelInfo>> ListAsync(ModelFilter? filter = null, CancellationToken cancellationToken = default)
    {
        var listing = await GetModelsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        return filter is null ? listing.Models : listing.Models.Where(filter.Matches).ToList();
    }

    /// <summary>The model with this id; a <c>model-not-found</c> <see cref="ProviderException"/> listing close ids otherwise.</summary>
    public async Task<ModelInfo> GetAsync(string modelId, CancellationToken cancellationToken = default)
    {
        var listing = await GetModelsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var match = listing.Models.FirstOrDefault(m => string.Equals(m.Id, modelId, StringComparison.OrdinalIgnoreCase));
        if (match is not null) return match;
        var close = NameMatcher.CloseMatches(modelId, listing.Models.Select(m => m.Id));
        throw new ProviderException(ErrorKeys.ModelNotFound,
            $"{_provider.DisplayName} has no model '{modelId}'."
            + (close.Count > 0 ? $" Did you mean: {string.Join(", ", close)}?" : "")
            + $" {listing.Models.Count} models are listed ({(listing.FellBackToSnapshot ? "from the bundled snapshot" : "live")}).")
        {
            ProviderId = _provider.Id, Model = modelId,
        };
    }

    private CatalogListing? Fresh(CatalogListing? listing) =>
        listing is not null && _time.GetUtcNow() - listing.RetrievedAt < (listing.FellBackToSnapshot ? Min(FallbackTimeToLive, TimeToLive) : TimeToLive)
            ? listing : null;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private async Task<CatalogListing> FetchAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var key = _apiKey();
        if (key is null) return FromSnapshot(now, $"{ErrorKeys.MissingCredential}: no {_provider.DisplayName} key, so /models was not called");
        using var timeout = new CancellationTokenSource(FetchTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_baseUrl.ToString().TrimEnd('/') + "/models"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            using var response = await _http.SendAsync(request, linked.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(linked.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw ErrorMapper.FromHttpResponse((int)response.StatusCode, body,
                    name => response.Headers.TryGetValues(name, out var v) ? v.FirstOrDefault() : null, _provider, null);
            }
            var models = ModelNormaliser.Parse(body, _provider)
                .Select(m => ModelNormaliser.Enrich(m, _snapshot.Find(_provider.Id, m.Id)))
                .ToList();
            return new CatalogListing { ProviderId = _provider.Id, Models = models, Source = FieldSource.Live, RetrievedAt = now };
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return FromSnapshot(now, $"{ErrorKeys.Timeout}: {_provider.DisplayName} /models did not answer within {FetchTimeout.TotalSeconds:0.###} s (ModelCatalog.FetchTimeout)");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var error = ErrorMapper.FromException(e, _provider, null).Redacted(key); // the reason is shown: never with the key
            return FromSnapshot(now, $"{error.ErrorKey}: {error.Message}");
        }
    }

    private CatalogListing FromSnapshot(DateTimeOffset now, string reason) => new()
    {
        ProviderId = _provider.Id,
        Models = _snapshot.ForProvider(_provider.Id),
        Source = FieldSource.Snapshot,
        FallbackReason = $"{reason}. Showing the bundled snapshot ({_snapshot.SourceDescription}).",
        RetrievedAt = now,
    };
}

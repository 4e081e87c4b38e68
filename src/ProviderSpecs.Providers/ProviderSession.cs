using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using OpenAI;
using ProviderSpecs.Providers.Catalog;
using ProviderSpecs.Providers.Chat;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ProviderSpecs.Providers.Credentials;
using ProviderSpecs.Providers.Logging;
using CredentialResolver = ProviderSpecs.Providers.Credentials.CredentialResolver;
using ProviderSpecs.Providers.Registry;
using ProviderSpecs.Providers.Resilience;
using ProviderSpecs.Providers.Telemetry;

namespace ProviderSpecs.Providers;

/// <summary>Everything a session may override. <see cref="ToString"/> masks the key.</summary>
public sealed record ProviderSessionOptions
{
    /// <summary>Source (1) of the credential chain.</summary>
    public string? ApiKey { get; init; }
    /// <summary>Overrides the <c>*_BASE_URL</c> variable and the registry default (e.g. a simulator on 127.0.0.1).</summary>
    public Uri? BaseUrl { get; init; }
    /// <summary>Shared HttpClient (connection pooling, test handlers). When null the session creates and owns one.</summary>
    public HttpClient? HttpClient { get; init; }
    public ResilienceOptions Resilience { get; init; } = new();
    public TelemetryOptions Telemetry { get; init; } = new();
    /// <summary>Environment, working directory and config directory the credential chain reads; the process by default.</summary>
    public CredentialEnvironment? Environment { get; init; }
    public ProviderRegistry? Registry { get; init; }
    public ModelSnapshot? Snapshot { get; init; }
    public TimeSpan CatalogTimeToLive { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>How long a snapshot fallback (failed <c>/models</c>) is cached before the live list is retried. Default 30 s.</summary>
    public TimeSpan CatalogFallbackTimeToLive { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Longest wait for <c>/models</c> before falling back to the snapshot. Default 30 s.</summary>
    public TimeSpan CatalogTimeout { get; init; } = TimeSpan.FromSeconds(30);
    public TimeProvider? TimeProvider { get; init; }
    /// <summary>
    /// Paces every chat attempt under the rate limits the provider announces (headers, 429s). Null (default): no pacing.
    /// Share one pacer between the sessions of one account (e.g. every scenario of a live run).
    /// </summary>
    public RateLimitPacer? RateLimits { get; init; }

    /// <summary>
    /// Where the session logs (categories in <see cref="ProviderLog"/>): the credential source (key masked), each retry and
    /// why, answers, failures with their error key, fallbacks and budget refusals. Null (default): nothing is logged.
    /// </summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Whether the session disposes <see cref="HttpClient"/> with itself (for a client made for this session alone).</summary>
    internal bool OwnsHttpClient { get; init; }

    public override string ToString() =>
        $"ProviderSessionOptions(ApiKey={(ApiKey is null ? "none" : KeyMask.Mask(ApiKey))}, BaseUrl={BaseUrl?.ToString() ?? "default"}, "
        + $"HttpClient={(HttpClient is null ? "owned" : "shared")}, Resilience={Resilience}, Telemetry={Telemetry})";
}

/// <summary>Where the session's base URL came from.</summary>
public enum BaseUrlSource { SessionOption, EnvironmentVariable, Registry }

/// <summary>
/// The entry point: one provider with its resolved base URL, credential chain, catalog, resilience pipeline and
/// a chat client per model.
/// </summary>
public sealed class ProviderSession : IAsyncDisposable, IDisposable
{
    private readonly ProviderSessionOptions _options;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly CredentialResolver _credentials;
    private readonly Lazy<CredentialResolution> _credential;
    private readonly ProviderRegistry _registry;

    private ProviderSession(ProviderDefinition provider, ProviderSessionOptions options, ProviderRegistry registry)
    {
        _options = options;
        _registry = registry;
        Provider = provider;
        var environment = options.Environment ?? CredentialEnvironment.FromProcess();
        (BaseUrl, BaseUrlSource) = ResolveBaseUrl(provider, options.BaseUrl, environment);
        _credentials = CredentialResolver.Standard(options.ApiKey, environment);
        LoggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        var sessionLog = LoggerFactory.CreateLogger(ProviderLog.SessionCategory);
        _credential = new Lazy<CredentialResolution>(() => LogResolution(_credentials.Resolve(Provider), sessionLog));
        _ownsHttp = options.HttpClient is null || options.OwnsHttpClient;
        _http = options.HttpClient ?? new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = options.Resilience.ConnectTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        })
        {
            // Our own first-token and total timeouts govern; HttpClient's 100 s default would cut long streams.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        Resilience = new ProviderResilience(options.Resilience, options.TimeProvider, LoggerFactory.CreateLogger(ProviderLog.ChatCategory));
        Catalog = new ModelCatalog(provider, BaseUrl, _http, () => Credential.Key, options.CatalogTimeToLive,
            options.Snapshot, options.TimeProvider)
        {
            FallbackTimeToLive = options.CatalogFallbackTimeToLive,
            FetchTimeout = options.CatalogTimeout,
        };
        ProviderLog.SessionOpened(sessionLog, provider.Id, BaseUrl, BaseUrlSource);
    }

    private static CredentialResolution LogResolution(CredentialResolution resolution, ILogger log)
    {
        if (resolution.Found) ProviderLog.CredentialResolved(log, resolution.Provider.Id, resolution.MaskedKey, resolution.Source ?? "?");
        else ProviderLog.CredentialMissing(log, resolution.Provider.Id, resolution.Provider.KeyEnvVar);
        // Warnings show keys masked already; redacted again in case a source quoted more than it should.
        foreach (var warning in resolution.Warnings) ProviderLog.CredentialWarning(log, resolution.Provider.Id, ProviderLog.Redact(warning, resolution.Key));
        return resolution;
    }

    /// <summary>Where this session logs (a no-op factory when none was given).</summary>
    public ILoggerFactory LoggerFactory { get; }

    /// <summary>Opens a session for a provider id or alias (<c>groq</c>, <c>together</c>, …).</summary>
    public static ProviderSession Open(string providerIdOrAlias, ProviderSessionOptions? options = null)
    {
        options ??= new ProviderSessionOptions();
        var registry = options.Registry ?? ProviderRegistry.Default;
        return new ProviderSession(registry.Resolve(providerIdOrAlias), options, registry);
    }

    public ProviderDefinition Provider { get; }
    public Uri BaseUrl { get; }
    public BaseUrlSource BaseUrlSource { get; }
    public ModelCatalog Catalog { get; }
    public ProviderResilience Resilience { get; }

    /// <summary>The credential chain's answer (resolved once per session). Does not throw; see <see cref="CredentialResolution.RequireKey"/>.</summary>
    public CredentialResolution Credential => _credential.Value;

    /// <summary>
    /// A chat client for one model. Throws <see cref="MissingCredentialException"/> when no key resolves.
    /// </summary>
    public ProviderChatClient CreateChatClient(string model)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        var key = Credential.RequireKey();
        var sdkOptions = new OpenAIClientOptions
        {
            Endpoint = BaseUrl,
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            Transport = new HttpClientPipelineTransport(_http),
            // Timeouts are ours (ResilienceOptions); the SDK's own network timeout would race them.
            NetworkTimeout = Timeout.InfiniteTimeSpan,
        };
        sdkOptions.AddPolicy(new ProviderWirePolicy(), PipelinePosition.PerTry);
        // The SDK's chat client with a hook that hands streamed responses to the layer's own SSE reader (one streaming path:
        // the SDK builds and sends every request, ProviderStreamingChatClient reads every event stream).
        IChatClient chat = new ProviderStreamingChatClient(new ProviderSdkChatClient(model, new ApiKeyCredential(key), sdkOptions).AsIChatClient());
        if (_options.Telemetry.Enabled)
        {
            chat = chat.AsBuilder()
                .UseOpenTelemetry(sourceName: ProviderTelemetry.ActivitySourceName,
                    configure: otel => otel.EnableSensitiveData = _options.Telemetry.EnableSensitiveData)
                .Build();
        }
        return new ProviderChatClient(chat, Provider, _registry.CommonOptions, model, Resilience, _options.Telemetry, _options.RateLimits)
        {
            Logger = LoggerFactory.CreateLogger(ProviderLog.ChatCategory),
            LoggerFactory = LoggerFactory,
            Key = key,
        };
    }

    private static (Uri, BaseUrlSource) ResolveBaseUrl(ProviderDefinition provider, Uri? explicitUrl, CredentialEnvironment environment)
    {
        if (explicitUrl is not null) return (Validated(explicitUrl.ToString(), "the BaseUrl session option"), BaseUrlSource.SessionOption);
        var fromEnv = environment.GetEnvironmentVariable(provider.BaseUrlEnvVar);
        if (!string.IsNullOrWhiteSpace(fromEnv)) return (Validated(fromEnv.Trim(), $"environment variable {provider.BaseUrlEnvVar}"), BaseUrlSource.EnvironmentVariable);
        return (provider.BaseUrl, BaseUrlSource.Registry);
    }

    private static Uri Validated(string url, string origin) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new ArgumentException($"The base URL from {origin} ('{url}') is not an absolute http(s) URL; use a form like https://api.groq.com/openai/v1 or http://127.0.0.1:5000/v1.");

    public async ValueTask DisposeAsync()
    {
        await Resilience.DisposeAsync().ConfigureAwait(false);
        if (_ownsHttp) _http.Dispose();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    public override string ToString() => $"ProviderSession({Provider.Id} @ {BaseUrl} [{BaseUrlSource}], key {Credential.MaskedKey})";
}

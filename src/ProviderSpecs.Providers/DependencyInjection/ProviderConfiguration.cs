using ProviderSpecs.Providers.Resilience;
using ProviderSpecs.Providers.Telemetry;

namespace ProviderSpecs.Providers.DependencyInjection;

/// <summary>
/// One provider's configuration: the section <c>Providers:&lt;name&gt;</c> bound through the options pattern (named options,
/// the name being the section's key). Every value is optional; what is not given keeps the layer's default.
/// <code>
/// "Providers": {
///   "groq": { "Models": [ "llama-3.1-8b-instant" ], "Resilience": { "MaxRetries": 3, "FirstTokenTimeout": "00:00:20" },
///             "Telemetry": { "Enabled": true }, "PaceRateLimits": true },
///   "together": { "BaseUrl": "https://api.together.xyz/v1", "Models": [ "meta-llama/Llama-3.3-70B-Instruct-Turbo" ] }
/// }
/// </code>
/// </summary>
public sealed class ProviderConfiguration
{
    private static readonly ProviderSessionOptions Defaults = new();

    /// <summary>The registry id or alias (<c>groq</c>, <c>together</c>, …). Default: the section's name, so two sections can configure one provider twice.</summary>
    public string? Provider { get; set; }

    /// <summary>Overrides the <c>*_BASE_URL</c> variable and the registry's URL (e.g. a proxy, a regional endpoint, a simulator).</summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>
    /// Source (1) of the credential chain. Keep keys out of <c>appsettings.json</c>: leave this empty and set
    /// <c>GROQ_API_KEY</c> / <c>TOGETHER_API_KEY</c>, or bind it from a secret store's configuration provider.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>Models registered as keyed <c>IChatClient</c> services (key <c>"&lt;name&gt;/&lt;model&gt;"</c>, see <see cref="ProviderSpecsKeys.ChatClient"/>).</summary>
    public List<string> Models { get; set; } = [];

    /// <summary>Timeouts, retries and the concurrency limit (<c>Providers:&lt;name&gt;:Resilience:MaxRetries</c>, <c>…:MaxConcurrency</c>, …).</summary>
    public ResilienceOptions Resilience { get; set; } = new();

    /// <summary>OpenTelemetry spans and metrics (<c>Providers:&lt;name&gt;:Telemetry:Enabled</c>); off by default.</summary>
    public TelemetryOptions Telemetry { get; set; } = new();

    /// <summary>Pace requests under the rate limits the provider announces, with the one <see cref="RateLimitPacer"/> every session of the container shares. Off by default.</summary>
    public bool PaceRateLimits { get; set; }

    /// <summary>A spend cap for this provider (requests and output tokens); a request it cannot cover is refused before it is sent (<c>budget-exhausted</c>). None by default.</summary>
    public BudgetConfiguration? Budget { get; set; }

    public TimeSpan CatalogTimeToLive { get; set; } = Defaults.CatalogTimeToLive;
    public TimeSpan CatalogFallbackTimeToLive { get; set; } = Defaults.CatalogFallbackTimeToLive;
    public TimeSpan CatalogTimeout { get; set; } = Defaults.CatalogTimeout;

    /// <summary>The registry id or alias this configuration is for.</summary>
    public string ProviderFor(string name) => string.IsNullOrWhiteSpace(Provider) ? name : Provider;

    public override string ToString() =>
        $"ProviderConfiguration(Provider={Provider ?? "(section name)"}, BaseUrl={BaseUrl?.ToString() ?? "default"}, ApiKey={(ApiKey is null ? "none" : Credentials.KeyMask.Mask(ApiKey))}, Models={Models.Count})";
}

/// <summary>The most one provider may spend through this container (<c>Providers:&lt;name&gt;:Budget</c>).</summary>
public sealed class BudgetConfiguration
{
    public long? MaxRequests { get; set; }
    public long? MaxTokens { get; set; }
}

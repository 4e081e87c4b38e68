using ProviderSpecs.Providers;
using ProviderSpecs.Providers.Credentials;
using ProviderSpecs.Providers.Registry;
using ProviderSpecs.Providers.Resilience;
using ProviderSpecs.Simulators;

namespace ProviderSpecs.Drivers.Targets;

/// <summary>
/// Where one scenario reaches one provider: on the simulated target a scope of the simulator with its own key
/// (faults and request logs stay inside the scenario); on the live target the real base URL and the key the
/// credential chain finds.
/// </summary>
public sealed class ProviderEndpoint
{
    internal ProviderEndpoint(ProviderDefinition provider, TargetKind target, Uri? baseUrl, string? apiKey, SimulatorScope? scope, HttpClient http,
        RateLimitPacer? pacer = null)
    {
        Pacer = pacer;
        Provider = provider;
        Target = target;
        BaseUrl = baseUrl;
        ApiKey = apiKey;
        Scope = scope;
        Http = http;
    }

    public ProviderDefinition Provider { get; }
    public TargetKind Target { get; }

    /// <summary>The simulator's base URL; null on the live target (the registry or *_BASE_URL decides).</summary>
    public Uri? BaseUrl { get; }

    /// <summary>The scope's test key on the simulated target; null on the live target (the credential chain decides).</summary>
    public string? ApiKey { get; }

    /// <summary>The scenario's simulator scope; null on the live target.</summary>
    public SimulatorScope? Scope { get; }

    /// <summary>Shared per run, so connections are pooled as in production.</summary>
    public HttpClient Http { get; }

    /// <summary>
    /// Where the credential chain and the <c>*_BASE_URL</c> variables are read; null is the process (the normal case).
    /// A test gives the target an environment of its own to aim a live-shaped endpoint at a simulator.
    /// </summary>
    public CredentialEnvironment? Environment { get; internal init; }

    /// <summary>The simulator scope, for steps that inject faults or read what the provider received.</summary>
    public SimulatorScope RequireScope() => Scope ?? throw new InvalidOperationException(
        $"This step needs the simulated {Provider.DisplayName}: tag the scenario @simulator_only so the live target skips it.");

    /// <summary>The run's rate-limit pacer on the live target (null on the simulated one): every session of the run shares it.</summary>
    public RateLimitPacer? Pacer { get; }

    /// <summary>
    /// Live, a Retry-After up to this long is waited out rather than failing the call: a per-minute window (Groq's free plan
    /// counts requests per minute) can ask for most of a minute.
    /// </summary>
    public static readonly TimeSpan LiveMaxRetryAfter = TimeSpan.FromSeconds(65);

    /// <summary>
    /// Live, waiting for rate-limit room is part of a call: a Retry-After up to <see cref="LiveMaxRetryAfter"/> is waited
    /// out, and the whole-call timeout leaves that much room beyond the first-token timeout.
    /// </summary>
    private static ResilienceOptions Paced(ResilienceOptions resilience) => resilience with
    {
        MaxRetryAfter = resilience.MaxRetryAfter >= LiveMaxRetryAfter ? resilience.MaxRetryAfter : LiveMaxRetryAfter,
        TotalTimeout = resilience.TotalTimeout >= resilience.FirstTokenTimeout + LiveMaxRetryAfter ? resilience.TotalTimeout : resilience.FirstTokenTimeout + LiveMaxRetryAfter,
    };

    /// <summary>
    /// Opens a provider-layer session aimed at this endpoint; <paramref name="configure"/> may change anything else. On the
    /// live target the session is always paced by the run's pacer and waits out a Retry-After up to <see cref="LiveMaxRetryAfter"/>.
    /// </summary>
    public ProviderSession OpenSession(Func<ProviderSessionOptions, ProviderSessionOptions>? configure = null)
    {
        var options = new ProviderSessionOptions { ApiKey = ApiKey, BaseUrl = BaseUrl, HttpClient = Http, Environment = Environment };
        var configured = configure is null ? options : configure(options);
        if (Pacer is not null) configured = configured with { RateLimits = configured.RateLimits ?? Pacer, Resilience = Paced(configured.Resilience) };
        return ProviderSession.Open(Provider.Id, configured);
    }

    /// <summary>
    /// Opens a session aimed at this endpoint with its own HTTP client, resilience or catalog timeout. The base URL and
    /// the key stay the endpoint's business — explicit on the simulated target, the registry (or <c>*_BASE_URL</c>) and
    /// the credential chain on the live one — so a driver never copies them and one code path serves both targets.
    /// <paramref name="apiKey"/> is a key the scenario gives on purpose (an invalid one, say), ahead of the endpoint's.
    /// </summary>
    public ProviderSession OpenSession(HttpClient? http, ResilienceOptions? resilience = null, TimeSpan? catalogTimeout = null, string? apiKey = null) =>
        OpenSession(o => o with
        {
            ApiKey = apiKey ?? o.ApiKey,
            HttpClient = http ?? o.HttpClient,
            Resilience = resilience ?? o.Resilience,
            CatalogTimeout = catalogTimeout ?? o.CatalogTimeout,
        });
}

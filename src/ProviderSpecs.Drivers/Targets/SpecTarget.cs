using ProviderSpecs.Drivers.Support;
using ProviderSpecs.Providers.Budget;
using ProviderSpecs.Providers.Credentials;
using ProviderSpecs.Providers.Registry;
using ProviderSpecs.Providers.Resilience;
using ProviderSpecs.Simulators;

namespace ProviderSpecs.Drivers.Targets;

/// <summary>
/// The target of one test run, started once: the simulated providers on 127.0.0.1 (default), or the live APIs
/// when SPECS_TARGET=live. Scenarios ask it for a <see cref="ProviderEndpoint"/> per provider.
/// </summary>
public sealed class SpecTarget : IAsyncDisposable
{
    /// <summary>Functional scenarios run the simulators' latency profiles scaled down by this factor, so they stay fast;
    /// performance scenarios set their scope back to 1.0 (the profile is the ground truth).</summary>
    public const double FunctionalTimeScale = 0.02;

    public const string SimulatorOnlyTag = "simulator_only";

    private SpecTarget(TargetKind kind, SimulatedProviders? simulators, LiveBudget budget, CredentialEnvironment? credentialEnvironment = null,
        TargetAlterations? alterations = null)
    {
        Kind = kind;
        _registry = alterations?.Registry;
        InTheClient = alterations?.InTheClient;
        CredentialEnvironment = credentialEnvironment;
        Simulators = simulators;
        Budget = budget;
        Pacer = kind == TargetKind.Live ? LivePacer(Environment.GetEnvironmentVariable) : null;
        // Every request reserves from the budget: live, it is what SPECS_LIVE_MAX_* allow; simulated, a counting budget,
        // so each scenario's spend is metered on both targets and checked against what its steps declare.
        HttpMessageHandler network = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), MaxConnectionsPerServer = 512 };
        Handler = new LiveBudgetHandler(budget, alterations?.OnTheWire is { } wire ? wire(network) : network);
        Http = new HttpClient(Handler, disposeHandler: false)
        {
            Timeout = Timeout.InfiniteTimeSpan, // the provider layer's own timeouts govern
        };
    }

    public TargetKind Kind { get; }
    public SimulatedProviders? Simulators { get; }
    public LiveBudget Budget { get; }

    /// <summary>
    /// Live: paces every chat request of the run under the limits the providers announce (headers and 429s), so a
    /// free-plan key completes the run slower instead of meeting a storm of 429s. Null on the simulated target.
    /// </summary>
    public RateLimitPacer? Pacer { get; }

    /// <summary>
    /// The live run's pacer, told the account's request limits that <see cref="RateLimitPacer.DeclaredLimitsVariable"/>
    /// declares (e.g. <c>groq:30/minute</c> for a free Groq key, whose headers give requests per day only): the bursts the
    /// account cannot take are then skipped before anything is sent, instead of after their first 429s.
    /// </summary>
    public static RateLimitPacer LivePacer(Func<string, string?> getVariable)
    {
        var pacer = new RateLimitPacer();
        if (getVariable(RateLimitPacer.DeclaredLimitsVariable) is { Length: > 0 } declared) pacer.Declare(declared);
        return pacer;
    }
    public HttpClient Http { get; }

    /// <summary>
    /// The handler chain every request of the run goes through: the live budget (counting only, on the simulated
    /// target), then pooled connections. A driver that records requests puts its own handler in front of it
    /// (<c>new HttpClient(recorder, disposeHandler: false)</c>), never a fresh connection handler that would bypass the budget.
    /// </summary>
    public HttpMessageHandler Handler { get; }
    public ProviderRegistry Registry => _registry ?? ProviderRegistry.Default;

    private readonly ProviderRegistry? _registry;

    /// <summary>A handler the drivers' provider-layer sessions send through before their requests are recorded as sent (tests only; see <see cref="TargetAlterations"/>).</summary>
    internal Func<HttpMessageHandler, HttpMessageHandler>? InTheClient { get; }

    /// <summary>
    /// Where the live target's credential chain and <c>*_BASE_URL</c> variables are read: null (the normal case) is the
    /// process — its environment, <c>.env</c> in the working directory and the user's credentials file.
    /// </summary>
    public CredentialEnvironment? CredentialEnvironment { get; }

    /// <param name="credentialEnvironment">For tests: the environment the credential chain and the <c>*_BASE_URL</c>
    /// variables are read from instead of the process's, e.g. to aim a live-shaped target at a simulator on 127.0.0.1.</param>
    /// <param name="alterations">For the drivers' own tests: a system altered so that a check must fail (see <see cref="TargetAlterations"/>).</param>
    public static async Task<SpecTarget> StartAsync(TargetKind kind, string? fixturesDirectory = null, CredentialEnvironment? credentialEnvironment = null,
        TargetAlterations? alterations = null)
    {
        if (kind == TargetKind.Live)
            return new SpecTarget(kind, null, LiveBudget.FromEnvironment(), credentialEnvironment, alterations);
        var simulators = await SimulatedProviders.StartAsync(new SimulatorOptions
        {
            FixturesDirectory = fixturesDirectory,
            TimeScale = FunctionalTimeScale,
        });
        foreach (var simulator in simulators)
        {
            RunKeys.Note(simulator.DefaultApiKey);
            RequireLoopback(simulator.BaseUrl, simulator.Id);
        }
        return new SpecTarget(kind, simulators, LiveBudget.Counting(), credentialEnvironment, alterations);
    }

    /// <summary>
    /// Why a scenario cannot run on this target, or null when it can: fault injection needs the simulators, and a
    /// live provider needs a key. Such scenarios are skipped with this reason — never failed, never passed.
    /// </summary>
    public string? SkipReason(IEnumerable<string> tags)
    {
        if (Kind != TargetKind.Live) return null;
        var tagSet = tags.ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (tagSet.Contains(SimulatorOnlyTag))
            return "Skipped on the live target: the scenario injects faults or inspects the provider's side, which only the simulated target allows.";
        foreach (var provider in Registry.Providers.Where(p => tagSet.Contains(p.Id)))
        {
            var credential = CredentialResolver.Standard(environment: CredentialEnvironment).Resolve(provider);
            if (!credential.Found)
                return $"Skipped on the live target: no {provider.DisplayName} key resolves (set {provider.KeyEnvVar}).";
        }
        return null;
    }

    /// <summary>The endpoint of <paramref name="providerIdOrName"/> for one scenario (a fresh simulator scope each call).</summary>
    public ProviderEndpoint Endpoint(string providerIdOrName, string scenarioName)
    {
        var provider = ResolveProvider(providerIdOrName);
        if (Kind == TargetKind.Live)
            return new ProviderEndpoint(provider, Kind, null, null, null, Http, Pacer) { Environment = CredentialEnvironment };

        var simulated = Simulators!.FirstOrDefault(s => s.Id == provider.Id)
            ?? throw new InvalidOperationException($"{provider.DisplayName} has no simulator; the simulated target serves {string.Join(", ", Simulators!.Select(s => s.Id))}.");
        // Checked before a scope (and its key) exists: a simulated run never sends anything off this machine.
        var baseUrl = RequireLoopback(simulated.BaseUrl, provider.DisplayName);
        var scope = simulated.OpenScope(scenarioName);
        RunKeys.Note(scope.ApiKey);
        return new ProviderEndpoint(provider, Kind, baseUrl, scope.ApiKey, scope, Http) { Environment = CredentialEnvironment };
    }

    /// <summary>
    /// Refuses a simulated endpoint whose base URL is not on the loopback interface: the simulated target hands out
    /// test keys and fault-injecting scopes, so its requests must never leave 127.0.0.1. Returns the URL when it is loopback.
    /// The simulated target always passes this URL explicitly, so <c>*_BASE_URL</c> variables are never consulted.
    /// </summary>
    public static Uri RequireLoopback(Uri baseUrl, string providerName)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        if (baseUrl.IsAbsoluteUri && baseUrl.IsLoopback) return baseUrl;
        var host = baseUrl.IsAbsoluteUri ? baseUrl.Host : baseUrl.OriginalString;
        throw new InvalidOperationException(
            $"Refusing the simulated {providerName} endpoint {baseUrl}: its host '{host}' is not on the loopback interface. "
            + "A simulated run only talks to simulators on 127.0.0.1; to reach a real provider run with SPECS_TARGET=live.");
    }

    /// <summary>Accepts an id, an alias or a display name ("Together AI").</summary>
    public ProviderDefinition ResolveProvider(string idOrName) =>
        Registry.Providers.FirstOrDefault(p => string.Equals(p.DisplayName, idOrName, StringComparison.OrdinalIgnoreCase))
        ?? Registry.Resolve(idOrName);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        Handler.Dispose();
        if (Simulators is not null) await Simulators.DisposeAsync();
    }
}

/// <summary>
/// For the drivers' own tests: the system altered so that a check must fail, as it would against a faulty client, proxy,
/// provider or registry. A run of the features never sets any of these.
/// </summary>
public sealed record TargetAlterations
{
    /// <summary>The registry the target resolves providers in and opens registry sessions from, instead of the bundled one.</summary>
    public ProviderRegistry? Registry { get; init; }

    /// <summary>
    /// Wraps what the provider layer's sessions send through, in front of the record of requests as they left the client
    /// (<see cref="ScenarioEndpoints.Sent"/>): a client that changes what it sends (drops a parameter, trims a conversation).
    /// </summary>
    public Func<HttpMessageHandler, HttpMessageHandler>? InTheClient { get; init; }

    /// <summary>
    /// Wraps the network, behind the live budget and behind the record of requests as sent: a proxy or provider that changes
    /// what the provider receives or what it answers.
    /// </summary>
    public Func<HttpMessageHandler, HttpMessageHandler>? OnTheWire { get; init; }
}

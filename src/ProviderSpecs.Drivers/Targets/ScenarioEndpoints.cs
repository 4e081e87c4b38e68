using ProviderSpecs.Drivers.Support;
using ProviderSpecs.Providers;
using ProviderSpecs.Providers.Registry;

namespace ProviderSpecs.Drivers.Targets;

/// <summary>
/// The endpoints of one scenario, one per provider, so every driver of the scenario shares a simulator scope (a fault
/// injected by one is seen by the other's calls), and one provider-layer session per provider, closed with the
/// scenario.
/// </summary>
public sealed class ScenarioEndpoints(SpecTarget target) : IAsyncDisposable
{
    private readonly Dictionary<string, ProviderEndpoint> _endpoints = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ProviderSession> _sessions = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>The target's shared HTTP handler chain (live budget, pacing, pooled connections), for a driver that adds a handler of its own.</summary>
    public HttpMessageHandler SharedHandler => target.Handler;

    private SentRequests? _sent;
    private HttpClient? _sentClient;

    /// <summary>
    /// The chat requests the scenario's sessions (<see cref="Session"/>) sent, as they left the client, with the answers
    /// that came as one JSON document: what the client asked of the provider, readable on the live target too.
    /// </summary>
    public SentRequests Sent
    {
        get
        {
            lock (_lock) return _sent ??= new SentRequests(target.Handler);
        }
    }

    /// <summary>
    /// A client whose chat requests are kept as they left the client (<see cref="Sent"/>). A test of the drivers may put a
    /// handler of the client in front of the record (<see cref="TargetAlterations.InTheClient"/>).
    /// </summary>
    public HttpClient CreateSentClient() => target.InTheClient is { } client
        ? new HttpClient(client(Sent), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan }
        : Sent.CreateClient();

    /// <summary>The scenario's session with <paramref name="provider"/>, opened on first use.</summary>
    public ProviderSession Session(ProviderDefinition provider, string scenario)
    {
        var endpoint = For(provider, scenario);
        lock (_lock)
        {
            if (!_sessions.TryGetValue(provider.Id, out var session))
            {
                _sessions[provider.Id] = session = endpoint.OpenSession(http: _sentClient ??= CreateSentClient());
                if (session.Credential.Key is { } key) RunKeys.Note(key); // on the live target, the real key is a canary of the run
            }
            return session;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var session in _sessions.Values) await session.DisposeAsync();
        _sessions.Clear();
        _sentClient?.Dispose();
        _sent?.Dispose();
    }

    public ProviderEndpoint For(ProviderDefinition provider, string scenario)
    {
        lock (_lock)
        {
            if (!_endpoints.TryGetValue(provider.Id, out var endpoint))
                _endpoints[provider.Id] = endpoint = target.Endpoint(provider.Id, scenario);
            return endpoint;
        }
    }

    /// <summary>The model the reliability and integration scenarios use: small, cheap, served by both targets.</summary>
    public static string EverydayModel(ProviderDefinition provider) => provider.Id switch
    {
        "groq" => "llama-3.1-8b-instant",
        "together_ai" => "meta-llama/Meta-Llama-3-8B-Instruct-Lite",
        _ => throw new ArgumentException($"No everyday model is chosen for {provider.DisplayName}; the reliability features cover Groq and Together AI."),
    };
}

using ProviderSpecs.Drivers.Targets;
using ProviderSpecs.Providers.Registry;

namespace ProviderSpecs.Drivers.Reliability;

/// <summary>
/// The endpoints of one scenario, one per provider, so the reliability and integration drivers of the same scenario
/// share a simulator scope: a fault injected by one is seen by the other's calls.
/// </summary>
public sealed class ScenarioEndpoints(SpecTarget target)
{
    private readonly Dictionary<string, ProviderEndpoint> _endpoints = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

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

using Microsoft.Extensions.Options;
using ProviderSpecs.Providers.Credentials;
using ProviderSpecs.Providers.Registry;

namespace ProviderSpecs.Providers.DependencyInjection;

/// <summary>
/// The credential chain as a service: for a configured provider name (or any provider id), the key from
/// <c>Providers:&lt;name&gt;:ApiKey</c> → <c>*_API_KEY</c> → <c>./.env</c> → the user's credentials file, with every step
/// explained and the key masked wherever it is shown. The sessions of the container use the same chain.
/// </summary>
public sealed class ProviderCredentials(IOptionsMonitor<ProviderConfiguration> configurations, ProviderRegistry registry, CredentialEnvironment environment)
{
    /// <summary>The chain for one provider name, in the order its sources are consulted.</summary>
    public CredentialResolver ChainFor(string name)
    {
        var configuration = configurations.Get(name);
        return CredentialResolver.Standard(string.IsNullOrWhiteSpace(configuration.ApiKey) ? null : configuration.ApiKey, environment);
    }

    /// <summary>Walks the chain for one provider name. Does not throw when no key is found (see <see cref="CredentialResolution.Found"/>).</summary>
    public CredentialResolution Resolve(string name) =>
        ChainFor(name).Resolve(registry.Resolve(configurations.Get(name).ProviderFor(name)));
}

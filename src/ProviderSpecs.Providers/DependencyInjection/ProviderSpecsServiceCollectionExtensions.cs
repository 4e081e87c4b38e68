using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ProviderSpecs.Providers;
using ProviderSpecs.Providers.Credentials;
using ProviderSpecs.Providers.DependencyInjection;
using ProviderSpecs.Providers.Registry;
using ProviderSpecs.Providers.Resilience;

// The extension lives in Microsoft.Extensions.DependencyInjection, as every Microsoft.Extensions-style registration
// does, so `services.AddProviderSpecs(...)` is found without another using.
namespace Microsoft.Extensions.DependencyInjection;

public static class ProviderSpecsServiceCollectionExtensions
{
    /// <summary>The configuration section read by default.</summary>
    public const string DefaultSectionName = "Providers";

    /// <summary>
    /// Registers the provider layer from the <c>Providers</c> section (or <paramref name="sectionName"/>): for each child
    /// section (<c>Providers:groq</c>, <c>Providers:together</c>, …) named <see cref="ProviderConfiguration"/> options,
    /// validated at start-up (a bad value fails naming its key), a keyed <see cref="ProviderSession"/> singleton (key: the name)
    /// and a keyed <c>IChatClient</c> per model in its <c>Models</c> list (key <c>"&lt;name&gt;/&lt;model&gt;"</c>). Also: the
    /// credential chain (<see cref="ProviderCredentials"/>), the registry, the <see cref="CredentialEnvironment"/> and one
    /// <see cref="RateLimitPacer"/> shared by every session that sets <c>PaceRateLimits</c>. Sessions log through the
    /// container's <c>ILoggerFactory</c> when there is one (keys masked).
    /// </summary>
    public static ProviderSpecsBuilder AddProviderSpecs(this IServiceCollection services, IConfiguration configuration, string sectionName = DefaultSectionName)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentException.ThrowIfNullOrWhiteSpace(sectionName);
        if (services.Any(d => d.ServiceType == typeof(ProviderSpecsSection)))
            throw new InvalidOperationException("AddProviderSpecs was already called on these services; call it once and keep the builder it returns.");

        var section = configuration.GetSection(sectionName);
        var state = new ProviderSpecsSection(section.Path);
        services.AddSingleton(state);
        services.TryAddSingleton(ProviderRegistry.Default);
        services.TryAddSingleton(_ => CredentialEnvironment.FromProcess());
        services.TryAddSingleton(provider => new RateLimitPacer(provider.GetService<TimeProvider>()));
        services.TryAddSingleton<ProviderCredentials>();
        services.TryAddSingleton<ProviderSessionFactory>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ProviderConfiguration>, ProviderConfigurationValidator>());

        var builder = new ProviderSpecsBuilder(services, state, section);
        foreach (var provider in section.GetChildren())
        {
            builder.AddProvider(provider.Key);
            foreach (var model in provider.GetSection(nameof(ProviderConfiguration.Models)).GetChildren())
                if (!string.IsNullOrWhiteSpace(model.Value)) builder.ChatClient(provider.Key, model.Value);
        }
        return builder;
    }
}

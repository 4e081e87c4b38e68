using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ProviderSpecs.Providers.DependencyInjection;

/// <summary>
/// What <c>services.AddProviderSpecs(configuration)</c> returns: adds chat clients beyond the configured models, gives each
/// one's <see cref="ChatClientBuilder"/> for Microsoft.Extensions.AI middleware, and adjusts session options in code.
/// </summary>
public sealed class ProviderSpecsBuilder
{
    private readonly Dictionary<string, ChatClientBuilder> _chatClients = new(StringComparer.Ordinal);
    private readonly ProviderSpecsSection _section;
    private readonly IConfigurationSection _configuration;

    internal ProviderSpecsBuilder(IServiceCollection services, ProviderSpecsSection section, IConfigurationSection configuration)
    {
        Services = services;
        _section = section;
        _configuration = configuration;
    }

    public IServiceCollection Services { get; }

    /// <summary>The configuration section the providers come from (<c>Providers</c> by default).</summary>
    public string SectionPath => _section.Path;

    /// <summary>The provider names registered so far (the section's children, plus any named in <see cref="ChatClient"/>).</summary>
    public IReadOnlyCollection<string> ProviderNames => _section.Names;

    /// <summary>
    /// The keyed <see cref="IChatClient"/> of one provider name and model (key <see cref="ProviderSpecsKeys.ChatClient"/>):
    /// registered when the configuration did not list the model, and returned as its <see cref="ChatClientBuilder"/>, so
    /// middleware composes as usual: <c>.ChatClient("groq", "llama-3.1-8b-instant").UseLogging().UseOpenTelemetry().UseDistributedCache()</c>.
    /// The innermost client is the layer's <see cref="Chat.ProviderChatClient"/> (<c>chat.GetService&lt;ProviderChatClient&gt;()</c>).
    /// </summary>
    public ChatClientBuilder ChatClient(string name, string model)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        AddProvider(name);
        var key = ProviderSpecsKeys.ChatClient(name, model);
        if (!_chatClients.TryGetValue(key, out var builder))
        {
            builder = Services.AddKeyedChatClient(key, services => services.GetRequiredKeyedService<ProviderSession>(name).CreateChatClient(model));
            _chatClients[key] = builder;
        }
        return builder;
    }

    /// <summary>
    /// Changes the session options of every provider after the configuration was applied — e.g. an <see cref="HttpClient"/>
    /// from <c>IHttpClientFactory</c>, a <see cref="TimeProvider"/> or a <see cref="Credentials.CredentialEnvironment"/>.
    /// Called with the service provider, the provider name and the options so far; returns the options to use.
    /// </summary>
    public ProviderSpecsBuilder ConfigureSessions(Func<IServiceProvider, string, ProviderSessionOptions, ProviderSessionOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.AddSingleton(new SessionConfigurator(configure));
        return this;
    }

    /// <summary>Registers a provider name: its named options (bound from its section, validated at start-up) and its keyed session.</summary>
    internal void AddProvider(string name)
    {
        if (!_section.Names.Add(name)) return;
        var section = _configuration.GetSection(name);
        Services.AddOptions<ProviderConfiguration>(name)
            .Bind(section, binder => binder.ErrorOnUnknownConfiguration = true)
            .ValidateOnStart();
        Services.AddKeyedSingleton<ProviderSession>(name, (services, _) => services.GetRequiredService<ProviderSessionFactory>().Open(name));
        if (section.GetSection(nameof(ProviderConfiguration.Budget)).Exists())
            Services.AddKeyedSingleton(name, (services, _) => ProviderSessionFactory.BudgetOf(
                services.GetRequiredService<IOptionsMonitor<ProviderConfiguration>>().Get(name).Budget!));
    }
}

/// <summary>A <see cref="ProviderSpecsBuilder.ConfigureSessions"/> callback.</summary>
internal sealed record SessionConfigurator(Func<IServiceProvider, string, ProviderSessionOptions, ProviderSessionOptions> Configure);

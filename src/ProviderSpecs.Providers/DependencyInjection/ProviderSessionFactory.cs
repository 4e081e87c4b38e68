using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ProviderSpecs.Providers.Budget;
using ProviderSpecs.Providers.Credentials;
using ProviderSpecs.Providers.Logging;
using ProviderSpecs.Providers.Registry;
using ProviderSpecs.Providers.Resilience;

namespace ProviderSpecs.Providers.DependencyInjection;

/// <summary>Opens the container's session of one provider name from its configuration (the keyed <see cref="ProviderSession"/> singletons).</summary>
internal sealed class ProviderSessionFactory(
    IServiceProvider services,
    IOptionsMonitor<ProviderConfiguration> configurations,
    ProviderSpecsSection section,
    ProviderRegistry registry,
    CredentialEnvironment environment,
    RateLimitPacer pacer,
    IEnumerable<SessionConfigurator> configurators)
{
    public ProviderSession Open(string name)
    {
        var configuration = configurations.Get(name);
        var loggers = services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
        var options = new ProviderSessionOptions
        {
            ApiKey = string.IsNullOrWhiteSpace(configuration.ApiKey) ? null : configuration.ApiKey,
            BaseUrl = configuration.BaseUrl,
            Resilience = configuration.Resilience,
            Telemetry = configuration.Telemetry,
            Environment = environment,
            Registry = registry,
            CatalogTimeToLive = configuration.CatalogTimeToLive,
            CatalogFallbackTimeToLive = configuration.CatalogFallbackTimeToLive,
            CatalogTimeout = configuration.CatalogTimeout,
            TimeProvider = services.GetService<TimeProvider>(),
            // One pacer for the whole container: every session of one account shares what the provider announced.
            RateLimits = configuration.PaceRateLimits ? pacer : null,
            LoggerFactory = loggers,
        };
        foreach (var configurator in configurators) options = configurator.Configure(services, name, options);

        if (configuration.Budget is not null)
        {
            // The budget sits in the session's own HttpClient; one supplied in code would bypass it without a word.
            if (options.HttpClient is not null)
                throw new InvalidOperationException(
                    $"{section.Path}:{name}:Budget needs the session's own HttpClient, but ConfigureSessions supplied one. Put a LiveBudgetHandler in that HttpClient's handlers instead, or remove the budget.");
            var budget = services.GetKeyedService<LiveBudget>(name) ?? BudgetOf(configuration.Budget);
            var handler = new SocketsHttpHandler { ConnectTimeout = options.Resilience.ConnectTimeout, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
            options = options with
            {
                HttpClient = new HttpClient(new LiveBudgetHandler(budget, handler, loggers.CreateLogger(ProviderLog.BudgetCategory)))
                {
                    Timeout = Timeout.InfiniteTimeSpan,
                },
                OwnsHttpClient = true,
            };
        }
        return ProviderSession.Open(configuration.ProviderFor(name), options);
    }

    public static LiveBudget BudgetOf(BudgetConfiguration budget) => new(budget.MaxRequests ?? long.MaxValue, budget.MaxTokens ?? long.MaxValue);
}

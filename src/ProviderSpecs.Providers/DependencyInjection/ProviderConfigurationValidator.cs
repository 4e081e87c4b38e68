using System.Globalization;
using Microsoft.Extensions.Options;
using ProviderSpecs.Providers.Registry;

namespace ProviderSpecs.Providers.DependencyInjection;

/// <summary>
/// Checks each provider's configuration at start-up (<c>ValidateOnStart</c>). Every failure names its configuration
/// key, e.g. <c>Providers:groq:Resilience:MaxRetries must be 0 or more (got -1)</c>. A key is never quoted.
/// </summary>
internal sealed class ProviderConfigurationValidator(ProviderSpecsSection section, ProviderRegistry registry) : IValidateOptions<ProviderConfiguration>
{
    public ValidateOptionsResult Validate(string? name, ProviderConfiguration options)
    {
        if (name is null || !section.Names.Contains(name)) return ValidateOptionsResult.Skip;
        var prefix = $"{section.Path}:{name}";
        var failures = new List<string>();
        void Fail(string key, string problem) => failures.Add($"{prefix}{(key.Length == 0 ? "" : ":" + key)} {problem}");

        if (name.Contains('/')) Fail("", "is not a usable provider name: it must not contain '/' (chat clients are keyed \"<name>/<model>\")");
        var providerId = options.ProviderFor(name);
        if (!registry.TryResolve(providerId, out _))
        {
            var close = NameMatcher.CloseMatches(providerId, registry.Providers.SelectMany(p => p.Aliases.Prepend(p.Id)));
            Fail(string.IsNullOrWhiteSpace(options.Provider) ? "" : "Provider",
                $"names no known provider ('{providerId}'){(close.Count > 0 ? $"; did you mean {string.Join(" or ", close)}?" : "")} Known: {string.Join(", ", registry.Providers.Select(p => p.Id))}."
                + (string.IsNullOrWhiteSpace(options.Provider) ? $" Name the section after a provider or set {prefix}:Provider." : ""));
        }
        if (options.BaseUrl is { } url && !(url.IsAbsoluteUri && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)))
            Fail("BaseUrl", $"must be an absolute http(s) URL such as https://api.groq.com/openai/v1 (got '{url}')");
        if (options.ApiKey is not null && string.IsNullOrWhiteSpace(options.ApiKey))
            Fail("ApiKey", "is empty; remove it to let the credential chain find the key, or give the key");
        for (var i = 0; i < options.Models.Count; i++)
            if (string.IsNullOrWhiteSpace(options.Models[i])) Fail($"Models:{i}", "must be a model id (got an empty value)");

        var r = options.Resilience;
        if (r is null) Fail("Resilience", "must not be null");
        else
        {
            if (r.MaxRetries < 0) Fail("Resilience:MaxRetries", $"must be 0 or more (got {r.MaxRetries})");
            if (r.MaxConcurrency < 1) Fail("Resilience:MaxConcurrency", $"must be at least 1 (got {r.MaxConcurrency})");
            if (r.MaxQueuedCalls < 0) Fail("Resilience:MaxQueuedCalls", $"must be 0 or more (got {r.MaxQueuedCalls})");
            Positive("Resilience:ConnectTimeout", r.ConnectTimeout);
            Positive("Resilience:FirstTokenTimeout", r.FirstTokenTimeout);
            Positive("Resilience:TotalTimeout", r.TotalTimeout);
            NotNegative("Resilience:BaseDelay", r.BaseDelay);
            NotNegative("Resilience:MaxBackoff", r.MaxBackoff);
            NotNegative("Resilience:MaxRetryAfter", r.MaxRetryAfter);
            if (r.FirstTokenTimeout > TimeSpan.Zero && r.TotalTimeout > TimeSpan.Zero && r.FirstTokenTimeout > r.TotalTimeout)
                Fail("Resilience:FirstTokenTimeout", $"must not exceed Resilience:TotalTimeout ({Show(r.TotalTimeout)}; got {Show(r.FirstTokenTimeout)})");
        }
        if (options.Telemetry is null) Fail("Telemetry", "must not be null");
        NotNegative("CatalogTimeToLive", options.CatalogTimeToLive);
        NotNegative("CatalogFallbackTimeToLive", options.CatalogFallbackTimeToLive);
        Positive("CatalogTimeout", options.CatalogTimeout);
        if (options.Budget is { } budget)
        {
            if (budget.MaxRequests is null && budget.MaxTokens is null) Fail("Budget", "needs MaxRequests and/or MaxTokens");
            if (budget.MaxRequests is <= 0) Fail("Budget:MaxRequests", $"must be at least 1 (got {budget.MaxRequests})");
            if (budget.MaxTokens is <= 0) Fail("Budget:MaxTokens", $"must be at least 1 (got {budget.MaxTokens})");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Positive(string key, TimeSpan value)
        {
            if (value <= TimeSpan.Zero) Fail(key, $"must be a positive duration such as 00:00:30 (got {Show(value)})");
        }

        void NotNegative(string key, TimeSpan value)
        {
            if (value < TimeSpan.Zero) Fail(key, $"must be 0 or a positive duration (got {Show(value)})");
        }
    }

    private static string Show(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);
}

/// <summary>The configuration section the providers were read from and the provider names found in it.</summary>
internal sealed class ProviderSpecsSection(string path)
{
    public string Path { get; } = path;
    public HashSet<string> Names { get; } = new(StringComparer.OrdinalIgnoreCase);
}

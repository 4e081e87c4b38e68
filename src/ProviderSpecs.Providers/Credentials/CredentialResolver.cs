using System.Text;
using ProviderSpecs.Providers.Errors;
using ProviderSpecs.Providers.Registry;

namespace ProviderSpecs.Providers.Credentials;

/// <summary>Walks the credential sources in order and reports which answered.</summary>
public sealed class CredentialResolver(IReadOnlyList<ICredentialSource> sources)
{
    public IReadOnlyList<ICredentialSource> Sources { get; } = sources;

    /// <summary>The standard chain: explicit key, environment variable, .env file, user credentials file.</summary>
    public static CredentialResolver Standard(string? explicitKey = null, CredentialEnvironment? environment = null)
    {
        var env = environment ?? CredentialEnvironment.FromProcess();
        return new CredentialResolver(
        [
            new ExplicitKeySource(explicitKey),
            new EnvironmentVariableSource(env.GetEnvironmentVariable),
            new DotEnvFileSource(env.WorkingDirectory),
            new UserCredentialsFileSource(env.UserConfigDirectory),
        ]);
    }

    public CredentialResolution Resolve(ProviderDefinition provider)
    {
        var steps = new List<CredentialStep>(Sources.Count);
        var warnings = new List<string>();
        string? key = null;
        string? answeredBy = null;
        foreach (var source in Sources)
        {
            if (key is not null)
            {
                steps.Add(new CredentialStep(source.Name, source.Describe(provider), CredentialOutcome.NotConsulted, null));
                continue;
            }
            var lookup = source.Lookup(provider);
            steps.Add(new CredentialStep(source.Name, source.Describe(provider), lookup.Outcome, lookup.Detail));
            if (lookup.Warning is not null) warnings.Add(lookup.Warning);
            if (lookup.Outcome == CredentialOutcome.Answered)
            {
                key = lookup.Value;
                answeredBy = source.Name;
            }
        }
        if (key is not null && provider.KeyPrefix is not null && !key.StartsWith(provider.KeyPrefix, StringComparison.Ordinal))
            warnings.Add($"The {provider.DisplayName} key from {answeredBy} ({KeyMask.Mask(key)}) does not start with '{provider.KeyPrefix}' as {provider.DisplayName} keys do; it is used anyway.");
        return new CredentialResolution(provider, key, answeredBy, steps, warnings);
    }
}

/// <summary>One source's part in a resolution. Holds no key.</summary>
public sealed record CredentialStep(string Source, string Location, CredentialOutcome Outcome, string? Detail)
{
    public override string ToString() => $"{Source} ({Location}): {OutcomeText}{(Detail is null ? "" : $" — {Detail}")}";

    private string OutcomeText => Outcome switch
    {
        CredentialOutcome.Answered => "answered",
        CredentialOutcome.Missing => "missing",
        CredentialOutcome.Empty => "empty",
        CredentialOutcome.SkippedWhitespace => "skipped (whitespace only)",
        CredentialOutcome.Unreadable => "unreadable",
        _ => "not consulted",
    };
}

/// <summary>The outcome of a credential lookup. <see cref="ToString"/> and <see cref="Explain"/> never show the key.</summary>
public sealed class CredentialResolution
{
    internal CredentialResolution(ProviderDefinition provider, string? key, string? source,
        IReadOnlyList<CredentialStep> chain, IReadOnlyList<string> warnings)
    {
        Provider = provider;
        Key = key;
        Source = source;
        Chain = chain;
        Warnings = warnings;
    }

    public ProviderDefinition Provider { get; }
    /// <summary>The key itself. Pass it to a client; never print it — use <see cref="MaskedKey"/>.</summary>
    public string? Key { get; }
    /// <summary>Name of the source that answered, or null.</summary>
    public string? Source { get; }
    public bool Found => Key is not null;
    public string MaskedKey => KeyMask.Mask(Key);
    public IReadOnlyList<CredentialStep> Chain { get; }
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>The key, or a <see cref="MissingCredentialException"/> naming every place looked.</summary>
    public string RequireKey() => Key ?? throw new MissingCredentialException(Provider, Chain);

    /// <summary>Multi-line account of the whole chain: each source, where it looked and what it found.</summary>
    public string Explain()
    {
        var text = new StringBuilder(Found
            ? $"{Provider.DisplayName} key {MaskedKey} from {Source}.{Environment.NewLine}"
            : $"No {Provider.DisplayName} key found.{Environment.NewLine}");
        for (var i = 0; i < Chain.Count; i++) text.Append($"  {i + 1}. {Chain[i]}{Environment.NewLine}");
        foreach (var warning in Warnings) text.Append($"  warning: {warning}{Environment.NewLine}");
        return text.ToString();
    }

    public override string ToString() => Found
        ? $"{Provider.Id}: key {MaskedKey} from {Source}"
        : $"{Provider.Id}: no key ({Chain.Count} sources consulted)";
}

/// <summary>No source produced a key for the provider.</summary>
public sealed class MissingCredentialException : ProviderException
{
    public MissingCredentialException(ProviderDefinition provider, IReadOnlyList<CredentialStep> chain)
        : base(ErrorKeys.MissingCredential, BuildMessage(provider, chain))
    {
        Chain = chain;
        ProviderId = provider.Id;
        EnvironmentVariable = provider.KeyEnvVar;
    }

    public IReadOnlyList<CredentialStep> Chain { get; }
    /// <summary>The variable to set, e.g. GROQ_API_KEY.</summary>
    public string EnvironmentVariable { get; }

    private static string BuildMessage(ProviderDefinition provider, IReadOnlyList<CredentialStep> chain) =>
        $"No API key for {provider.DisplayName}. Looked in: "
        + string.Join("; ", chain.Select(step => $"{step.Location} ({step.Outcome.ToString().ToLowerInvariant()})"))
        + $". Set the environment variable {provider.KeyEnvVar}, add it to a .env file, or pass a key explicitly.";
}

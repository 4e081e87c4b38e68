using System.Reflection;
using System.Text.Json;
using ProviderSpecs.Providers.Errors;

namespace ProviderSpecs.Providers.Registry;

/// <summary>The known providers, looked up by id or alias (case-insensitive, '-' and '_' equivalent).</summary>
public sealed class ProviderRegistry
{
    private const string ResourceName = "ProviderSpecs.Providers.providers.json";
    private readonly Dictionary<string, ProviderDefinition> _byName;

    private static readonly Lazy<ProviderRegistry> BundledRegistry = new(LoadBundled);

    /// <summary>The registry shipped inside this assembly.</summary>
    public static ProviderRegistry Default => BundledRegistry.Value;

    public IReadOnlyList<ProviderDefinition> Providers { get; }

    /// <summary>Request fields every OpenAI-compatible provider accepts (temperature, top_p, seed, …).</summary>
    public IReadOnlySet<string> CommonOptions { get; }

    public ProviderRegistry(IEnumerable<ProviderDefinition> providers, IEnumerable<string> commonOptions)
    {
        Providers = providers.ToList();
        CommonOptions = new HashSet<string>(commonOptions, StringComparer.Ordinal);
        _byName = new Dictionary<string, ProviderDefinition>(StringComparer.Ordinal);
        foreach (var provider in Providers)
        {
            foreach (var name in provider.Aliases.Prepend(provider.Id))
            {
                if (!_byName.TryAdd(Normalise(name), provider))
                    throw new InvalidOperationException($"Provider registry names '{name}' twice; ids and aliases must be unique.");
            }
            CheckRequestFields(provider);
        }
    }

    /// <summary>A field is renamed to one name, never to an empty one or to another renamed field, and never both renamed and left out.</summary>
    private static void CheckRequestFields(ProviderDefinition provider)
    {
        foreach (var (openAiName, providerName) in provider.RequestFieldNames)
        {
            if (string.IsNullOrWhiteSpace(openAiName) || string.IsNullOrWhiteSpace(providerName))
                throw new InvalidOperationException($"Provider registry entry '{provider.Id}' renames a request field to or from an empty name; give both names in requestFieldNames.");
            if (provider.RequestFieldNames.ContainsKey(providerName) || provider.OmittedRequestFields.Contains(openAiName))
                throw new InvalidOperationException(
                    $"Provider registry entry '{provider.Id}' sends '{openAiName}' as '{providerName}', which it also renames or leaves out; a field is renamed once or omitted, not both.");
        }
    }

    /// <summary>Reads a registry document (the providers.json shape).</summary>
    public static ProviderRegistry Parse(string json)
    {
        var document = JsonSerializer.Deserialize<RegistryDocument>(json, RegistryDocument.Json)
            ?? throw new InvalidDataException("Provider registry document is empty.");
        return new ProviderRegistry(document.Providers, document.CommonOptions);
    }

    public bool TryResolve(string idOrAlias, out ProviderDefinition provider) =>
        _byName.TryGetValue(Normalise(idOrAlias), out provider!);

    /// <summary>Finds a provider by id or alias; throws <see cref="UnknownProviderException"/> listing close matches.</summary>
    public ProviderDefinition Resolve(string idOrAlias)
    {
        ArgumentNullException.ThrowIfNull(idOrAlias);
        if (TryResolve(idOrAlias, out var provider)) return provider;
        var suggestions = NameMatcher.CloseMatches(Normalise(idOrAlias), _byName.Keys)
            .Select(name => _byName[name].Id).Distinct().ToList();
        throw new UnknownProviderException(idOrAlias, suggestions, Providers.Select(p => p.Id).ToList());
    }

    private static string Normalise(string name) => name.Trim().ToLowerInvariant().Replace('-', '_');

    private static ProviderRegistry LoadBundled()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Embedded resource {ResourceName} is missing from the build.");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    }
}

/// <summary>Suggests near names for a mistyped provider or model id: shared prefix or substring, or small edit distance.</summary>
public static class NameMatcher
{
    public static IReadOnlyList<string> CloseMatches(string wanted, IEnumerable<string> candidates, int max = 5)
    {
        var needle = wanted.ToLowerInvariant();
        return candidates
            .Select(c => (Name: c, Distance: Distance(needle, c.ToLowerInvariant())))
            .Where(x => x.Distance <= Math.Max(2, needle.Length / 3)
                        || (needle.Length >= 3 && (x.Name.StartsWith(needle, StringComparison.OrdinalIgnoreCase)
                                                   || x.Name.Contains(needle, StringComparison.OrdinalIgnoreCase))))
            .OrderBy(x => x.Distance).ThenBy(x => x.Name, StringComparer.Ordinal)
            .Take(max).Select(x => x.Name).ToList();
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}

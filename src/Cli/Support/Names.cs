using ProviderSpecs.Providers.Registry;

namespace ProviderSpecs.Cli.Support;

/// <summary>"Did you mean" text for a mistyped name, from the provider layer's own close-match rule.</summary>
internal static class Names
{
    public static string DidYouMean(string wanted, IEnumerable<string> candidates)
    {
        var close = NameMatcher.CloseMatches(wanted.Trim(), candidates.Distinct(StringComparer.Ordinal));
        return close.Count > 0 ? $" Did you mean: {string.Join(", ", close)}?" : "";
    }
}

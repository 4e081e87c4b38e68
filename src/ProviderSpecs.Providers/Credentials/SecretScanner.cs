using System.Text.RegularExpressions;
using ProviderSpecs.Providers.Registry;

namespace ProviderSpecs.Providers.Credentials;

/// <summary>One place a secret was found. Holds the masked form only, so a report of findings leaks nothing.</summary>
public sealed record SecretFinding(string File, int Line, string MaskedValue, string Why)
{
    public override string ToString() => $"{File}:{Line}: {MaskedValue} ({Why})";
}

/// <summary>
/// Looks through a run's outputs for API keys: the exact keys the run used (canaries), and anything shaped like
/// a real provider key (a registered key prefix followed by a long key body). Masked forms (<c>gsk_…a1b2</c>)
/// and the short, obviously fake test keys the simulators hand out do not count.
/// </summary>
public sealed class SecretScanner
{
    /// <summary>Real keys are long; anything shorter after its prefix is a test key or a mask.</summary>
    public const int MinimumKeyBodyLength = 24;

    private readonly IReadOnlyList<string> _knownKeys;
    private readonly Regex _keyShape;

    public SecretScanner(IEnumerable<string> knownKeys, ProviderRegistry? registry = null)
    {
        _knownKeys = knownKeys.Where(k => !string.IsNullOrWhiteSpace(k) && k.Length >= 8).Distinct(StringComparer.Ordinal).ToList();
        var prefixes = (registry ?? ProviderRegistry.Default).Providers
            .Select(p => p.KeyPrefix).Where(p => !string.IsNullOrEmpty(p)).Select(p => Regex.Escape(p!))
            .Append("tgp_v1_") // Together's documented key form
            .Distinct();
        _keyShape = new Regex($@"(?<![A-Za-z0-9_-])(?:{string.Join("|", prefixes)})[A-Za-z0-9_\-]{{{MinimumKeyBodyLength},}}", RegexOptions.Compiled | RegexOptions.CultureInvariant);
    }

    /// <summary>Scans every text line of <paramref name="text"/>, naming the findings after <paramref name="source"/>.</summary>
    public IReadOnlyList<SecretFinding> ScanText(string source, string text)
    {
        var findings = new List<SecretFinding>();
        var lineNumber = 0;
        foreach (var line in text.Split('\n'))
        {
            lineNumber++;
            foreach (var key in _knownKeys.Where(k => line.Contains(k, StringComparison.Ordinal)))
                findings.Add(new SecretFinding(source, lineNumber, KeyMask.Mask(key), "a key this run used"));
            foreach (Match match in _keyShape.Matches(line))
                if (!_knownKeys.Contains(match.Value))
                    findings.Add(new SecretFinding(source, lineNumber, KeyMask.Mask(match.Value), "shaped like a provider key"));
        }
        return findings;
    }

    /// <summary>Scans files, and folders recursively (build output excluded); unreadable binary files are skipped.</summary>
    public IReadOnlyList<SecretFinding> ScanPaths(IEnumerable<string> paths, Action<string>? onFileScanned = null)
    {
        var findings = new List<SecretFinding>();
        foreach (var file in paths.SelectMany(Expand).Distinct(StringComparer.Ordinal))
        {
            string text;
            try
            {
                text = File.ReadAllText(file);
            }
            catch (IOException)
            {
                continue;
            }
            onFileScanned?.Invoke(file);
            findings.AddRange(ScanText(file, text));
        }
        return findings;
    }

    private static IEnumerable<string> Expand(string path)
    {
        if (File.Exists(path)) return [path];
        if (!Directory.Exists(path)) return [];
        return Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj" or ".git" or "node_modules"))
            .Where(f => !IsBinary(f));
    }

    private static bool IsBinary(string file) =>
        Path.GetExtension(file).ToLowerInvariant() is ".png" or ".jpg" or ".jpeg" or ".gif" or ".dll" or ".pdb" or ".exe" or ".zip" or ".nupkg";
}

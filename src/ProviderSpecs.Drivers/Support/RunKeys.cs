using System.Collections.Concurrent;

namespace ProviderSpecs.Drivers.Support;

/// <summary>
/// Every key the run handed to a provider or a credential source: the canaries the run's outputs are scanned
/// for when it ends. Held in memory only, never written anywhere.
/// </summary>
public static class RunKeys
{
    private static readonly ConcurrentDictionary<string, byte> Keys = new(StringComparer.Ordinal);

    public static string Note(string key)
    {
        if (!string.IsNullOrWhiteSpace(key)) Keys.TryAdd(key, 0);
        return key;
    }

    public static IReadOnlyCollection<string> All => Keys.Keys.ToList();
}

namespace ProviderSpecs.Providers.Credentials;

/// <summary>The one way a key is shown anywhere: first 4 characters, an ellipsis, last 4 (<c>gsk_…a1b2</c>).</summary>
public static class KeyMask
{
    public static string Mask(string? key)
    {
        if (string.IsNullOrEmpty(key)) return "(none)";
        // Too short to show 8 characters without revealing most of it.
        return key.Length < 12 ? "…" + (key.Length > 4 ? key[^2..] : "") : $"{key[..4]}…{key[^4..]}";
    }
}

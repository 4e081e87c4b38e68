namespace ProviderSpecs.Simulators;

/// <summary>Renders an API key so it can be logged: first 4 chars, an ellipsis, last 4 (<c>gsk_…a1b2</c>).</summary>
public static class ApiKeyMask
{
    public static string Mask(string? key)
    {
        if (string.IsNullOrEmpty(key)) return "(none)";
        // A key too short to keep 8 characters visible is shown as stars only, so nothing of it leaks.
        return key.Length <= 12 ? new string('*', key.Length) : $"{key[..4]}…{key[^4..]}";
    }

    /// <summary>True for headers that carry a credential (Authorization and the API-key headers some clients send).</summary>
    public static bool IsCredentialHeader(string name) =>
        name.Equals("Authorization", StringComparison.OrdinalIgnoreCase) || name.Equals("Proxy-Authorization", StringComparison.OrdinalIgnoreCase)
        || name.Equals("X-Api-Key", StringComparison.OrdinalIgnoreCase) || name.Equals("Api-Key", StringComparison.OrdinalIgnoreCase);

    /// <summary>Masks the credential part of an Authorization header value, keeping its scheme.</summary>
    public static string MaskAuthorization(string headerValue)
    {
        const string bearer = "Bearer ";
        return headerValue.StartsWith(bearer, StringComparison.OrdinalIgnoreCase)
            ? headerValue[..bearer.Length] + Mask(headerValue[bearer.Length..].Trim())
            : Mask(headerValue);
    }
}

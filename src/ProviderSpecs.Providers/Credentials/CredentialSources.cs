using System.Text.Json;
using dotenv.net;
using ProviderSpecs.Providers.Registry;

namespace ProviderSpecs.Providers.Credentials;

/// <summary>One place a key may come from. Sources are consulted in order; the first with a usable value answers.</summary>
public interface ICredentialSource
{
    /// <summary>Stable name used in explanations: explicit, environment, dotenv, user-credentials-file.</summary>
    string Name { get; }
    /// <summary>Where exactly it looks for this provider (a variable name or file path; never a value).</summary>
    string Describe(ProviderDefinition provider);
    CredentialLookup Lookup(ProviderDefinition provider);
}

/// <summary>What one source found. <see cref="Value"/> is only set when it answered.</summary>
public readonly record struct CredentialLookup(CredentialOutcome Outcome, string? Value = null, string? Warning = null, string? Detail = null)
{
    public static CredentialLookup Of(string? value, string? missingDetail = null) =>
        value is null ? new(CredentialOutcome.Missing, Detail: missingDetail)
        : value.Length == 0 ? new(CredentialOutcome.Empty)
        : string.IsNullOrWhiteSpace(value) ? new(CredentialOutcome.SkippedWhitespace)
        : new(CredentialOutcome.Answered, value.Trim());

    public override string ToString() => $"{Outcome}{(Detail is null ? "" : $" ({Detail})")}";
}

public enum CredentialOutcome { Answered, Missing, Empty, SkippedWhitespace, Unreadable, NotConsulted }

/// <summary>(1) The key handed to this client or session.</summary>
public sealed class ExplicitKeySource(string? key) : ICredentialSource
{
    public string Name => "explicit";
    public string Describe(ProviderDefinition provider) => "key given to the session";
    public CredentialLookup Lookup(ProviderDefinition provider) => CredentialLookup.Of(key, "no key given");
    public override string ToString() => $"ExplicitKeySource({(key is null ? "none" : KeyMask.Mask(key))})";
}

/// <summary>(2) The provider's environment variable, e.g. GROQ_API_KEY.</summary>
public sealed class EnvironmentVariableSource(Func<string, string?> getVariable) : ICredentialSource
{
    public string Name => "environment";
    public string Describe(ProviderDefinition provider) => $"environment variable {provider.KeyEnvVar}";
    public CredentialLookup Lookup(ProviderDefinition provider) => CredentialLookup.Of(getVariable(provider.KeyEnvVar), "not set");
}

/// <summary>(3) A <c>.env</c> file in the working directory. Read only; the process environment is never changed.</summary>
public sealed class DotEnvFileSource(string workingDirectory) : ICredentialSource
{
    public string FilePath { get; } = Path.Combine(workingDirectory, ".env");
    public string Name => "dotenv";
    public string Describe(ProviderDefinition provider) => $"{provider.KeyEnvVar} in {FilePath}";

    public CredentialLookup Lookup(ProviderDefinition provider)
    {
        if (!File.Exists(FilePath)) return new(CredentialOutcome.Missing, Detail: "no .env file");
        IDictionary<string, string> values;
        try
        {
            values = DotEnv.Fluent().WithEnvFiles(FilePath).WithExceptions().Read();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or FormatException)
        {
            return new(CredentialOutcome.Unreadable, Detail: $".env could not be read: {e.GetType().Name}");
        }
        return CredentialLookup.Of(values.TryGetValue(provider.KeyEnvVar, out var value) ? value : null, $"{provider.KeyEnvVar} not in .env");
    }
}

/// <summary>
/// (4) The user's credentials file, <c>&lt;config dir&gt;/providerspecs/credentials.json</c>, shaped
/// <c>{"groq":"…","together_ai":"…"}</c> (keyed by provider id or alias).
/// </summary>
public sealed class UserCredentialsFileSource(string? userConfigDirectory) : ICredentialSource
{
    public string? FilePath { get; } = userConfigDirectory is null ? null : Path.Combine(userConfigDirectory, "providerspecs", "credentials.json");
    public string Name => "user-credentials-file";
    public string Describe(ProviderDefinition provider) => $"\"{provider.Id}\" in {FilePath ?? "(no user config directory)"}";

    public CredentialLookup Lookup(ProviderDefinition provider)
    {
        if (FilePath is null || !File.Exists(FilePath)) return new(CredentialOutcome.Missing, Detail: "no credentials file");
        Dictionary<string, string?>? entries;
        try
        {
            entries = JsonSerializer.Deserialize<Dictionary<string, string?>>(File.ReadAllText(FilePath));
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            // The exception text may quote file content, so only its type is reported.
            return new(CredentialOutcome.Unreadable, Detail: $"credentials file could not be read as {{\"provider\":\"key\"}} JSON ({e.GetType().Name})");
        }
        var value = provider.Aliases.Prepend(provider.Id)
            .Select(name => entries?.FirstOrDefault(kv => string.Equals(kv.Key, name, StringComparison.OrdinalIgnoreCase)).Value)
            .FirstOrDefault(v => v is not null);
        var lookup = CredentialLookup.Of(value, $"no \"{provider.Id}\" entry");
        return lookup.Outcome == CredentialOutcome.Answered && IsReadableByOthers(FilePath)
            ? lookup with { Warning = $"{FilePath} is readable by group or others; restrict it with: chmod 600 {FilePath}" }
            : lookup;
    }

    private static bool IsReadableByOthers(string path)
    {
        if (OperatingSystem.IsWindows()) return false;
        var mode = File.GetUnixFileMode(path);
        return (mode & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) != 0;
    }
}

namespace ProviderSpecs.Providers.Credentials;

/// <summary>
/// Where the credential chain and base-URL override look: environment variables, working directory (for
/// <c>.env</c>) and the user's config directory (for <c>providerspecs/credentials.json</c>). Replaceable in tests.
/// </summary>
public sealed record CredentialEnvironment
{
    public required Func<string, string?> GetEnvironmentVariable { get; init; }
    public required string WorkingDirectory { get; init; }
    /// <summary>The user's config directory (<c>$XDG_CONFIG_HOME</c> or <c>~/.config</c>); null when none exists.</summary>
    public string? UserConfigDirectory { get; init; }

    public static CredentialEnvironment FromProcess()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return new CredentialEnvironment
        {
            GetEnvironmentVariable = Environment.GetEnvironmentVariable,
            WorkingDirectory = Directory.GetCurrentDirectory(),
            UserConfigDirectory = !string.IsNullOrWhiteSpace(xdg) ? xdg
                : string.IsNullOrEmpty(home) ? null : Path.Combine(home, ".config"),
        };
    }

    public override string ToString() => $"CredentialEnvironment(workdir={WorkingDirectory}, config={UserConfigDirectory ?? "(none)"})";
}

using ProviderSpecs.Providers.Credentials;
using ProviderSpecs.Providers.Errors;
using ProviderSpecs.Providers.Registry;

namespace ProviderSpecs.Providers.Tests;

public class CredentialTests
{
    private string _dir = null!;
    private readonly Dictionary<string, string> _env = new();
    private static readonly ProviderDefinition Groq = ProviderRegistry.Default.Resolve("groq");

    [SetUp]
    public void CreateDirectories()
    {
        _dir = Directory.CreateTempSubdirectory("providerspecs-cred-").FullName;
        Directory.CreateDirectory(Path.Combine(_dir, "work"));
        Directory.CreateDirectory(Path.Combine(_dir, "config", "providerspecs"));
        _env.Clear();
    }

    [TearDown]
    public void RemoveDirectories() => Directory.Delete(_dir, recursive: true);

    private CredentialEnvironment Environment => new()
    {
        GetEnvironmentVariable = _env.GetValueOrDefault,
        WorkingDirectory = Path.Combine(_dir, "work"),
        UserConfigDirectory = Path.Combine(_dir, "config"),
    };

    private string CredentialsFile => Path.Combine(_dir, "config", "providerspecs", "credentials.json");

    private void WriteDotEnv(string text) => File.WriteAllText(Path.Combine(_dir, "work", ".env"), text);

    private void WriteCredentialsFile(string json, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        File.WriteAllText(CredentialsFile, json);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(CredentialsFile, mode);
    }

    [Test]
    public void Explicit_key_wins_over_every_other_source()
    {
        _env["GROQ_API_KEY"] = "gsk_env_key_0001";
        WriteDotEnv("GROQ_API_KEY=gsk_dotenv_key_01\n");
        var result = CredentialResolver.Standard("gsk_explicit_0001", Environment).Resolve(Groq);
        result.Key.ShouldBe("gsk_explicit_0001");
        result.Source.ShouldBe("explicit");
        result.Chain.Skip(1).ShouldAllBe(step => step.Outcome == CredentialOutcome.NotConsulted);
    }

    [Test]
    public void Environment_variable_answers_when_no_explicit_key()
    {
        _env["GROQ_API_KEY"] = "gsk_env_key_0001";
        var result = CredentialResolver.Standard(null, Environment).Resolve(Groq);
        result.Source.ShouldBe("environment");
        result.Key.ShouldBe("gsk_env_key_0001");
    }

    [Test]
    public void Dotenv_file_answers_without_touching_the_process_environment()
    {
        WriteDotEnv("# keys\nGROQ_API_KEY=gsk_dotenv_key_01\n");
        var result = CredentialResolver.Standard(null, Environment).Resolve(Groq);
        result.Source.ShouldBe("dotenv");
        result.Key.ShouldBe("gsk_dotenv_key_01");
        System.Environment.GetEnvironmentVariable("GROQ_API_KEY").ShouldNotBe("gsk_dotenv_key_01");
    }

    [Test]
    public void User_credentials_file_answers_last()
    {
        WriteCredentialsFile("""{"groq":"gsk_file_key_0001","together_ai":"tgp_file_0001"}""");
        var result = CredentialResolver.Standard(null, Environment).Resolve(Groq);
        result.Source.ShouldBe("user-credentials-file");
        result.Key.ShouldBe("gsk_file_key_0001");
        result.Warnings.ShouldBeEmpty();
    }

    [Test]
    public void Whitespace_and_empty_values_are_skipped()
    {
        _env["GROQ_API_KEY"] = "   ";
        WriteDotEnv("GROQ_API_KEY=\n");
        WriteCredentialsFile("""{"groq":"gsk_file_key_0001"}""");
        var result = CredentialResolver.Standard("", Environment).Resolve(Groq);
        result.Source.ShouldBe("user-credentials-file");
        result.Chain.Select(s => s.Outcome).ShouldBe([CredentialOutcome.Empty, CredentialOutcome.SkippedWhitespace, CredentialOutcome.Empty, CredentialOutcome.Answered]);
    }

    [Test]
    public void A_key_of_the_wrong_shape_is_used_with_a_warning()
    {
        var result = CredentialResolver.Standard("sk-not-a-groq-key-01", Environment).Resolve(Groq);
        result.Key.ShouldBe("sk-not-a-groq-key-01");
        result.Warnings.ShouldHaveSingleItem().ShouldContain("gsk_");
        result.Warnings[0].ShouldNotContain("sk-not-a-groq-key-01");
    }

    [Test]
    public void A_credentials_file_readable_by_others_gives_a_warning()
    {
        if (OperatingSystem.IsWindows()) Assert.Ignore("Unix file modes only.");
        WriteCredentialsFile("""{"groq":"gsk_file_key_0001"}""", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        CredentialResolver.Standard(null, Environment).Resolve(Groq).Warnings.ShouldHaveSingleItem().ShouldContain("chmod 600");
    }

    [Test]
    public void Missing_key_names_every_place_looked_and_the_variable_to_set()
    {
        var result = CredentialResolver.Standard(null, Environment).Resolve(Groq);
        result.Found.ShouldBeFalse();
        var error = Should.Throw<MissingCredentialException>(() => result.RequireKey());
        error.ErrorKey.ShouldBe(ErrorKeys.MissingCredential);
        error.EnvironmentVariable.ShouldBe("GROQ_API_KEY");
        error.Message.ShouldContain("environment variable GROQ_API_KEY");
        error.Message.ShouldContain(Path.Combine(_dir, "work", ".env"));
        error.Message.ShouldContain(CredentialsFile);
        error.Message.ShouldContain("key given to the session");
    }

    [Test]
    public void Explanations_and_text_never_contain_the_key()
    {
        const string key = "gsk_secret_a1b2";
        _env["GROQ_API_KEY"] = key;
        var result = CredentialResolver.Standard(null, Environment).Resolve(Groq);
        result.Explain().ShouldNotContain(key);
        result.Explain().ShouldContain("gsk_…a1b2");
        result.ToString().ShouldNotContain(key);
        string.Join("|", result.Chain).ShouldNotContain(key);
        new ProviderSessionOptions { ApiKey = key }.ToString().ShouldNotContain(key);
    }

    [TestCase("gsk_abcdefgh1234a1b2", "gsk_…a1b2")]
    [TestCase("short", "…rt")]
    [TestCase(null, "(none)")]
    public void Keys_are_masked(string? key, string masked) => KeyMask.Mask(key).ShouldBe(masked);
}

using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;
using ProviderSpecs.Drivers.Support;
using ProviderSpecs.Drivers.Targets;
using ProviderSpecs.Providers;
using ProviderSpecs.Providers.Chat;
using ProviderSpecs.Providers.Credentials;
using ProviderSpecs.Providers.Errors;
using ProviderSpecs.Providers.Registry;
using Shouldly;

namespace ProviderSpecs.Drivers;

/// <summary>
/// The credential fallback chain, exercised in a sandbox: an environment of its own, a working directory for the
/// .env file and a config directory for the credentials file — nothing of the machine's real keys is read or
/// changed. Against the target it checks how the key travels (Bearer header) and that it never leaks.
/// </summary>
public sealed class CredentialDriver : IDisposable
{
    /// <summary>The places a key can come from, as the features name them, with the provider layer's source names.</summary>
    public static readonly IReadOnlyDictionary<string, string> SourceNames = new Dictionary<string, string>
    {
        ["explicit key"] = "explicit",
        ["environment variable"] = "environment",
        [".env file"] = "dotenv",
        ["credentials file"] = "user-credentials-file",
    };

    private readonly SpecTarget _target;
    private readonly ScenarioTranscript _transcript;
    private readonly Dictionary<string, string> _environment = new(StringComparer.Ordinal);
    private readonly DirectoryInfo _sandbox = Directory.CreateTempSubdirectory("credential-sandbox-");
    private readonly Dictionary<string, string> _keysBySource = new(StringComparer.Ordinal);
    private string? _explicitKey;
    private Attempt<CredentialResolution>? _resolution;
    /// <summary>The output limit of the short completion that proves a key works.</summary>
    public const int ShortCompletionTokens = 8;

    private readonly List<string> _keysUsed = [];
    private readonly List<HttpRequestMessage> _sentRequests = [];
    private readonly List<Simulators.SimulatorScope> _scopes = [];

    public CredentialDriver(SpecTarget target, ScenarioTranscript transcript)
    {
        _target = target;
        _transcript = transcript;
        Directory.CreateDirectory(WorkingDirectory);
        Directory.CreateDirectory(ConfigDirectory);
    }

    private string WorkingDirectory => Path.Combine(_sandbox.FullName, "work");
    private string ConfigDirectory => Path.Combine(_sandbox.FullName, "config");
    private string CredentialsFile => Path.Combine(ConfigDirectory, "providerspecs", "credentials.json");

    private CredentialEnvironment Environment => new()
    {
        GetEnvironmentVariable = name => _environment.GetValueOrDefault(name),
        WorkingDirectory = WorkingDirectory,
        UserConfigDirectory = ConfigDirectory,
    };

    /// <summary>A key that is obviously a test key, unique to the scenario, in the provider's documented shape.</summary>
    public string TestKey(ProviderDefinition provider, string source) => RunKeys.Note(
        $"{provider.KeyPrefix ?? "tk_"}spec_{source.Replace(' ', '_').Replace(".", "")}_{Random.Shared.Next(1000, 9999)}");

    public void PlaceKey(ProviderDefinition provider, string source, string? value = null)
    {
        value ??= TestKey(provider, source);
        _keysBySource[source] = value;
        if (!string.IsNullOrWhiteSpace(value)) _keysUsed.Add(value);
        switch (source)
        {
            case "explicit key":
                _explicitKey = value;
                break;
            case "environment variable":
                _environment[provider.KeyEnvVar] = value;
                break;
            case ".env file":
                File.AppendAllText(Path.Combine(WorkingDirectory, ".env"), $"{provider.KeyEnvVar}={value}\n");
                break;
            case "credentials file":
                Directory.CreateDirectory(Path.GetDirectoryName(CredentialsFile)!);
                File.WriteAllText(CredentialsFile, JsonSerializer.Serialize(new Dictionary<string, string> { [provider.Id] = value }));
                if (!OperatingSystem.IsWindows())
                    File.SetUnixFileMode(CredentialsFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                break;
            default:
                throw new ArgumentException($"'{source}' is not a credential source; use one of: {string.Join(", ", SourceNames.Keys)}.");
        }
    }

    public void MakeCredentialsFileReadableByOthers()
    {
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("File modes are a Unix notion.");
        File.SetUnixFileMode(CredentialsFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
    }

    public void Resolve(ProviderDefinition provider) =>
        _resolution = Attempt<CredentialResolution>.Run(() =>
        {
            var resolution = CredentialResolver.Standard(_explicitKey, Environment).Resolve(provider);
            _transcript.Record(resolution.Explain());
            return resolution;
        }, _transcript);

    /// <summary>What a user meets when no key is found: the session refuses to create a chat client.</summary>
    public void RequestChatClient(ProviderDefinition provider) =>
        _resolution = Attempt<CredentialResolution>.Run(() =>
        {
            using var session = ProviderSession.Open(provider.Id, new ProviderSessionOptions
            {
                ApiKey = _explicitKey,
                Environment = Environment,
                BaseUrl = new Uri("http://127.0.0.1:9/never-called"),
            });
            session.CreateChatClient("any-model");
            return session.Credential;
        }, _transcript);

    private CredentialResolution Resolution => (_resolution ?? throw new InvalidOperationException("The key was not resolved yet.")).ShouldSucceed();

    public void KeyShouldComeFrom(string source)
    {
        Resolution.Found.ShouldBeTrue(Resolution.Explain());
        Resolution.Source.ShouldBe(SourceNames[source], Resolution.Explain());
        (Resolution.Key == _keysBySource[source]).ShouldBeTrue($"the key resolved is not the one placed in the {source}");
    }

    public void ChainShouldReport(string source, string outcome)
    {
        var step = Resolution.Chain.Single(s => s.Source == SourceNames[source]);
        step.ToString().ShouldContain(outcome, Case.Insensitive, Resolution.Explain());
    }

    public void ShouldWarnAbout(string text) =>
        Resolution.Warnings.ShouldContain(w => w.Contains(text, StringComparison.OrdinalIgnoreCase), Resolution.Explain());

    public void ErrorShouldName(string place)
    {
        var error = _transcript.RequireLastAttempt().ShouldFailWith(ErrorKeys.MissingCredential);
        var expected = place switch
        {
            "the .env file" => Path.Combine(WorkingDirectory, ".env"),
            "the credentials file" => CredentialsFile,
            _ => place,
        };
        error.Message.ShouldContain(expected);
    }

    /// <summary>
    /// A short completion sent with <paramref name="key"/>, or with the key the target's credential chain finds (the
    /// scope's test key on the simulated target), recording what went on the wire and which key the session used.
    /// </summary>
    public async Task CompleteWithKeyAsync(ProviderDefinition provider, string scenario, string? key)
    {
        var endpoint = _target.Endpoint(provider.Id, scenario);
        if (endpoint.Scope is not null) _scopes.Add(endpoint.Scope);
        // Through the target's shared chain, so the request counts against the live budget like every other.
        using var http = new HttpClient(new RecordingHandler(_sentRequests, _target.Handler), disposeHandler: false) { Timeout = TimeSpan.FromSeconds(30) };
        // The base URL and the default key are the endpoint's business (the registry or *_BASE_URL and the credential
        // chain on the live target); only a key the scenario gives overrides them.
        await using var session = endpoint.OpenSession(http: http, apiKey: key);
        if (session.Credential.Key is { } used) _keysUsed.Add(RunKeys.Note(used)); // a live key is a canary of the run too
        _transcript.Record(session);
        // The everyday model, not one picked from the catalog: no /models call, and the key's journey does not depend
        // on which models a provider lists today.
        var client = session.CreateChatClient(ScenarioEndpoints.EverydayModel(provider));
        await Attempt<ChatResult>.RunAsync(() => client.CompleteAsync("Say hello.", new ChatOptions { MaxOutputTokens = ShortCompletionTokens }), _transcript);
    }

    public string InvalidKey(ProviderDefinition provider) => RunKeys.Note($"{provider.KeyPrefix ?? ""}invalid_spec_key_{Random.Shared.Next(1000, 9999)}");

    public void KeyShouldTravelAsBearer()
    {
        var chat = _sentRequests.LastOrDefault(r => r.RequestUri!.AbsolutePath.EndsWith("/chat/completions", StringComparison.Ordinal))
            ?? throw new ShouldAssertException("No completion request was sent.");
        chat.Headers.Authorization.ShouldNotBeNull("the request carried no Authorization header");
        chat.Headers.Authorization!.Scheme.ShouldBe("Bearer");
        // Compared without Shouldly's collection message, which would print the keys.
        var token = chat.Headers.Authorization.Parameter ?? "";
        _keysUsed.ShouldNotBeEmpty("the session found no key, so none could travel");
        _keysUsed.Contains(token).ShouldBeTrue(
            $"the Bearer token ({(token.Length == 0 ? "empty" : KeyMask.Mask(token))}) is not the key the session used ({string.Join(", ", _keysUsed.Distinct().Select(KeyMask.Mask))})");
    }

    /// <summary>Every key this scenario used must be absent from everything the scenario produced; masks are fine.</summary>
    public void NoOutputShouldContainTheKeys(IEnumerable<string> extraOutputs)
    {
        _keysUsed.ShouldNotBeEmpty("the scenario used no key, so there is nothing to look for");
        var outputs = _transcript.Entries.Concat(extraOutputs).ToList();
        outputs.ShouldNotBeEmpty();
        foreach (var key in _keysUsed.Distinct())
        {
            var leaks = outputs.Where(o => o.Contains(key, StringComparison.Ordinal)).ToList();
            leaks.ShouldBeEmpty($"a key ({KeyMask.Mask(key)}) appears in {leaks.Count} output(s)");
        }
    }

    /// <summary>What the simulated provider logged about the scenario's requests: headers (Authorization masked) and bodies.</summary>
    public IEnumerable<string> SimulatorLogs() =>
        _scopes.SelectMany(scope => scope.Requests).Select(r => JsonSerializer.Serialize(r));

    public void Dispose()
    {
        foreach (var request in _sentRequests) request.Dispose();
        try { _sandbox.Delete(recursive: true); }
        catch (IOException) { /* a leftover temp folder is harmless */ }
    }

    private sealed class RecordingHandler(List<HttpRequestMessage> sent, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (sent) sent.Add(request);
            return base.SendAsync(request, cancellationToken);
        }
    }
}

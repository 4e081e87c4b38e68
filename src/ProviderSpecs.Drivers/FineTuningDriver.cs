using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ProviderSpecs.Drivers.Catalog;
using ProviderSpecs.Drivers.Support;
using ProviderSpecs.Drivers.Targets;
using ProviderSpecs.Providers;
using ProviderSpecs.Providers.Catalog;
using ProviderSpecs.Providers.Registry;
using Shouldly;

namespace ProviderSpecs.Drivers;

/// <summary>
/// Together AI's fine-tuning endpoints, checked against what the catalog says can be fine-tuned. The provider
/// layer has no fine-tuning client (it is a chat layer), so this driver speaks Together's documented
/// `/fine-tunes` API directly — at the base URL and with the key of the scenario's provider-layer session, so the
/// registry (or <c>*_BASE_URL</c>) and the credential chain decide on the live target exactly as for a chat.
/// </summary>
public sealed class FineTuningDriver(ScenarioEndpoints endpoints, ScenarioTranscript transcript)
{
    private ProviderEndpoint? _endpoint;
    private ProviderSession? _session;
    private string? _jobId;
    private string? _createdStatus;
    private HttpResponseMessage? _lastResponse;
    private JsonNode? _lastBody;
    private string _lastText = "";

    private ProviderSession Session(ProviderDefinition provider, string scenario)
    {
        _endpoint = endpoints.For(provider, scenario);
        return _session = endpoints.Session(provider, scenario);
    }

    private async Task<JsonNode?> SendAsync(HttpMethod method, string path, object? body = null)
    {
        var session = _session ?? throw new InvalidOperationException("No provider was chosen yet: a step must name the fine-tuning provider first.");
        var key = session.Credential.RequireKey(); // says which places were looked in and what to set
        using var request = new HttpRequestMessage(method, new Uri(session.BaseUrl.ToString().TrimEnd('/') + path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (body is not null) request.Content = JsonContent.Create(body);
        _lastResponse = await _endpoint!.Http.SendAsync(request);
        _lastText = await _lastResponse.Content.ReadAsStringAsync();
        transcript.Record($"{method} {path} → {(int)_lastResponse.StatusCode}: {Excerpt(_lastText)}");
        _lastBody = ParseOrNull(_lastText);
        return _lastBody;
    }

    /// <summary>
    /// Every model the catalog marks as fine-tunable is offered by the fine-tuning service. The service's list is read
    /// in any of the shapes seen: <c>{"models": [...]}</c>, <c>{"data": [...]}</c> or a bare array, of ids or of
    /// objects with an <c>id</c>, <c>name</c> or <c>model</c>.
    /// </summary>
    public async Task CatalogAndServiceShouldAgreeAsync(ProviderDefinition provider, string scenario)
    {
        var session = Session(provider, scenario);
        var listing = await session.Catalog.GetModelsAsync();
        var tunable = (await session.Catalog.ListAsync(new ModelFilter { Capabilities = [ModelCapability.FineTuning] }))
            .Select(m => m.Id).Order(StringComparer.Ordinal).ToList();
        var answer = await SendAsync(HttpMethod.Get, "/fine-tunes/models/supported");
        _lastResponse!.IsSuccessStatusCode.ShouldBeTrue(
            $"{provider.DisplayName}'s list of fine-tunable models could not be read: HTTP {(int)_lastResponse.StatusCode} {Excerpt(_lastText)}");
        var offered = ModelIds(answer)
            ?? throw new ShouldAssertException($"{provider.DisplayName}'s list of fine-tunable models is in no shape this driver knows: {Excerpt(_lastText)}");
        tunable.ShouldNotBeEmpty(listing.FellBackToSnapshot
            ? $"the catalog marks no model as fine-tunable (it fell back to the snapshot: {listing.FallbackReason})"
            : $"the catalog marks no model {provider.DisplayName} lists as fine-tunable; the snapshot of {CatalogDrift.SnapshotDate(ModelSnapshot.Default)} marks "
              + string.Join(", ", ModelSnapshot.Default.ForProvider(provider.Id).Where(m => m.Capabilities.FineTunable == true).Select(m => m.Id)));
        var missing = tunable.Where(id => !offered.Contains(id)).ToList();
        missing.ShouldBeEmpty($"models the catalog calls fine-tunable that the fine-tuning service does not offer (it offers {offered.Count})");
    }

    /// <summary>The training epochs every job of the scenarios asks for.</summary>
    public const int Epochs = 2;

    private string? _baseModel;

    public async Task CreateJobAsync(ProviderDefinition provider, string model, string scenario)
    {
        Session(provider, scenario);
        _baseModel = model;
        var job = await SendAsync(HttpMethod.Post, "/fine-tunes", new { model, training_file = "file-spec-training-data", n_epochs = Epochs, suffix = "spec" });
        _jobId = _lastResponse!.IsSuccessStatusCode ? Text(job?["id"]) : null;
        _createdStatus = Text(job?["status"]);
    }

    public void JobShouldBe(string status)
    {
        _jobId.ShouldNotBeNull($"no job was created: HTTP {(int?)_lastResponse?.StatusCode} {Excerpt(_lastText)}");
        var actual = Text(_lastBody?["status"]);
        actual.ShouldNotBeNull($"the fine-tuning service's answer carries no status: {Excerpt(_lastText)}");
        actual.ShouldBe(status, $"the fine-tuning job's status: {Excerpt(_lastText)}");
    }

    /// <summary>
    /// Polls the job until it reaches the last status asked for (at most 10 reads) and checks the statuses it went
    /// through. An answer without a status fails at once: a job whose state cannot be read is not progressing.
    /// </summary>
    public async Task JobShouldProgressThroughAsync(IReadOnlyList<string> statuses)
    {
        _jobId.ShouldNotBeNull($"no job was created: HTTP {(int?)_lastResponse?.StatusCode} {Excerpt(_lastText)}");
        var seen = new List<string> { _createdStatus ?? throw new ShouldAssertException($"the fine-tuning service created job {_jobId} without a status") };
        for (var poll = 0; poll < 10 && seen.LastOrDefault() != statuses[^1]; poll++)
        {
            var answer = await SendAsync(HttpMethod.Get, $"/fine-tunes/{_jobId}");
            _lastResponse!.IsSuccessStatusCode.ShouldBeTrue($"job {_jobId} could not be read: HTTP {(int)_lastResponse.StatusCode} {Excerpt(_lastText)}");
            var status = Text(answer?["status"]) ?? throw new ShouldAssertException($"the fine-tuning service's answer about job {_jobId} carries no status: {Excerpt(_lastText)}");
            if (seen.LastOrDefault() != status) seen.Add(status);
        }
        seen.ShouldBe(statuses, $"the job went through: {string.Join(" → ", seen)}");
    }

    /// <summary>
    /// A completed job describes the model it made: its own id (<c>output_name</c>), the base model it was trained from
    /// (<c>model</c>: the one asked, which the catalog marks as fine-tunable) and the epochs it trained. Together AI names a
    /// fine-tuned model after its base, so the id shows where it came from.
    /// </summary>
    public async Task FineTunedModelShouldComeFromAsync(string baseModel)
    {
        _baseModel.ShouldBe(baseModel, "the base model checked should be the one the job was created for");
        var job = _lastBody ?? throw new ShouldAssertException($"the fine-tuning service gave no readable answer about job {_jobId}: {Excerpt(_lastText)}");
        Text(job["status"]).ShouldBe("completed", $"only a completed job has made a model: {Excerpt(_lastText)}");
        var trainedFrom = Text(job["model"]) ?? throw new ShouldAssertException($"the completed job does not say which model it was trained from: {Excerpt(_lastText)}");
        trainedFrom.ShouldBe(baseModel, "the base model the completed job names");
        var made = Text(job["output_name"]) ?? throw new ShouldAssertException($"the completed job does not name the model it made: {Excerpt(_lastText)}");
        made.ShouldNotBe(baseModel, "a fine-tuned model has an id of its own");
        made.Contains(baseModel.Split('/')[^1], StringComparison.OrdinalIgnoreCase).ShouldBeTrue($"the fine-tuned model '{made}' should be named after its base '{baseModel}'");
        var epochs = job["epochs_completed"] is JsonValue e && e.TryGetValue<int>(out var done) ? done
            : throw new ShouldAssertException($"the completed job does not say how many epochs it trained: {Excerpt(_lastText)}");
        epochs.ShouldBe(Epochs, $"the epochs the completed job trained ({Epochs} were asked for)");
        var catalogued = await _session!.Catalog.GetAsync(baseModel);
        catalogued.Capabilities.FineTunable.ShouldBe(true, $"the catalog should mark {baseModel}, which the fine-tuning service trained from, as fine-tunable");
        transcript.Record($"fine-tuned model {made}: trained from {trainedFrom} for {epochs} epochs");
    }

    public async Task CancelJobAsync() =>
        await SendAsync(HttpMethod.Post, $"/fine-tunes/{_jobId ?? throw new InvalidOperationException("no job was created")}/cancel");

    /// <summary>
    /// Why the fine-tuning service refuses a request, in the reader's words, and how Together AI says it on the wire: the
    /// HTTP status and the <c>error.code</c> of its answer (the glossary's <em>fine-tuning refusal</em>).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, (int Status, string Code)> Refusals = new Dictionary<string, (int, string)>(StringComparer.Ordinal)
    {
        ["the model cannot be fine-tuned"] = (400, "model_not_supported"),
        ["the job has already ended"] = (400, "invalid_job_state"),
        ["there is no such job"] = (404, "not_found"),
    };

    /// <summary>The last fine-tuning request was refused for <paramref name="reason"/>: its status and error code; either missing fails.</summary>
    public void RequestShouldBeRefusedBecause(string reason)
    {
        if (!Refusals.TryGetValue(reason, out var expected))
            throw new ArgumentException($"'{reason}' is not a refusal this driver knows; use one of: {string.Join("; ", Refusals.Keys)}.");
        _lastResponse.ShouldNotBeNull("no fine-tuning request was sent");
        ((int)_lastResponse.StatusCode).ShouldBe(expected.Status, $"the refusal's status: {Excerpt(_lastText)}");
        var actual = Text(_lastBody?["error"]?["code"]);
        actual.ShouldNotBeNull($"the refusal carries no error code, so it does not say why: {Excerpt(_lastText)}");
        actual.ShouldBe(expected.Code, $"the refusal's error code: {Excerpt(_lastText)}");
    }

    private static HashSet<string>? ModelIds(JsonNode? answer)
    {
        var list = answer switch
        {
            JsonArray array => array,
            JsonObject o when o["models"] is JsonArray models => models,
            JsonObject o when o["data"] is JsonArray data => data,
            _ => null,
        };
        return list?.Select(entry => entry switch
        {
            JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
            JsonObject o => Text(o["id"]) ?? Text(o["name"]) ?? Text(o["model"]),
            _ => null,
        }).OfType<string>().ToHashSet(StringComparer.Ordinal);
    }

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    private static JsonNode? ParseOrNull(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        try { return JsonNode.Parse(text); }
        catch (JsonException) { return null; } // an HTML error page, say: the status and the excerpt tell the story
    }

    private static string Excerpt(string text) => text.Length <= 400 ? text : text[..400] + "…";
}

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

    public async Task CreateJobAsync(ProviderDefinition provider, string model, string scenario)
    {
        Session(provider, scenario);
        var job = await SendAsync(HttpMethod.Post, "/fine-tunes", new { model, training_file = "file-spec-training-data", n_epochs = 2, suffix = "spec" });
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

    public async Task JobShouldProgressThroughAsync(IReadOnlyList<string> statuses)
    {
        _jobId.ShouldNotBeNull("no job was created");
        var seen = new List<string> { _createdStatus ?? "?" };
        for (var poll = 0; poll < 10 && seen.LastOrDefault() != statuses[^1]; poll++)
        {
            var status = Text((await SendAsync(HttpMethod.Get, $"/fine-tunes/{_jobId}"))?["status"]) ?? "?";
            if (seen.LastOrDefault() != status) seen.Add(status);
        }
        seen.ShouldBe(statuses, $"the job went through: {string.Join(" → ", seen)}");
    }

    public async Task CancelJobAsync() =>
        await SendAsync(HttpMethod.Post, $"/fine-tunes/{_jobId ?? throw new InvalidOperationException("no job was created")}/cancel");

    public void RequestShouldBeRefusedWith(int status, string code)
    {
        _lastResponse.ShouldNotBeNull("no fine-tuning request was sent");
        ((int)_lastResponse.StatusCode).ShouldBe(status, Excerpt(_lastText));
        var actual = Text(_lastBody?["error"]?["code"]);
        actual.ShouldNotBeNull($"the refusal carries no error code: {Excerpt(_lastText)}");
        actual.ShouldBe(code, Excerpt(_lastText));
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

using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ProviderSpecs.Drivers.Support;
using ProviderSpecs.Drivers.Targets;
using ProviderSpecs.Providers.Catalog;
using ProviderSpecs.Providers.Registry;
using Shouldly;

namespace ProviderSpecs.Drivers;

/// <summary>
/// Together AI's fine-tuning endpoints, checked against what the catalog says can be fine-tuned. The provider
/// layer has no fine-tuning client (it is a chat layer), so this driver speaks Together's documented
/// `/fine-tunes` API directly, with the scenario's endpoint and key.
/// </summary>
public sealed class FineTuningDriver(SpecTarget target, ScenarioTranscript transcript)
{
    private ProviderEndpoint? _endpoint;
    private string? _jobId;
    private string? _createdStatus;
    private HttpResponseMessage? _lastResponse;
    private JsonNode? _lastBody;

    private ProviderEndpoint Endpoint(ProviderDefinition provider, string scenario) => _endpoint ??= target.Endpoint(provider.Id, scenario);

    private async Task<JsonNode?> SendAsync(HttpMethod method, string path, object? body = null)
    {
        var endpoint = _endpoint ?? throw new InvalidOperationException("No provider was chosen yet.");
        using var request = new HttpRequestMessage(method, new Uri(endpoint.BaseUrl!.ToString().TrimEnd('/') + path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", endpoint.ApiKey);
        if (body is not null) request.Content = JsonContent.Create(body);
        _lastResponse = await endpoint.Http.SendAsync(request);
        var text = await _lastResponse.Content.ReadAsStringAsync();
        transcript.Record($"{method} {path} → {(int)_lastResponse.StatusCode}: {text}");
        _lastBody = text.Length == 0 ? null : JsonNode.Parse(text);
        return _lastBody;
    }

    public async Task CatalogAndServiceShouldAgreeAsync(ProviderDefinition provider, string scenario)
    {
        var endpoint = Endpoint(provider, scenario);
        await using var session = endpoint.OpenSession();
        var tunable = (await session.Catalog.ListAsync(new ModelFilter { Capabilities = [ModelCapability.FineTuning] }))
            .Select(m => m.Id).Order().ToList();
        var offered = (await SendAsync(HttpMethod.Get, "/fine-tunes/models/supported"))?["models"]?.AsArray()
            .Select(m => m!.GetValue<string>()).ToHashSet() ?? [];
        _lastResponse!.IsSuccessStatusCode.ShouldBeTrue("the list of fine-tunable models could not be read");
        tunable.ShouldNotBeEmpty("the catalog marks no model as fine-tunable");
        tunable.Where(id => !offered.Contains(id)).ShouldBeEmpty("models the catalog calls fine-tunable that the fine-tuning service does not offer");
    }

    public async Task CreateJobAsync(ProviderDefinition provider, string model, string scenario)
    {
        Endpoint(provider, scenario);
        var job = await SendAsync(HttpMethod.Post, "/fine-tunes", new { model, training_file = "file-spec-training-data", n_epochs = 2, suffix = "spec" });
        _jobId = _lastResponse!.IsSuccessStatusCode ? job?["id"]?.GetValue<string>() : null;
        _createdStatus = job?["status"]?.GetValue<string>();
    }

    public void JobShouldBe(string status)
    {
        _jobId.ShouldNotBeNull($"no job was created: {_lastBody?.ToJsonString()}");
        _lastBody?["status"]?.GetValue<string>().ShouldBe(status);
    }

    public async Task JobShouldProgressThroughAsync(IReadOnlyList<string> statuses)
    {
        _jobId.ShouldNotBeNull("no job was created");
        var seen = new List<string> { _createdStatus ?? "?" };
        for (var poll = 0; poll < 10 && seen.LastOrDefault() != statuses[^1]; poll++)
        {
            var status = (await SendAsync(HttpMethod.Get, $"/fine-tunes/{_jobId}"))?["status"]?.GetValue<string>() ?? "?";
            if (seen.LastOrDefault() != status) seen.Add(status);
        }
        seen.ShouldBe(statuses, $"the job went through: {string.Join(" → ", seen)}");
    }

    public async Task CancelJobAsync() => await SendAsync(HttpMethod.Post, $"/fine-tunes/{_jobId ?? throw new InvalidOperationException("no job was created")}/cancel");

    public void RequestShouldBeRefusedWith(int status, string code)
    {
        ((int)_lastResponse!.StatusCode).ShouldBe(status, _lastBody?.ToJsonString());
        _lastBody?["error"]?["code"]?.GetValue<string>().ShouldBe(code);
    }
}

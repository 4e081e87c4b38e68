using System.Text.Json.Nodes;
using static ProviderSpecs.Simulators.Tests.SimulatorFixture;

namespace ProviderSpecs.Simulators.Tests;

public sealed class CatalogTests
{
    [Test]
    public async Task Groq_lists_models_as_an_object_list_with_context_windows()
    {
        var (response, body) = await SendAsync(Get(Groq, Groq.DefaultApiKey, "/models"));
        ((int)response.StatusCode).ShouldBe(200);
        var json = JsonNode.Parse(body)!;
        json["object"]!.GetValue<string>().ShouldBe("list");
        var models = json["data"]!.AsArray();
        models.Select(m => m!["id"]!.GetValue<string>()).ShouldContain("openai/gpt-oss-20b");
        models.ShouldAllBe(m => m!["context_window"]!.GetValue<int>() > 0 && m["simulator"] == null);
        response.Headers.Contains("x-ratelimit-limit-requests").ShouldBeTrue();
    }

    [Test]
    public async Task Groq_serves_one_model_by_id_and_404s_an_unknown_one()
    {
        var (found, body) = await SendAsync(Get(Groq, Groq.DefaultApiKey, "/models/openai/gpt-oss-120b"));
        ((int)found.StatusCode).ShouldBe(200);
        JsonNode.Parse(body)!["max_completion_tokens"]!.GetValue<int>().ShouldBe(65536);

        var (missing, missingBody) = await SendAsync(Get(Groq, Groq.DefaultApiKey, "/models/gemma2-9b-it"));
        ((int)missing.StatusCode).ShouldBe(404);
        JsonNode.Parse(missingBody)!["error"]!["code"]!.GetValue<string>().ShouldBe("model_not_found");
    }

    [Test]
    public async Task Together_lists_a_bare_array_covering_every_model_type_with_pricing()
    {
        var (_, body) = await SendAsync(Get(Together, Together.DefaultApiKey, "/models"));
        var models = JsonNode.Parse(body).ShouldBeOfType<JsonArray>();
        models.Select(m => m!["type"]!.GetValue<string>()).Distinct().Order()
            .ShouldBe(["chat", "code", "embedding", "image", "language", "moderation", "rerank"]);
        models.ShouldAllBe(m => m!["pricing"]!.AsObject().Count == 5);
    }

    [Test]
    public async Task Catalog_unavailable_fails_the_catalog_for_that_scope_only()
    {
        var broken = Groq.OpenScope("catalog outage");
        broken.InjectFault("catalog-unavailable", new FaultOptions { Count = 1 });

        var (failed, _) = await SendAsync(Get(Groq, broken.ApiKey, "/models"));
        var (other, _) = await SendAsync(Get(Groq, Groq.OpenScope("catalog bystander").ApiKey, "/models"));
        var (recovered, _) = await SendAsync(Get(Groq, broken.ApiKey, "/models"));

        ((int)failed.StatusCode).ShouldBe(503);
        ((int)other.StatusCode).ShouldBe(200);
        ((int)recovered.StatusCode).ShouldBe(200);
        broken.Requests.Select(r => r.StatusCode).ShouldBe([503, 200]);
    }
}

using System.Net;
using Microsoft.Extensions.Time.Testing;
using ProviderSpecs.Providers.Catalog;
using ProviderSpecs.Providers.Errors;
using ProviderSpecs.Providers.Registry;

namespace ProviderSpecs.Providers.Tests;

public class CatalogTests
{
    private const string GroqModels = """
        {"object":"list","data":[
          {"id":"llama-3.1-8b-instant","object":"model","created":1693721698,"owned_by":"Meta","active":true,"context_window":131072,"public_apps":null,"max_completion_tokens":131072},
          {"id":"openai/gpt-oss-20b","object":"model","created":1754407957,"owned_by":"OpenAI","active":true,"context_window":131072,"public_apps":null,"max_completion_tokens":65536},
          {"id":"whisper-large-v3","object":"model","created":1693721698,"owned_by":"OpenAI","active":true,"context_window":448,"public_apps":null,"max_completion_tokens":448}]}
        """;

    private const string TogetherModels = """
        [{"id":"meta-llama/Llama-3.3-70B-Instruct-Turbo","object":"model","created":1733443200,"type":"chat",
          "display_name":"Meta Llama 3.3 70B Instruct Turbo","organization":"Meta","link":"https://example.invalid","license":"llama3.3","context_length":131072,
          "pricing":{"hourly":0,"input":0.88,"output":0.88,"base":0,"finetune":0}},
         {"id":"BAAI/bge-large-en-v1.5","object":"model","created":1,"type":"embedding","organization":"BAAI","context_length":512,
          "pricing":{"hourly":0,"input":0.02,"output":0,"base":0,"finetune":0}}]
        """;

    private static ModelCatalog Catalog(string provider, StubHandler handler, string? key = Stub.GroqKey, TimeProvider? time = null) =>
        new(ProviderRegistry.Default.Resolve(provider), new Uri("http://127.0.0.1:9/v1"), new HttpClient(handler), () => key,
            TimeSpan.FromMinutes(5), timeProvider: time);

    [Test]
    public async Task Groq_list_is_parsed_and_enriched_from_the_snapshot_with_provenance()
    {
        var handler = new StubHandler().Json(GroqModels);
        var listing = await Catalog("groq", handler).GetModelsAsync();
        listing.Source.ShouldBe(FieldSource.Live);
        var model = listing.Models.Single(m => m.Id == "openai/gpt-oss-20b");
        model.Owner.ShouldBe("OpenAI");
        model.ContextWindow.ShouldBe(131072);
        model.MaxOutputTokens.ShouldBe(65536);
        model.Provenance["contextWindow"].ShouldBe(FieldSource.Live);
        model.InputPricePerMillionTokens.ShouldBe(0.075m);
        model.Provenance["inputPricePerMillionTokens"].ShouldBe(FieldSource.Snapshot);
        model.Capabilities.Reasoning.ShouldBe(true);
        model.Kind.ShouldBe(ModelKind.Chat);
        handler.Requests.Single().Request.Headers.Authorization!.ToString().ShouldBe($"Bearer {Stub.GroqKey}");
        handler.Requests.Single().Request.RequestUri!.AbsolutePath.ShouldBe("/v1/models");
    }

    [Test]
    public async Task Together_bare_array_gives_kind_price_and_owner_live()
    {
        var listing = await Catalog("together", new StubHandler().Json(TogetherModels)).GetModelsAsync();
        var llama = listing.Models.Single(m => m.Id == "meta-llama/Llama-3.3-70B-Instruct-Turbo");
        llama.DisplayName.ShouldBe("Meta Llama 3.3 70B Instruct Turbo");
        llama.OutputPricePerMillionTokens.ShouldBe(0.88m);
        llama.Provenance["outputPricePerMillionTokens"].ShouldBe(FieldSource.Live);
        llama.MaxOutputTokens.ShouldBe(131072);
        llama.Provenance["maxOutputTokens"].ShouldBe(FieldSource.Snapshot);
        listing.Models.Single(m => m.Id.StartsWith("BAAI")).Kind.ShouldBe(ModelKind.Embedding);
    }

    [Test]
    public async Task Generic_openai_list_is_parsed()
    {
        var listing = await Catalog("openai", new StubHandler().Json("""{"object":"list","data":[{"id":"gpt-4o-mini","object":"model","owned_by":"system"}]}""")).GetModelsAsync();
        listing.Models.ShouldHaveSingleItem().Owner.ShouldBe("system");
    }

    [Test]
    public async Task Filters_combine()
    {
        var catalog = Catalog("together", new StubHandler().Json(TogetherModels));
        (await catalog.ListAsync(new ModelFilter { Kind = ModelKind.Chat })).Single().Id.ShouldStartWith("meta-llama");
        (await catalog.ListAsync(new ModelFilter { MinContextWindow = 100_000 })).Count.ShouldBe(1);
        (await catalog.ListAsync(new ModelFilter { MaxPricePerMillionTokens = 0.5m })).Single().Id.ShouldStartWith("BAAI");
        (await catalog.ListAsync(new ModelFilter { Owner = "meta", Search = "70b" })).Count.ShouldBe(1);
        (await catalog.ListAsync(new ModelFilter { Capabilities = [ModelCapability.ToolCalls] })).Single().Id.ShouldStartWith("meta-llama");
        (await catalog.ListAsync(new ModelFilter { Search = "nothing-like-this" })).ShouldBeEmpty();
    }

    [Test]
    public async Task Listing_is_cached_until_the_ttl_passes()
    {
        var time = new FakeTimeProvider();
        var handler = new StubHandler().Json(GroqModels).Json(GroqModels);
        var catalog = Catalog("groq", handler, time: time);
        (await catalog.GetModelsAsync()).FromCache.ShouldBeFalse();
        time.Advance(TimeSpan.FromMinutes(4));
        (await catalog.GetModelsAsync()).FromCache.ShouldBeTrue();
        handler.Requests.Count.ShouldBe(1);
        time.Advance(TimeSpan.FromMinutes(2));
        (await catalog.GetModelsAsync()).FromCache.ShouldBeFalse();
        handler.Requests.Count.ShouldBe(2);
    }

    [Test]
    public async Task A_failed_fetch_falls_back_to_the_snapshot_and_says_why()
    {
        var listing = await Catalog("groq", new StubHandler().Json("""{"error":{"message":"Invalid API Key","type":"invalid_request_error","code":"invalid_api_key"}}""", HttpStatusCode.Unauthorized)).GetModelsAsync();
        listing.FellBackToSnapshot.ShouldBeTrue();
        listing.FallbackReason!.ShouldContain(ErrorKeys.Authentication);
        listing.Models.ShouldContain(m => m.Id == "llama-3.3-70b-versatile");
        listing.Models.ShouldAllBe(m => m.Provenance.Values.All(v => v == FieldSource.Snapshot));
    }

    [Test]
    public async Task Malformed_list_and_missing_key_also_fall_back()
    {
        (await Catalog("groq", new StubHandler().Json("[not json")).GetModelsAsync()).FallbackReason!.ShouldContain(ErrorKeys.MalformedResponse);
        var handler = new StubHandler();
        (await Catalog("groq", handler, key: null).GetModelsAsync()).FallbackReason!.ShouldContain(ErrorKeys.MissingCredential);
        handler.Requests.ShouldBeEmpty();
    }

    [Test]
    public async Task Unknown_model_lookup_suggests_close_ids()
    {
        var error = await Should.ThrowAsync<ProviderException>(() => Catalog("groq", new StubHandler().Json(GroqModels)).GetAsync("llama-3.1-8b-instnt"));
        error.ErrorKey.ShouldBe(ErrorKeys.ModelNotFound);
        error.Message.ShouldContain("llama-3.1-8b-instant");
    }

    [Test]
    public void Snapshot_covers_groq_and_together_models()
    {
        ModelSnapshot.Default.ForProvider("groq").Count.ShouldBeGreaterThanOrEqualTo(10);
        ModelSnapshot.Default.ForProvider("together_ai").Count.ShouldBeGreaterThanOrEqualTo(20);
        ModelSnapshot.Default.Find("together_ai", "meta-llama/Llama-3.3-70B-Instruct-Turbo")!.ContextWindow.ShouldBe(131072);
    }
}

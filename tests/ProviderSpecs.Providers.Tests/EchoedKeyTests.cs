using System.Net;
using ProviderSpecs.Providers.Errors;

namespace ProviderSpecs.Providers.Tests;

/// <summary>
/// A provider that quotes the key it was sent in an error body (some answer "Invalid API Key: …") must not put the key
/// into the layer's exception: its message, the provider's message, ToString() and the inner exception all show the
/// mask instead, whether the call was streamed or not.
/// </summary>
public class EchoedKeyTests
{
    private static string Echo(string key) =>
        "{\"error\":{\"message\":\"Invalid API Key: " + key + "\",\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}";

    private static void ShouldNotShow(ProviderException error, string key)
    {
        error.ErrorKey.ShouldBe(ErrorKeys.Authentication, error.ToString());
        foreach (var text in new[] { error.Message, error.ProviderMessage, error.ToString(), error.InnerException?.Message, error.InnerException?.ToString() })
            (text ?? "").ShouldNotContain(key);
        error.Message.ShouldContain("Invalid API Key: gsk_");
    }

    [Test]
    public async Task A_key_the_provider_echoes_in_an_error_is_masked_in_every_text_of_the_exception()
    {
        using var session = Stub.Session("groq", new StubHandler().Json(Echo(Stub.GroqKey), HttpStatusCode.Unauthorized));
        ShouldNotShow(await Should.ThrowAsync<ProviderException>(() => session.CreateChatClient("m").CompleteAsync("hi")), Stub.GroqKey);
    }

    [Test]
    public async Task A_key_echoed_in_a_streamed_call_s_error_is_masked_too()
    {
        using var session = Stub.Session("groq", new StubHandler().Json(Echo(Stub.GroqKey), HttpStatusCode.Unauthorized));
        ShouldNotShow(await Should.ThrowAsync<ProviderException>(() => session.CreateChatClient("m").Stream("hi").CollectAsync()), Stub.GroqKey);
    }

    [Test]
    public async Task A_key_echoed_by_the_model_list_is_not_in_the_fallback_reason_shown()
    {
        var catalog = new Catalog.ModelCatalog(Registry.ProviderRegistry.Default.Resolve("groq"), new Uri("http://127.0.0.1:9/v1"),
            new HttpClient(new StubHandler().Json(Echo(Stub.GroqKey), HttpStatusCode.Unauthorized)), () => Stub.GroqKey, TimeSpan.FromMinutes(5));
        var listing = await catalog.GetModelsAsync();
        listing.FallbackReason!.ShouldContain(ErrorKeys.Authentication);
        listing.FallbackReason!.ShouldContain("Invalid API Key: gsk_");
        listing.FallbackReason!.ShouldNotContain(Stub.GroqKey);
    }

    [Test]
    public void Any_key_shaped_text_in_an_error_body_is_masked_by_the_mapper_itself()
    {
        var other = "gsk_" + new string('Z', 40) + "a1b2";
        var error = ErrorMapper.FromHttpResponse(401, Echo(other), _ => null, Registry.ProviderRegistry.Default.Resolve("groq"), "m");
        ShouldNotShow(error, other);
        error.Message.ShouldContain("a1b2");
    }
}

using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using static ProviderSpecs.Simulators.Tests.SimulatorFixture;

namespace ProviderSpecs.Simulators.Tests;

/// <summary>What the real APIs refuse gets the real status and body, never a WireMock page.</summary>
public sealed class ErrorTests
{
    [Test]
    public async Task An_unknown_key_gets_groqs_exact_401_body()
    {
        var (response, body) = await SendAsync(Post(Groq, "gsk_sim_not_a_key", "/chat/completions", ChatBody("llama-3.1-8b-instant")));
        ((int)response.StatusCode).ShouldBe(401);
        body.ShouldBe("""{"error":{"message":"Invalid API Key","type":"invalid_request_error","code":"invalid_api_key"}}""");
    }

    [Test]
    public async Task An_unknown_key_gets_togethers_401_with_null_param()
    {
        var (response, body) = await SendAsync(Get(Together, "tg_sim_not_a_key", "/models"));
        ((int)response.StatusCode).ShouldBe(401);
        var error = JsonNode.Parse(body)!["error"]!;
        error["code"]!.GetValue<string>().ShouldBe("invalid_api_key");
        error.AsObject().ContainsKey("param").ShouldBeTrue();
    }

    [Test]
    public async Task An_unknown_model_gets_model_not_found_with_groqs_message()
    {
        var (response, body) = await SendAsync(Post(Groq, Groq.DefaultApiKey, "/chat/completions", ChatBody("llama3-8b-8192")));
        ((int)response.StatusCode).ShouldBe(404);
        body.ShouldBe("""{"error":{"message":"The model `llama3-8b-8192` does not exist or you do not have access to it.","type":"invalid_request_error","code":"model_not_found"}}""");
    }

    [TestCase("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "model")]
    [TestCase("{\"model\":\"llama-3.1-8b-instant\",\"messages\":[]}", "messages")]
    [TestCase("{\"model\":\"llama-3.1-8b-instant\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"n\":2}", "n")]
    public async Task Requests_groq_refuses_get_a_400_naming_the_parameter(string json, string param)
    {
        var (response, body) = await SendAsync(Post(Groq, Groq.DefaultApiKey, "/chat/completions", json));
        ((int)response.StatusCode).ShouldBe(400);
        var error = JsonNode.Parse(body)!["error"]!;
        error["type"]!.GetValue<string>().ShouldBe("invalid_request_error");
        error["param"]!.GetValue<string>().ShouldBe(param);
    }

    [Test]
    public async Task Malformed_json_and_a_wrong_content_type_get_400_invalid_request_errors()
    {
        var (malformed, malformedBody) = await SendAsync(Post(Groq, Groq.DefaultApiKey, "/chat/completions", "{\"model\": "));
        ((int)malformed.StatusCode).ShouldBe(400);
        JsonNode.Parse(malformedBody)!["error"]!["type"]!.GetValue<string>().ShouldBe("invalid_request_error");

        var (wrongType, wrongTypeBody) = await SendAsync(Post(Groq, Groq.DefaultApiKey, "/chat/completions", ChatBody("llama-3.1-8b-instant"), "text/plain"));
        ((int)wrongType.StatusCode).ShouldBe(400);
        JsonNode.Parse(wrongTypeBody)!["error"]!["message"]!.GetValue<string>().ShouldContain("text/plain");
    }

    [Test]
    public async Task A_prompt_beyond_the_context_window_gets_context_length_exceeded()
    {
        var prompt = new string('a', 4 * 600); // ~600 tokens against the guard model's 512
        var (response, body) = await SendAsync(Post(Groq, Groq.DefaultApiKey, "/chat/completions", ChatBody("meta-llama/llama-prompt-guard-2-22m", prompt)));
        ((int)response.StatusCode).ShouldBe(400);
        JsonNode.Parse(body)!["error"]!["code"]!.GetValue<string>().ShouldBe("context_length_exceeded");
    }

    [Test]
    public async Task A_prompt_beyond_groqs_tokens_per_minute_gets_413()
    {
        var prompt = new string('a', 4 * 7000); // ~7000 tokens against llama-3.1-8b-instant's 6000 TPM
        var (response, body) = await SendAsync(Post(Groq, Groq.DefaultApiKey, "/chat/completions", ChatBody("llama-3.1-8b-instant", prompt)));
        ((int)response.StatusCode).ShouldBe(413);
        var error = JsonNode.Parse(body)!["error"]!;
        error["code"]!.GetValue<string>().ShouldBe("rate_limit_exceeded");
        error["message"]!.GetValue<string>().ShouldStartWith("Request too large for model `llama-3.1-8b-instant`");
    }

    [Test]
    public async Task Unknown_urls_get_the_providers_unknown_url_404_not_a_wiremock_page()
    {
        var (underPrefix, body) = await SendAsync(Get(Groq, Groq.DefaultApiKey, "/embeddingz"));
        ((int)underPrefix.StatusCode).ShouldBe(404);
        JsonNode.Parse(body)!["error"]!["code"]!.GetValue<string>().ShouldBe("unknown_url");

        var (outside, outsideBody) = await SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(Together.BaseUrl, "/elsewhere")));
        ((int)outside.StatusCode).ShouldBe(404);
        JsonNode.Parse(outsideBody)!["error"]!["message"]!.GetValue<string>().ShouldContain("GET /elsewhere");
    }

    [Test]
    public async Task A_non_chat_model_is_refused_on_chat_completions()
    {
        var (response, _) = await SendAsync(Post(Together, Together.DefaultApiKey, "/chat/completions", ChatBody("BAAI/bge-large-en-v1.5")));
        ((int)response.StatusCode).ShouldBe(400);
    }
}

/// <summary>Groq validates its request schema strictly; Together ignores fields it does not use.</summary>
public sealed class StrictFieldTests
{
    [Test]
    public async Task Groq_refuses_a_field_it_does_not_take_and_Together_ignores_it()
    {
        var groq = Groq.OpenScope("unknown field");
        var (response, body) = await SendAsync(Post(Groq, groq.ApiKey, "/chat/completions", ChatBody("llama-3.1-8b-instant", extra: ",\"top_k\":40")));
        ((int)response.StatusCode).ShouldBe(400, body);
        body.ShouldContain("property 'top_k' is unsupported");

        var together = Together.OpenScope("unknown field");
        (response, body) = await SendAsync(Post(Together, together.ApiKey, "/chat/completions", ChatBody("meta-llama/Llama-3.3-70B-Instruct-Turbo", extra: ",\"top_k\":40,\"safety_model\":null")));
        ((int)response.StatusCode).ShouldBe(200, body);
    }

    [TestCase("llama-3.1-8b-instant", "reasoning_content", true)]
    [TestCase("openai/gpt-oss-20b", "reasoning_content", true)]
    [TestCase("llama-3.1-8b-instant", "reasoning", true)]
    [TestCase("openai/gpt-oss-20b", "reasoning", false)]
    public async Task Groq_refuses_thinking_sent_back_on_an_assistant_message_as_it_does_live(string model, string field, bool refused)
    {
        var scope = Groq.OpenScope($"history {model} {field}");
        var messages = new System.Text.Json.Nodes.JsonArray(
            new System.Text.Json.Nodes.JsonObject { ["role"] = "user", ["content"] = "hi" },
            new System.Text.Json.Nodes.JsonObject { ["role"] = "assistant", ["content"] = "Hello.", [field] = "The user greets." },
            new System.Text.Json.Nodes.JsonObject { ["role"] = "user", ["content"] = "again" });
        var request = new System.Text.Json.Nodes.JsonObject { ["model"] = model, ["messages"] = messages }.ToJsonString();
        var (response, body) = await SendAsync(Post(Groq, scope.ApiKey, "/chat/completions", request));
        if (refused)
        {
            ((int)response.StatusCode).ShouldBe(400, body);
            body.ShouldContain($"'messages.1' : for 'role:assistant' the following must be satisfied[('messages.1' : property '{field}' is unsupported)]");
        }
        else
        {
            ((int)response.StatusCode).ShouldBe(200, body);
        }
    }
}

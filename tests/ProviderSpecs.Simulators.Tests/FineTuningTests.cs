using System.Net;
using System.Text.Json.Nodes;
using static ProviderSpecs.Simulators.Tests.SimulatorFixture;

namespace ProviderSpecs.Simulators.Tests;

/// <summary>Together's fine-tuning endpoints through a raw HttpClient.</summary>
public sealed class FineTuningTests
{
    private const string Tunable = "openai/gpt-oss-20b";

    [Test]
    public async Task A_job_runs_pending_queued_running_completed_with_events_and_checkpoints_in_its_scope_only()
    {
        var scope = Together.OpenScope("fine-tune lifecycle");
        var other = Together.OpenScope("fine-tune neighbour");

        var (supported, supportedBody) = await SendAsync(Get(Together, scope.ApiKey, "/fine-tunes/models/supported"));
        supported.StatusCode.ShouldBe(HttpStatusCode.OK);
        var models = JsonNode.Parse(supportedBody)!["models"]!.AsArray().Select(m => m!.GetValue<string>()).ToList();
        models.ShouldContain(Tunable);
        models.ShouldNotContain("BAAI/bge-large-en-v1.5");

        var (created, createdBody) = await SendAsync(Post(Together, scope.ApiKey, "/fine-tunes",
            $"{{\"model\":\"{Tunable}\",\"training_file\":\"file-sim-001\",\"n_epochs\":4,\"suffix\":\"support\"}}"));
        created.StatusCode.ShouldBe(HttpStatusCode.OK);
        var job = JsonNode.Parse(createdBody)!;
        var id = job["id"]!.GetValue<string>();
        id.ShouldStartWith("ft-");
        job["status"]!.GetValue<string>().ShouldBe("pending");
        job["output_name"]!.GetValue<string>().ShouldContain("gpt-oss-20b-support-");

        var seen = new List<string>();
        for (var poll = 0; poll < 5; poll++)
        {
            var (_, body) = await SendAsync(Get(Together, scope.ApiKey, "/fine-tunes/" + id));
            seen.Add(JsonNode.Parse(body)!["status"]!.GetValue<string>());
        }
        seen.ShouldBe(["queued", "running", "completed", "completed", "completed"]);

        var (_, events) = await SendAsync(Get(Together, scope.ApiKey, $"/fine-tunes/{id}/events"));
        JsonNode.Parse(events)!["data"]!.AsArray().Select(e => e!["type"]!.GetValue<string>())
            .ShouldBe(["job_pending", "job_queued", "job_running", "job_completed"]);
        var (_, checkpoints) = await SendAsync(Get(Together, scope.ApiKey, $"/fine-tunes/{id}/checkpoints"));
        var points = JsonNode.Parse(checkpoints)!["data"]!.AsArray();
        points.Count.ShouldBe(4);
        points[0]!["checkpoint_type"]!.GetValue<string>().ShouldBe("Final");

        var (_, list) = await SendAsync(Get(Together, scope.ApiKey, "/fine-tunes"));
        JsonNode.Parse(list)!["data"]!.AsArray().Select(j => j!["id"]!.GetValue<string>()).ShouldBe([id]);
        var (_, otherList) = await SendAsync(Get(Together, other.ApiKey, "/fine-tunes"));
        JsonNode.Parse(otherList)!["data"]!.AsArray().Count.ShouldBe(0);
        var (foreign, foreignBody) = await SendAsync(Get(Together, other.ApiKey, "/fine-tunes/" + id));
        foreign.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        JsonNode.Parse(foreignBody)!["error"]!["code"]!.GetValue<string>().ShouldBe("not_found");

        var (cancelDone, _) = await SendAsync(Post(Together, scope.ApiKey, $"/fine-tunes/{id}/cancel", "{}"));
        cancelDone.StatusCode.ShouldBe(HttpStatusCode.BadRequest); // a completed job cannot be cancelled
    }

    [Test]
    public async Task A_pending_job_can_be_cancelled()
    {
        var scope = Together.OpenScope("fine-tune cancel");
        var (_, createdBody) = await SendAsync(Post(Together, scope.ApiKey, "/fine-tunes", $"{{\"model\":\"{Tunable}\",\"training_file\":\"file-sim-002\"}}"));
        var id = JsonNode.Parse(createdBody)!["id"]!.GetValue<string>();
        var (cancelled, body) = await SendAsync(Post(Together, scope.ApiKey, $"/fine-tunes/{id}/cancel", "{}"));
        cancelled.StatusCode.ShouldBe(HttpStatusCode.OK);
        JsonNode.Parse(body)!["status"]!.GetValue<string>().ShouldBe("cancelled");
        var (_, after) = await SendAsync(Get(Together, scope.ApiKey, "/fine-tunes/" + id));
        JsonNode.Parse(after)!["status"]!.GetValue<string>().ShouldBe("cancelled"); // a terminal status no longer advances
    }

    [Test]
    public async Task A_model_that_cannot_be_fine_tuned_is_a_400_and_an_unknown_job_a_404_in_togethers_error_shape()
    {
        var scope = Together.OpenScope("fine-tune refusals");
        var (refused, refusedBody) = await SendAsync(Post(Together, scope.ApiKey, "/fine-tunes", "{\"model\":\"BAAI/bge-large-en-v1.5\",\"training_file\":\"file-sim-003\"}"));
        refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var error = JsonNode.Parse(refusedBody)!["error"]!.AsObject();
        error.Select(p => p.Key).Order().ShouldBe(["code", "message", "param", "type"]);
        error["code"]!.GetValue<string>().ShouldBe("model_not_supported");
        error["param"]!.GetValue<string>().ShouldBe("model");

        var (estimateRefused, _) = await SendAsync(Post(Together, scope.ApiKey, "/fine-tunes/estimate-price", "{\"model\":\"no/such-model\",\"training_file\":\"f\"}"));
        estimateRefused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var (estimate, estimateBody) = await SendAsync(Post(Together, scope.ApiKey, "/fine-tunes/estimate-price",
            $"{{\"model\":\"{Tunable}\",\"training_file\":\"f\",\"n_epochs\":2,\"training_tokens\":500000}}"));
        estimate.StatusCode.ShouldBe(HttpStatusCode.OK);
        JsonNode.Parse(estimateBody)!["estimated_train_token_count"]!.GetValue<long>().ShouldBe(1_000_000);

        var (missing, missingBody) = await SendAsync(Get(Together, scope.ApiKey, "/fine-tunes/ft-00000000-0000-0000-0000-000000000000"));
        missing.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        JsonNode.Parse(missingBody)!["error"]!["param"].ShouldBeNull();

        var (unauthorised, _) = await SendAsync(Get(Together, "tg_sim_nobody", "/fine-tunes"));
        unauthorised.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var (groq, _) = await SendAsync(Get(Groq, Groq.OpenScope("no fine-tunes at groq").ApiKey, "/fine-tunes"));
        groq.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}

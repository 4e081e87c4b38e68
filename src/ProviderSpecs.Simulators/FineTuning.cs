using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace ProviderSpecs.Simulators;

/// <summary>One simulated Together fine-tuning job. Its status advances one step each time the job is read.</summary>
internal sealed class FineTuneJob
{
    public static readonly string[] Lifecycle = ["pending", "queued", "running", "completed"];
    private readonly Lock _gate = new();

    public required string Id { get; init; }
    public required string Model { get; init; }
    public required string TrainingFile { get; init; }
    public required string OutputName { get; init; }
    public required int Epochs { get; init; }
    public required long CreatedAt { get; init; }
    public int Step { get; private set; }
    public string Status { get; private set; } = "pending";
    public long UpdatedAt { get; private set; }
    public List<JsonObject> Events { get; } = [];

    public bool IsTerminal => Status is "completed" or "cancelled" or "error";

    public void Advance(long now)
    {
        lock (_gate)
        {
            if (IsTerminal || Step >= Lifecycle.Length - 1) return;
            Step++;
            SetStatus(Lifecycle[Step], now);
        }
    }

    public bool Cancel(long now)
    {
        lock (_gate)
        {
            if (IsTerminal) return false;
            SetStatus("cancelled", now);
            return true;
        }
    }

    public void SetStatus(string status, long now)
    {
        Status = status;
        UpdatedAt = now;
        Events.Add(new JsonObject
        {
            ["object"] = "fine-tune-event",
            ["created_at"] = DateTimeOffset.FromUnixTimeSeconds(now).ToString("O", CultureInfo.InvariantCulture),
            ["level"] = "info",
            ["message"] = status switch
            {
                "pending" => "Fine tune request created",
                "queued" => "Job queued",
                "running" => "Training started",
                "completed" => $"Training completed after {Epochs} epochs; model {OutputName} is ready",
                "cancelled" => "Job cancelled by the user",
                _ => status,
            },
            ["type"] = "job_" + status,
        });
    }

    public JsonObject ToJson()
    {
        lock (_gate)
        {
            return new JsonObject
            {
                ["id"] = Id,
                ["object"] = "fine-tune",
                ["status"] = Status,
                ["model"] = Model,
                ["output_name"] = OutputName,
                ["training_file"] = TrainingFile,
                ["n_epochs"] = Epochs,
                ["epochs_completed"] = Status == "completed" ? Epochs : Status == "running" ? Epochs / 2 : 0,
                ["created_at"] = Iso(CreatedAt),
                ["updated_at"] = Iso(UpdatedAt),
                ["events"] = new JsonArray(Events.Select(e => (JsonNode)e.DeepClone()).ToArray()),
            };
        }
    }

    public JsonArray Checkpoints()
    {
        lock (_gate)
        {
            var done = Status == "completed" ? Epochs : Status is "running" or "cancelled" ? Epochs / 2 : 0;
            return new JsonArray(Enumerable.Range(1, done).Reverse().Select(epoch => (JsonNode)new JsonObject
            {
                ["step"] = epoch,
                ["path"] = $"{OutputName}/checkpoint-{epoch}",
                ["created_at"] = Iso(UpdatedAt),
                ["checkpoint_type"] = epoch == Epochs && Status == "completed" ? "Final" : "Intermediate",
            }).ToArray());
        }
    }

    private static string Iso(long seconds) => DateTimeOffset.FromUnixTimeSeconds(seconds).ToString("O", CultureInfo.InvariantCulture);
}

/// <summary>
/// Together's fine-tuning API (facts: shared/reference/provider-apis.md): <c>POST/GET /fine-tunes</c>, <c>GET /fine-tunes/{id}</c>,
/// <c>/events</c>, <c>POST /{id}/cancel</c>, <c>/checkpoints</c>, <c>POST /fine-tunes/estimate-price</c>,
/// <c>GET /fine-tunes/models/supported</c>. Jobs belong to the key's scope. A job advances one status step
/// (pending → queued → running → completed) each time it is read, so a poller sees the whole lifecycle deterministically.
/// </summary>
internal static class FineTuning
{
    private const double PricePerMillionTrainingTokens = 0.48;

    public static async Task<(int Status, JsonNode Body)> HandleAsync(HttpContext context, SimulatorScope scope, string relative, ModelCatalog catalog, Random rng)
    {
        var method = context.Request.Method;
        var parts = relative.Split('/', StringSplitOptions.RemoveEmptyEntries); // ["fine-tunes", ...]
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        if (parts.Length == 3 && parts[1] == "models" && parts[2] == "supported" && HttpMethods.IsGet(method))
            return (200, new JsonObject { ["models"] = new JsonArray(catalog.Models.Where(m => m.FineTunable).Select(m => (JsonNode)m.Id).ToArray()) });

        if (parts.Length == 2 && parts[1] == "estimate-price" && HttpMethods.IsPost(method))
        {
            var (body, error) = await ReadBodyAsync(context);
            if (error is not null) return error.Value;
            if (Refuse(body!, catalog) is { } refused) return refused;
            var epochs = Int(body!["n_epochs"]) ?? 1;
            var tokens = Int(body["training_tokens"]) ?? 1_000_000;
            var price = Math.Round(tokens / 1e6 * epochs * PricePerMillionTrainingTokens, 4);
            return (200, new JsonObject
            {
                ["estimated_total_price"] = price,
                ["allowed_to_proceed"] = true,
                ["user_limit"] = 100.0,
                ["estimated_train_token_count"] = (long)tokens * epochs,
                ["estimated_eval_token_count"] = 0,
            });
        }

        if (parts.Length == 1)
        {
            if (HttpMethods.IsGet(method))
                return (200, new JsonObject { ["data"] = new JsonArray(scope.FineTunes.Values.OrderBy(j => j.CreatedAt).ThenBy(j => j.Id).Select(j => (JsonNode)j.ToJson()).ToArray()) });
            if (HttpMethods.IsPost(method))
            {
                var (body, error) = await ReadBodyAsync(context);
                if (error is not null) return error.Value;
                if (Refuse(body!, catalog) is { } refused) return refused;
                var model = body!["model"]!.GetValue<string>();
                var suffix = body["suffix"] is JsonValue sv && sv.TryGetValue<string>(out var sfx) && sfx.Length > 0 ? "-" + sfx : "";
                var job = new FineTuneJob
                {
                    Id = "ft-" + Guid.NewGuid().ToString("D"),
                    Model = model,
                    TrainingFile = body["training_file"]!.GetValue<string>(),
                    OutputName = $"sim-user/{model.Split('/')[^1]}{suffix}-{StableRandom.Hex(rng, 8)}",
                    Epochs = Int(body["n_epochs"]) ?? 1,
                    CreatedAt = now,
                };
                job.SetStatus("pending", now);
                scope.FineTunes[job.Id] = job;
                return (200, job.ToJson());
            }
            return UnknownUrl(context);
        }

        if (!scope.FineTunes.TryGetValue(parts[1], out var found))
            return parts.Length <= 3 ? (404, Error($"Fine-tune job {parts[1]} not found", "invalid_request_error", "not_found", null)) : UnknownUrl(context);

        return (parts.Length, parts.ElementAtOrDefault(2), method) switch
        {
            (2, _, "GET") => Advanced(found, now, j => j.ToJson()),
            (3, "events", "GET") => Advanced(found, now, j => new JsonObject { ["data"] = j.ToJson()["events"]!.DeepClone() }),
            (3, "checkpoints", "GET") => (200, new JsonObject { ["data"] = found.Checkpoints() }),
            (3, "cancel", "POST") => found.Cancel(now) || found.Status == "cancelled"
                ? (200, found.ToJson())
                : (400, Error($"Fine-tune job {found.Id} is already {found.Status} and cannot be cancelled", "invalid_request_error", "invalid_job_state", null)),
            _ => UnknownUrl(context),
        };
    }

    private static (int, JsonNode) Advanced(FineTuneJob job, long now, Func<FineTuneJob, JsonNode> render)
    {
        job.Advance(now);
        return (200, render(job));
    }

    private static (int, JsonNode)? Refuse(JsonObject body, ModelCatalog catalog)
    {
        if (body["model"] is not JsonValue mv || !mv.TryGetValue<string>(out var model) || model.Length == 0)
            return (400, Error("model is required", "invalid_request_error", null, "model"));
        if (catalog.Find(model) is not { FineTunable: true })
            return (400, Error($"Model {model} is not supported for fine-tuning. See GET /v1/fine-tunes/models/supported for the models that can be fine-tuned.",
                "invalid_request_error", "model_not_supported", "model"));
        if (body["training_file"] is not JsonValue tv || !tv.TryGetValue<string>(out var file) || file.Length == 0)
            return (400, Error("training_file is required", "invalid_request_error", null, "training_file"));
        if (Int(body["n_epochs"]) is < 1 or > 20)
            return (400, Error("n_epochs must be between 1 and 20", "invalid_request_error", null, "n_epochs"));
        return null;
    }

    private static async Task<(JsonObject? Body, (int, JsonNode)? Error)> ReadBodyAsync(HttpContext context)
    {
        var text = await new StreamReader(context.Request.Body, Encoding.UTF8).ReadToEndAsync(context.RequestAborted);
        try
        {
            if (JsonNode.Parse(text) is JsonObject body) return (body, null);
        }
        catch (JsonException)
        {
        }
        return (null, (400, Error("Unable to parse the request body as JSON.", "invalid_request_error", null, null)));
    }

    private static (int, JsonNode) UnknownUrl(HttpContext context) =>
        (404, Error($"Unknown request URL: {context.Request.Method} {context.Request.Path}. Please check the URL for typos, or see the docs at https://docs.together.ai/",
            "invalid_request_error", "unknown_url", null));

    // Together's error shape: param and code always present, null when they do not apply.
    private static JsonObject Error(string message, string type, string? code, string? param) => new()
    {
        ["error"] = new JsonObject { ["message"] = message, ["type"] = type, ["param"] = param, ["code"] = code },
    };

    private static int? Int(JsonNode? node) => node is JsonValue v && v.TryGetValue<int>(out var i) ? i : null;
}

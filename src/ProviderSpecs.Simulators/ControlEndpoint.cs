using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace ProviderSpecs.Simulators;

/// <summary>
/// The control endpoint each simulator serves on its own loopback port under <c>/__simulator/</c> — outside the
/// provider's <c>/openai/v1</c> or <c>/v1</c>, so it never clashes with an API path. JSON in and out, no key (loopback
/// only), so a client's own tests in any language can drive scenarios without restarting the process: faults and the
/// request log of the default scope (the key <c>simulate</c> prints), the provider's limits and time scale, reset.
/// Keys appear masked only.
/// </summary>
internal sealed class ControlEndpoint(SimulatedProvider provider, ModelCatalog catalog, JsonSerializerOptions wireJson)
{
    public const string Prefix = "/__simulator";

    private static readonly string[] Routes =
    [
        "GET /__simulator/", "GET /__simulator/faults", "POST /__simulator/faults", "DELETE /__simulator/faults",
        "GET /__simulator/limits", "PUT /__simulator/limits", "GET /__simulator/time-scale", "PUT /__simulator/time-scale",
        "GET /__simulator/requests", "POST /__simulator/reset",
    ];

    private static readonly string[] FaultFields = ["fault", "model", "count", "retryAfter", "delay", "afterChunks"];

    public static bool Serves(string path) => path == Prefix || path.StartsWith(Prefix + "/", StringComparison.Ordinal);

    public async Task HandleAsync(HttpContext context)
    {
        int status;
        JsonNode body;
        if (context.Connection.RemoteIpAddress is { } remote && !IPAddress.IsLoopback(remote))
        {
            (status, body) = (403, Error("the control endpoint answers loopback clients only."));
        }
        else
        {
            try
            {
                (status, body) = await RouteAsync(context);
            }
            catch (ControlRequestException e)
            {
                (status, body) = (e.Status, Error(e.Message));
            }
            catch (ArgumentException e)
            {
                // The simulator's own validation (fault options, limits, time scale) says what was wrong.
                (status, body) = (400, Error(Reason(e)));
            }
        }
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString(wireJson), context.RequestAborted);
    }

    private async Task<(int, JsonNode)> RouteAsync(HttpContext context)
    {
        var route = context.Request.Path.Value![Prefix.Length..].TrimEnd('/');
        var method = context.Request.Method.ToUpperInvariant();
        switch (route, method)
        {
            case ("", "GET"):
                return (200, State());
            case ("/faults", "GET"):
                return (200, Faults());
            case ("/faults", "POST"):
                AddFault(await RequireObjectAsync(context));
                return (201, Faults());
            case ("/faults", "DELETE"):
                provider.DefaultScope.ClearFaults();
                return (200, Faults());
            case ("/limits", "GET"):
                return (200, Limits(withModels: true));
            case ("/limits", "PUT"):
                provider.SetRateLimits(ParseLimits(await RequireObjectAsync(context)));
                return (200, Limits(withModels: true));
            case ("/time-scale", "GET"):
                return (200, new JsonObject { ["timeScale"] = provider.TimeScale });
            case ("/time-scale", "PUT"):
                provider.TimeScale = ParseTimeScale(await RequireObjectAsync(context));
                return (200, new JsonObject { ["timeScale"] = provider.TimeScale });
            case ("/requests", "GET"):
                return (200, RequestLog(context.Request.Query["since"].ToString()));
            case ("/reset", "POST"):
                Reset(await ReadObjectAsync(context));
                return (200, State());
        }
        var allowed = Routes.Where(r => r.EndsWith(Prefix + route, StringComparison.Ordinal) || r.EndsWith(Prefix + route + "/", StringComparison.Ordinal)).ToList();
        return allowed.Count > 0
            ? (405, Error($"{method} is not served at {Prefix}{route}; use {string.Join(" or ", allowed)}."))
            : (404, Error($"no control route {method} {context.Request.Path}. Routes: {string.Join(", ", Routes)}."));
    }

    // ---- state ----

    private JsonObject State() => new()
    {
        ["provider"] = provider.Id,
        ["baseUrl"] = provider.BaseUrl.ToString(),
        ["controlUrl"] = provider.ControlUrl.ToString(),
        ["defaultKey"] = ApiKeyMask.Mask(provider.DefaultApiKey),
        ["timeScale"] = provider.TimeScale,
        ["limits"] = Limits(withModels: false),
        ["faults"] = Faults()["faults"]!.DeepClone(),
        ["requests"] = provider.DefaultScope.Requests.Count,
        ["routes"] = new JsonArray(Routes.Select(r => (JsonNode)r).ToArray()),
    };

    // ---- faults ----

    private JsonObject Faults() => new()
    {
        ["faults"] = new JsonArray(provider.DefaultScope.ActiveFaults.Select(f => (JsonNode)new JsonObject
        {
            ["fault"] = f.Fault,
            ["model"] = f.Options.Model,
            ["remaining"] = f.Remaining,
            ["retryAfter"] = f.Options.RetryAfter?.TotalSeconds,
            ["delay"] = f.Options.Delay?.TotalSeconds,
            ["afterChunks"] = f.Options.AfterChunks,
        }).ToArray()),
    };

    private void AddFault(JsonObject body)
    {
        RejectUnknown(body, FaultFields, """{"fault":"rate-limit-sequence","count":2,"retryAfter":1.5}""");
        var name = String(body, "fault") ?? throw new ControlRequestException(
            $"'fault' is required: one of {string.Join(", ", FaultNames.All)}; e.g. {{\"fault\":\"overloaded\",\"count\":1}}.");
        if (!FaultNames.TryParse(name, out var kind))
            throw new ControlRequestException($"unknown fault '{name}'. Known faults: {string.Join(", ", FaultNames.All)}.");
        provider.InjectDefaultFault(kind, new FaultOptions
        {
            Model = String(body, "model"),
            Count = Integer(body, "count"),
            RetryAfter = Seconds(body, "retryAfter"),
            Delay = Seconds(body, "delay"),
            AfterChunks = Integer(body, "afterChunks"),
        });
    }

    // ---- limits ----

    private JsonObject Limits(bool withModels)
    {
        var options = provider.RateLimits;
        var json = new JsonObject { ["plan"] = RateLimitWindows.PlanName(options.Plan), ["enforced"] = options.Enforced };
        foreach (var window in RateLimitWindows.Of(provider.Id))
            json[RateLimitWindows.ShortName(window)] = options.Limits.TryGetValue(window, out var limit) ? limit : null;
        if (!withModels) return json;

        // What each chat model enforces for the default account, and how much of it is used now.
        json["models"] = new JsonArray(catalog.Models.Where(m => m.SupportsChat).Select(model =>
        {
            var limits = provider.EnforcedLimits(provider.DefaultScope, model);
            var state = limits.Count == 0 ? [] : provider.DefaultScope.RateLimitAccount.For(model.Id).Peek(limits);
            return (JsonNode)new JsonObject
            {
                ["model"] = model.Id,
                ["windows"] = new JsonArray(state.Select(w => (JsonNode)new JsonObject
                {
                    ["window"] = RateLimitWindows.ShortName(w.Window),
                    ["name"] = RateLimitWindows.Describe(w.Window),
                    ["limit"] = w.Limit,
                    ["used"] = w.Used,
                    ["remaining"] = w.Remaining,
                    ["secondsUntilRoom"] = Milliseconds(w.UntilRoom) / 1000,
                    ["secondsUntilFull"] = Milliseconds(w.UntilEmpty) / 1000,
                }).ToArray()),
            };
        }).ToArray());
        return json;
    }

    private RateLimitOptions ParseLimits(JsonObject body)
    {
        var windows = RateLimitWindows.Of(provider.Id);
        var example = provider.Id == ProviderIds.TogetherAi ? """{"plan":"free-plan"} or {"rps":3}""" : """{"plan":"free-plan"} or {"rpm":5,"tpm":6000}""";
        RejectUnknown(body, ["plan", .. windows.Select(RateLimitWindows.ShortName)], example);
        var plan = String(body, "plan");
        if (!RateLimitWindows.TryParsePlan(plan ?? "none", out var parsed))
            throw new ControlRequestException($"unknown plan '{plan}': use \"none\" or \"free-plan\", e.g. {example}.");
        var options = new RateLimitOptions { Plan = parsed };
        foreach (var window in windows)
            if (Integer(body, RateLimitWindows.ShortName(window)) is { } limit)
                options = options.With(window, limit);
        return options;
    }

    // ---- time scale, request log, reset ----

    private static double ParseTimeScale(JsonObject body)
    {
        RejectUnknown(body, ["timeScale"], """{"timeScale":0.1}""");
        return Number(body, "timeScale") ?? throw new ControlRequestException("""'timeScale' is required: a number >= 0 (1 = published latency, 0 = no pacing), e.g. {"timeScale":0.1}.""");
    }

    private JsonObject RequestLog(string since)
    {
        var after = 0;
        if (since.Length > 0 && (!int.TryParse(since, NumberStyles.None, CultureInfo.InvariantCulture, out after)))
            throw new ControlRequestException($"'since' must be a request ordinal (a whole number >= 0), e.g. ?since=12; got '{since}'.");
        var key = provider.DefaultApiKey;
        return new JsonObject
        {
            ["provider"] = provider.Id,
            ["requests"] = new JsonArray(provider.DefaultScope.Requests.Where(r => r.Ordinal > after).Select(r => (JsonNode)new JsonObject
            {
                ["ordinal"] = r.Ordinal,
                ["receivedAt"] = r.ReceivedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
                ["method"] = r.Method,
                ["path"] = r.Path,
                ["model"] = r.Model,
                ["stream"] = r.Stream,
                ["status"] = r.StatusCode,
                ["requestId"] = r.RequestId,
                ["faults"] = new JsonArray(r.FaultsApplied.Select(f => (JsonNode)f).ToArray()),
                ["promptTokens"] = r.PromptTokens,
                ["completionTokens"] = r.CompletionTokens,
                ["finishReason"] = r.FinishReason,
                ["retryAfter"] = r.RetryAfter?.TotalSeconds,
                ["rateLimitedBy"] = r.RateLimitedBy,
                ["admittedAt"] = r.AdmittedAt?.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
                ["headers"] = new JsonObject(r.Headers.Select(h => KeyValuePair.Create(h.Key, (JsonNode?)h.Value))),
                // Headers are masked when recorded; a body is scrubbed here in case a client put a key in it.
                ["body"] = RecordingScrubber.Text(r.Body, [key]),
                ["timing"] = new JsonObject
                {
                    ["queueMs"] = Milliseconds(r.Timing.QueueDelay),
                    ["plannedFirstChunkMs"] = r.Timing.PlannedFirstChunkDelay is { } planned ? Milliseconds(planned) : null,
                    ["firstChunkMs"] = r.Timing.FirstChunkDelay is { } first ? Milliseconds(first) : null,
                    ["chunkGapsMs"] = new JsonArray(r.Timing.ChunkGaps.Select(g => (JsonNode)Milliseconds(g)).ToArray()),
                    ["chunkCount"] = r.Timing.ChunkCount,
                    ["totalMs"] = Milliseconds(r.Timing.Total),
                },
            }).ToArray()),
        };
    }

    private void Reset(JsonObject? body)
    {
        var clearLimits = false;
        if (body is not null)
        {
            RejectUnknown(body, ["clearLimits"], """{"clearLimits":true}""");
            if (body["clearLimits"] is { } clear)
                clearLimits = clear.GetValueKind() switch
                {
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    _ => throw new ControlRequestException("'clearLimits' must be true or false, e.g. {\"clearLimits\":true}."),
                };
        }
        provider.DefaultScope.Reset();
        if (clearLimits) provider.SetRateLimits(RateLimitOptions.None);
    }

    // ---- JSON helpers: each failure says what was wrong and what to send ----

    private static async Task<JsonObject> RequireObjectAsync(HttpContext context) =>
        await ReadObjectAsync(context) ?? throw new ControlRequestException($"{context.Request.Method} {context.Request.Path} needs a JSON object body.");

    private static async Task<JsonObject?> ReadObjectAsync(HttpContext context)
    {
        var text = await new StreamReader(context.Request.Body, Encoding.UTF8).ReadToEndAsync(context.RequestAborted);
        if (string.IsNullOrWhiteSpace(text)) return null;
        try
        {
            return JsonNode.Parse(text) as JsonObject ?? throw new ControlRequestException($"the body must be a JSON object, e.g. {{\"fault\":\"overloaded\"}}; got {Shorten(text)}.");
        }
        catch (JsonException e)
        {
            throw new ControlRequestException($"the body is not valid JSON ({e.Message}); send a JSON object, e.g. {{\"fault\":\"overloaded\"}}.");
        }
    }

    private static void RejectUnknown(JsonObject body, IReadOnlyCollection<string> known, string example)
    {
        var unknown = body.Select(p => p.Key).Where(k => !known.Contains(k)).ToList();
        if (unknown.Count > 0)
            throw new ControlRequestException($"unknown field{(unknown.Count > 1 ? "s" : "")} {string.Join(", ", unknown.Select(u => $"'{u}'"))}; known: {string.Join(", ", known)}. Example: {example}");
    }

    private static string? String(JsonObject body, string name) => body[name] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        var other => throw new ControlRequestException($"'{name}' must be a string; got {Shorten(other.ToJsonString())}."),
    };

    private static int? Integer(JsonObject body, string name) => body[name] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<int>(out var i) => i,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.GetValue<double>() is var d && d == Math.Floor(d) && d is >= int.MinValue and <= int.MaxValue => (int)d,
        var other => throw new ControlRequestException($"'{name}' must be a whole number; got {Shorten(other.ToJsonString())}."),
    };

    private static double? Number(JsonObject body, string name) => body[name] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.GetValue<double>(),
        var other => throw new ControlRequestException($"'{name}' must be a number; got {Shorten(other.ToJsonString())}."),
    };

    private static TimeSpan? Seconds(JsonObject body, string name) => Number(body, name) switch
    {
        null => null,
        var s when double.IsFinite(s.Value) && s.Value >= 0 && s.Value <= TimeSpan.MaxValue.TotalSeconds => TimeSpan.FromSeconds(s.Value),
        var s => throw new ControlRequestException($"'{name}' is in seconds and must be >= 0, e.g. 1.5; got {s.Value.ToString(CultureInfo.InvariantCulture)}."),
    };

    private static double Milliseconds(TimeSpan span) => Math.Round(span.TotalMilliseconds, 3);

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..60] + "…";

    private static JsonObject Error(string message) => new() { ["error"] = message };

    /// <summary>An argument exception's message without the "(Parameter 'x')" that .NET appends.</summary>
    internal static string Reason(ArgumentException e) =>
        e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal);

    private sealed class ControlRequestException(string message, int status = 400) : Exception(message)
    {
        public int Status { get; } = status;
    }
}

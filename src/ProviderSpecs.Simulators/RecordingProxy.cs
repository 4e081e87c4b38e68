using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace ProviderSpecs.Simulators;

/// <summary>
/// Record mode of one provider: forwards chat completions and <c>/models</c> to the upstream, streams the answer
/// back to the client unchanged as it arrives, and stores a scrubbed <see cref="Recording"/> of it.
/// </summary>
internal sealed class RecordingProxy : IDisposable
{
    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Authorization", "Content-Length", "Content-Type", "Connection", "Keep-Alive", "Transfer-Encoding", "Accept-Encoding", "Expect",
    };
    private static readonly HashSet<string> NotReturned = new(StringComparer.OrdinalIgnoreCase)
    {
        "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Content-Encoding",
    };

    private static readonly System.Text.Json.JsonSerializerOptions CompactJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly string _providerId;
    private readonly Uri _upstream;
    private readonly string _directory;
    private readonly string? _upstreamKey;
    private readonly HttpClient _http;

    public RecordingProxy(string providerId, Uri upstream, string directory, string? upstreamKey, TimeSpan timeout)
    {
        _providerId = providerId;
        _upstream = upstream;
        _directory = directory;
        _upstreamKey = upstreamKey;
        _http = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.All, UseCookies = false }) { Timeout = timeout };
    }

    public static bool Records(string method, string relative) =>
        (HttpMethods.IsPost(method) && relative == "/chat/completions")
        || (HttpMethods.IsGet(method) && (relative == "/models" || relative.StartsWith("/models/", StringComparison.Ordinal)));

    /// <summary>The last file written, for tests and logs.</summary>
    public string? LastSaved { get; private set; }

    public async Task ProxyAsync(HttpContext context, string relative, bool clientKeyIsSimulated)
    {
        var ct = context.RequestAborted;
        var clientAuthorization = context.Request.Headers.Authorization.ToString();
        var clientKey = clientAuthorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? clientAuthorization[7..].Trim() : clientAuthorization;
        var key = clientKeyIsSimulated && _upstreamKey is not null ? _upstreamKey : clientKey;
        string[] secrets = [.. new[] { key, clientKey, _upstreamKey ?? "" }.Where(s => s.Length > 0).Distinct()];

        var requestBody = HttpMethods.IsPost(context.Request.Method)
            ? await new StreamReader(context.Request.Body, Encoding.UTF8).ReadToEndAsync(ct)
            : "";
        JsonNode? parsed = null;
        try { parsed = requestBody.Length > 0 ? JsonNode.Parse(requestBody) : null; } catch (System.Text.Json.JsonException) { }
        var model = relative == "/chat/completions" ? parsed?["model"]?.GetValue<string>() : null;
        var stream = parsed?["stream"] is JsonValue s && s.TryGetValue<bool>(out var isStream) && isStream;

        var target = new Uri(_upstream.AbsoluteUri.TrimEnd('/') + relative + context.Request.QueryString.Value);
        using var upstreamRequest = new HttpRequestMessage(new HttpMethod(context.Request.Method), target);
        if (key.Length > 0) upstreamRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        foreach (var (name, value) in context.Request.Headers)
            if (!NotForwarded.Contains(name)) upstreamRequest.Headers.TryAddWithoutValidation(name, value.ToArray());
        if (requestBody.Length > 0)
        {
            upstreamRequest.Content = new StringContent(requestBody, Encoding.UTF8);
            upstreamRequest.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(context.Request.ContentType ?? "application/json");
        }

        var sent = Stopwatch.GetTimestamp();
        using var upstreamResponse = await _http.SendAsync(upstreamRequest, HttpCompletionOption.ResponseHeadersRead, ct);
        var headers = upstreamResponse.Headers.Concat(upstreamResponse.Content.Headers)
            .Select(h => new KeyValuePair<string, string>(h.Key, string.Join(", ", h.Value))).ToList();

        var response = context.Response;
        response.StatusCode = (int)upstreamResponse.StatusCode;
        foreach (var (name, value) in headers)
            if (!NotReturned.Contains(name)) response.Headers[name] = value;

        // The upstream's request id is volatile: it becomes a placeholder wherever it appears, and replay puts a fresh one back.
        var requestIds = headers.Where(h => h.Key.Equals("x-request-id", StringComparison.OrdinalIgnoreCase) || h.Key.Equals("x-together-traceid", StringComparison.OrdinalIgnoreCase))
            .Select(h => h.Value).Where(v => v.Length >= 6).Distinct().ToList();
        string Volatile(string text) => requestIds.Aggregate(text, (t, id) => t.Replace(id, RecordingScrubber.RequestIdPlaceholder, StringComparison.Ordinal));

        var isSse = upstreamResponse.Content.Headers.ContentType?.MediaType == "text/event-stream";
        List<RecordedChunk>? chunks = null;
        JsonNode? body = null;
        double? totalMs = null;
        await using var upstreamBody = await upstreamResponse.Content.ReadAsStreamAsync(ct);
        if (isSse)
        {
            chunks = [];
            var reader = new StreamReader(upstreamBody, Encoding.UTF8);
            var previous = sent;
            var data = new StringBuilder();
            while (await reader.ReadLineAsync(ct) is { } line)
            {
                await response.WriteAsync(line + "\n", ct);
                if (line.Length > 0)
                {
                    if (line.StartsWith("data:", StringComparison.Ordinal)) data.Append(data.Length > 0 ? "\n" : "").Append(line[5..].TrimStart());
                    continue;
                }
                await response.Body.FlushAsync(ct);
                if (data.Length == 0) continue; // comments and keep-alives carry no data
                var now = Stopwatch.GetTimestamp();
                chunks.Add(new RecordedChunk(Math.Round(Stopwatch.GetElapsedTime(previous, now).TotalMilliseconds, 3),
                    ScrubEvent(Volatile(data.ToString()), secrets)));
                previous = now;
                data.Clear();
            }
            await response.Body.FlushAsync(ct);
        }
        else
        {
            var text = await new StreamReader(upstreamBody, Encoding.UTF8).ReadToEndAsync(ct);
            totalMs = Math.Round(Stopwatch.GetElapsedTime(sent).TotalMilliseconds, 3);
            await response.WriteAsync(text, ct);
            body = RecordingScrubber.Body(Volatile(text), secrets);
        }

        var recording = new Recording
        {
            Provider = _providerId,
            Method = context.Request.Method.ToUpperInvariant(),
            Endpoint = relative,
            Model = model,
            Stream = stream,
            RecordedAt = DateTimeOffset.UtcNow,
            RequestBody = parsed is null ? null : RecordingScrubber.Json(parsed, secrets),
            Status = (int)upstreamResponse.StatusCode,
            Headers = RecordingScrubber.Headers(headers, secrets),
            Body = body,
            TotalMs = totalMs,
            Chunks = chunks,
        };
        // An authentication failure says nothing about the provider worth replaying (the simulator has its own 401).
        if (recording.Status is 401 or 403) return;
        LastSaved = RecordingFiles.Save(recording, _directory);
    }

    private static string ScrubEvent(string data, IReadOnlyCollection<string> secrets)
    {
        if (data == "[DONE]") return data;
        var node = RecordingScrubber.Body(data, secrets);
        return node is JsonValue v && v.TryGetValue<string>(out var text) ? text : node?.ToJsonString(CompactJson) ?? "";
    }

    public void Dispose() => _http.Dispose();
}

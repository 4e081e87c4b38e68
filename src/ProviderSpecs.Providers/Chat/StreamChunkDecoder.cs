using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.AI;

namespace ProviderSpecs.Providers.Chat;

/// <summary>
/// Turns the <c>data:</c> payloads of one chat-completions event stream into <see cref="ChatResponseUpdate"/>s with the
/// same content Microsoft.Extensions.AI's OpenAI adapter builds from the OpenAI SDK's parse (role and finish reason
/// sticky from their first appearance, response/message id, created time, model id, text, <c>reasoning_content</c>,
/// usage, tool calls gathered into one last update) — and Groq's and Together's <c>reasoning</c> too, which the adapter
/// drops — and the same failures (unreadable JSON, an unknown role or finish
/// reason). The hot fields are read with a <see cref="Utf8JsonReader"/> straight from the reader's buffer, so an ordinary
/// content chunk allocates its text and the update, and nothing else: ids, model, fingerprint and service tier repeat on
/// every chunk and are kept from the previous chunk while the bytes match. The rare nested objects (usage, tool calls)
/// are read with System.Text.Json's source-generated types (<see cref="StreamWireContext"/>).
/// </summary>
internal sealed class StreamChunkDecoder
{
    /// <summary>The data of the event that ends a chat-completions stream.</summary>
    internal static ReadOnlySpan<byte> Done => "[DONE]"u8;

    // Sticky across the stream, as in the adapter.
    private ChatRole? _role;
    private ChatFinishReason? _finishReason;
    private string? _responseId;
    private DateTimeOffset? _createdAt;
    private string? _modelId;
    private string? _serviceTierTagged;
    private string? _fingerprintTagged;
    private Dictionary<int, FunctionCallInfo>? _calls;
    private StringBuilder? _refusal;

    // The previous chunk's strings, reused while the bytes are the same.
    private string? _lastId;
    private string? _lastModel;
    private string? _lastTier;
    private string? _lastFingerprint;

    /// <summary>An update per event's data, null for <c>[DONE]</c>.</summary>
    public ChatResponseUpdate? Parse(ReadOnlySpan<byte> data) => data.SequenceEqual(Done) ? null : Decode(data);

    public ChatResponseUpdate Decode(ReadOnlySpan<byte> data)
    {
        var reader = new Utf8JsonReader(data, new JsonReaderOptions { MaxDepth = 256 });
        if (!reader.Read()) throw new JsonException("A streamed chunk was empty.");
        // Not an object: the SDK failed such a chunk with InvalidOperationException (null: a NullReferenceException in the
        // adapter), which ErrorMapper keys the same way; kept so that the error keys do not change.
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new InvalidOperationException($"A streamed chunk was JSON {reader.TokenType}, not a chat completion chunk object.");

        string? id = null, model = null, serviceTier = null, fingerprint = null;
        long? created = null;
        UsageWire? usage = null;
        Choice choice = default;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("choices"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartArray) ReadChoices(ref reader, ref choice);
                else if (reader.TokenType != JsonTokenType.Null) throw new JsonException("A streamed chunk's choices are not an array.");
            }
            else if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                id = Cached(ref reader, ref _lastId);
            }
            else if (reader.ValueTextEquals("created"u8))
            {
                reader.Read();
                created = reader.GetInt64();
            }
            else if (reader.ValueTextEquals("model"u8))
            {
                reader.Read();
                model = Cached(ref reader, ref _lastModel);
            }
            else if (reader.ValueTextEquals("system_fingerprint"u8))
            {
                reader.Read();
                fingerprint = reader.TokenType == JsonTokenType.Null ? null : Cached(ref reader, ref _lastFingerprint);
            }
            else if (reader.ValueTextEquals("service_tier"u8))
            {
                reader.Read();
                serviceTier = reader.TokenType == JsonTokenType.Null ? null : Cached(ref reader, ref _lastTier);
            }
            else if (reader.ValueTextEquals("usage"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.Null) usage = JsonSerializer.Deserialize(ref reader, StreamWireContext.Default.UsageWire);
            }
            else
            {
                reader.Read(); // "object", "x_groq" and other extras (the wire policy reads those)
                reader.Skip();
            }
        }
        if (reader.TokenType != JsonTokenType.EndObject) throw new JsonException("A streamed chunk did not end as a JSON object.");
        if (reader.Read()) throw new JsonException("A streamed chunk had data after its JSON object.");

        _role ??= choice.Role;
        _finishReason ??= choice.FinishReason;
        _responseId ??= id;
        var createdAt = created is { } seconds ? DateTimeOffset.FromUnixTimeSeconds(seconds) : default;
        _createdAt ??= createdAt;
        _modelId ??= string.IsNullOrEmpty(model) ? null : model;
        TagActivity(serviceTier, fingerprint);

        var count = (choice.Text is null ? 0 : 1) + (choice.Parts?.Count ?? 0) + (choice.Reasoning is null ? 0 : 1) + (usage is null ? 0 : 1);
        List<AIContent>? contents = null;
        if (count > 0)
        {
            contents = new List<AIContent>(count);
            if (choice.Text is not null) contents.Add(new TextContent(choice.Text));
            if (choice.Parts is not null) contents.AddRange(choice.Parts);
            if (choice.Reasoning is not null) contents.Add(new TextReasoningContent(choice.Reasoning));
            if (usage is not null) contents.Add(new UsageContent(usage.ToUsageDetails()) { RawRepresentation = usage });
        }
        if (choice.Refusal is not null) (_refusal ??= new StringBuilder()).Append(choice.Refusal);
        if (choice.ToolCalls is { Count: > 0 } toolCalls) Gather(toolCalls);

        return new ChatResponseUpdate(_role, contents)
        {
            ResponseId = id,
            MessageId = id, // one message per response: the adapter uses the response id
            CreatedAt = createdAt,
            FinishReason = _finishReason,
            ModelId = _modelId,
        };
    }

    /// <summary>After <c>[DONE]</c>: the tool calls gathered over the stream as one update, as the adapter yields them; else null.</summary>
    public ChatResponseUpdate? Complete()
    {
        if (_calls is null) return null;
        var update = new ChatResponseUpdate
        {
            ResponseId = _responseId,
            MessageId = _responseId,
            CreatedAt = _createdAt,
            FinishReason = _finishReason,
            ModelId = _modelId,
            Role = _role,
        };
        foreach (var (_, call) in _calls)
        {
            if (string.IsNullOrWhiteSpace(call.Name)) continue;
            update.Contents.Add(FunctionCallContent.CreateFromParsedArguments(call.Arguments?.ToString() ?? string.Empty, call.CallId!, call.Name,
                static json => JsonSerializer.Deserialize(json, StreamWireContext.Default.IDictionaryStringObject)));
        }
        if (_refusal is not null) update.Contents.Add(new ErrorContent(_refusal.ToString()) { ErrorCode = "Refusal" });
        return update;
    }

    private void Gather(List<ToolCallWire> toolCalls)
    {
        foreach (var toolCall in toolCalls)
        {
            _calls ??= [];
            if (!_calls.TryGetValue(toolCall.Index, out var call)) _calls[toolCall.Index] = call = new FunctionCallInfo();
            call.CallId ??= toolCall.Id;
            call.Name ??= toolCall.Function?.Name;
            if (toolCall.Function?.ArgumentsText is { Length: > 0 } arguments) (call.Arguments ??= new StringBuilder()).Append(arguments);
        }
    }

    /// <summary>The OpenAI-specific response tags the adapter sets on the current "chat" span (each once per stream).</summary>
    private void TagActivity(string? serviceTier, string? fingerprint)
    {
        var tier = _serviceTierTagged is null && !string.IsNullOrWhiteSpace(serviceTier);
        var print = _fingerprintTagged is null && !string.IsNullOrWhiteSpace(fingerprint);
        if (!tier && !print) return;
        if (Activity.Current is not { IsAllDataRequested: true } activity) return;
        var name = activity.DisplayName;
        if (!name.StartsWith("chat", StringComparison.Ordinal) || (name.Length != 4 && name[4] != ' ')) return;
        if (tier) activity.SetTag("openai.response.service_tier", _serviceTierTagged = serviceTier);
        if (print) activity.SetTag("openai.response.system_fingerprint", _fingerprintTagged = fingerprint);
    }

    /// <summary>Reads the choices array: the first choice is the update's (as the SDK's), the others are checked and skipped.</summary>
    private static void ReadChoices(ref Utf8JsonReader reader, ref Choice choice)
    {
        var first = true;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (!first || reader.TokenType == JsonTokenType.Null)
            {
                reader.Skip();
                continue;
            }
            first = false;
            if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException("A streamed choice is not an object.");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("delta"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.StartObject) ReadDelta(ref reader, ref choice);
                    else if (reader.TokenType != JsonTokenType.Null) throw new JsonException("A streamed choice's delta is not an object.");
                }
                else if (reader.ValueTextEquals("finish_reason"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String) choice.FinishReason = FinishReason(ref reader);
                    else if (reader.TokenType != JsonTokenType.Null) throw new JsonException("A streamed choice's finish_reason is not a string.");
                }
                else if (reader.ValueTextEquals("index"u8))
                {
                    reader.Read();
                    _ = reader.GetInt32();
                }
                else
                {
                    reader.Read(); // logprobs and extras
                    reader.Skip();
                }
            }
        }
    }

    private static void ReadDelta(ref Utf8JsonReader reader, ref Choice choice)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("content"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String) choice.Text = reader.GetString();
                else if (reader.TokenType == JsonTokenType.StartArray) choice.Parts = ReadParts(ref reader);
                else reader.Skip();
            }
            else if (reader.ValueTextEquals("role"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.Null) choice.Role = Role(ref reader);
            }
            else if (reader.ValueTextEquals("reasoning_content"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    choice.Reasoning = reader.GetString();
                    choice.ReasoningIsStandard = true;
                }
                else reader.Skip();
            }
            else if (reader.ValueTextEquals("reasoning"u8))
            {
                // Groq's and Together's name for it (and vLLM's newer one), which the adapter does not read: without it a
                // reasoning model's thinking would vanish from the reply. reasoning_content, when a chunk has both, wins.
                reader.Read();
                if (reader.TokenType == JsonTokenType.String && !choice.ReasoningIsStandard) choice.Reasoning = reader.GetString();
                else reader.Skip();
            }
            else if (reader.ValueTextEquals("refusal"u8))
            {
                reader.Read();
                choice.Refusal = reader.TokenType == JsonTokenType.Null ? null : reader.GetString();
            }
            else if (reader.ValueTextEquals("tool_calls"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.Null) choice.ToolCalls = JsonSerializer.Deserialize(ref reader, StreamWireContext.Default.ListToolCallWire);
            }
            else
            {
                reader.Read(); // audio, function_call (which the adapter ignores), extras
                reader.Skip();
            }
        }
    }

    /// <summary>A content array (rare in a stream): its text parts, as the adapter converts them.</summary>
    private static List<AIContent> ReadParts(ref Utf8JsonReader reader)
    {
        var parts = new List<AIContent>();
        foreach (var part in JsonSerializer.Deserialize(ref reader, StreamWireContext.Default.ListContentPartWire) ?? [])
            if (part is not null && (part.Type is null || part.Type == "text")) parts.Add(new TextContent(part.Text));
        return parts;
    }

    private static string? Cached(ref Utf8JsonReader reader, ref string? last)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (last is not null && reader.TokenType == JsonTokenType.String && reader.ValueTextEquals(last)) return last;
        return last = reader.GetString();
    }

    // The OpenAI SDK's role and finish-reason enums: case-insensitive, and an unknown value fails the chunk the same way.
    private static ChatRole Role(ref Utf8JsonReader reader)
    {
        if (reader.ValueTextEquals("assistant"u8)) return ChatRole.Assistant;
        var value = reader.GetString();
        if (string.Equals(value, "assistant", StringComparison.OrdinalIgnoreCase)) return ChatRole.Assistant;
        if (string.Equals(value, "system", StringComparison.OrdinalIgnoreCase)) return ChatRole.System;
        if (string.Equals(value, "user", StringComparison.OrdinalIgnoreCase)) return ChatRole.User;
        if (string.Equals(value, "tool", StringComparison.OrdinalIgnoreCase)) return ChatRole.Tool;
        if (string.Equals(value, "developer", StringComparison.OrdinalIgnoreCase)) return Developer;
        if (string.Equals(value, "function", StringComparison.OrdinalIgnoreCase)) return Function;
        throw new ArgumentOutOfRangeException("value", value, "Unknown ChatMessageRole value.");
    }

    private static readonly ChatRole Developer = new("developer");
    private static readonly ChatRole Function = new("Function"); // the adapter names it after the SDK's enum member

    /// <summary>
    /// The choice's finish reason, normalised by the layer's one table (<see cref="ProviderChatClient.NormaliseFinishReason"/>:
    /// Together's <c>eos</c> is stop, Mistral's <c>model_length</c> length); a provider's own word (DeepSeek's
    /// insufficient_system_resource) is kept, not a malformed chunk; an empty one (<c>""</c>, on chunks that finish nothing) is null.
    /// </summary>
    private static ChatFinishReason? FinishReason(ref Utf8JsonReader reader)
    {
        if (reader.ValueTextEquals("stop"u8)) return ChatFinishReason.Stop;
        if (reader.ValueTextEquals("length"u8)) return ChatFinishReason.Length;
        return ProviderChatClient.NormaliseFinishReason(reader.GetString()) is { } reason ? new ChatFinishReason(reason) : null;
    }

    private struct Choice
    {
        public string? Text;
        public List<AIContent>? Parts;
        public string? Reasoning;
        public bool ReasoningIsStandard;
        public string? Refusal;
        public ChatRole? Role;
        public ChatFinishReason? FinishReason;
        public List<ToolCallWire>? ToolCalls;
    }

    private sealed class FunctionCallInfo
    {
        public string? CallId;
        public string? Name;
        public StringBuilder? Arguments;
    }
}

/// <summary>A chunk's <c>usage</c> (OpenAI shape; Groq's timings in it are read by the wire policy).</summary>
internal sealed class UsageWire
{
    [JsonPropertyName("prompt_tokens")] public int PromptTokens { get; set; }
    [JsonPropertyName("completion_tokens")] public int CompletionTokens { get; set; }
    [JsonPropertyName("total_tokens")] public int TotalTokens { get; set; }
    [JsonPropertyName("prompt_tokens_details")] public PromptTokensDetailsWire? PromptDetails { get; set; }
    [JsonPropertyName("completion_tokens_details")] public CompletionTokensDetailsWire? CompletionDetails { get; set; }

    /// <summary>The adapter's mapping of the SDK's <c>ChatTokenUsage</c>.</summary>
    public UsageDetails ToUsageDetails()
    {
        var details = new UsageDetails
        {
            InputTokenCount = PromptTokens,
            OutputTokenCount = CompletionTokens,
            TotalTokenCount = TotalTokens,
            CachedInputTokenCount = PromptDetails?.CachedTokens,
            ReasoningTokenCount = CompletionDetails?.ReasoningTokens,
            AdditionalCounts = [],
        };
        if (PromptDetails is { } input) details.AdditionalCounts.Add("InputTokenDetails.AudioTokenCount", input.AudioTokens);
        if (CompletionDetails is { } output)
        {
            details.AdditionalCounts.Add("OutputTokenDetails.AudioTokenCount", output.AudioTokens);
            details.AdditionalCounts.Add("OutputTokenDetails.AcceptedPredictionTokenCount", output.AcceptedPredictionTokens);
            details.AdditionalCounts.Add("OutputTokenDetails.RejectedPredictionTokenCount", output.RejectedPredictionTokens);
        }
        return details;
    }
}

internal sealed class PromptTokensDetailsWire
{
    [JsonPropertyName("cached_tokens")] public int CachedTokens { get; set; }
    [JsonPropertyName("audio_tokens")] public int AudioTokens { get; set; }
}

internal sealed class CompletionTokensDetailsWire
{
    [JsonPropertyName("reasoning_tokens")] public int ReasoningTokens { get; set; }
    [JsonPropertyName("audio_tokens")] public int AudioTokens { get; set; }
    [JsonPropertyName("accepted_prediction_tokens")] public int AcceptedPredictionTokens { get; set; }
    [JsonPropertyName("rejected_prediction_tokens")] public int RejectedPredictionTokens { get; set; }
}

/// <summary>One entry of a delta's <c>tool_calls</c>.</summary>
internal sealed class ToolCallWire
{
    [JsonPropertyName("index")] public int Index { get; set; }
    [JsonPropertyName("id")] public string? Id { get; set; }
    [JsonPropertyName("function")] public FunctionWire? Function { get; set; }
}

internal sealed class FunctionWire
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("arguments")] public JsonElement? Arguments { get; set; }

    /// <summary>The arguments fragment: the string's value (the usual shape), else the raw JSON.</summary>
    public string? ArgumentsText => Arguments is not { } value ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString()
        : value.ValueKind == JsonValueKind.Null ? null
        : value.GetRawText();
}

internal sealed class ContentPartWire
{
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("text")] public string? Text { get; set; }
}

[JsonSerializable(typeof(UsageWire))]
[JsonSerializable(typeof(List<ToolCallWire>))]
[JsonSerializable(typeof(List<ContentPartWire>))]
[JsonSerializable(typeof(IDictionary<string, object?>))]
internal sealed partial class StreamWireContext : JsonSerializerContext;

using System.ComponentModel;
using System.Globalization;
using Microsoft.Extensions.AI;
using ProviderSpecs.Cli.Support;
using ProviderSpecs.Providers;
using ProviderSpecs.Providers.Chat;
using ProviderSpecs.Providers.Registry;
using ProviderSpecs.Simulators;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ProviderSpecs.Cli.Commands;

public sealed class ChatSettings : CommandSettings
{
    [CommandArgument(0, "<provider>")]
    [Description("Provider id or alias (groq, together, …).")]
    public string Provider { get; init; } = "";

    [CommandArgument(1, "<model>")]
    [Description("Model id, e.g. llama-3.1-8b-instant.")]
    public string Model { get; init; } = "";

    [CommandArgument(2, "<prompt>")]
    [Description("The user message.")]
    public string Prompt { get; init; } = "";

    [CommandOption("--system <TEXT>")]
    [Description("An optional system message.")]
    public string? System { get; init; }

    [CommandOption("--stream")]
    [Description("Stream the reply as it is generated.")]
    public bool Stream { get; init; }

    [CommandOption("--max-tokens <N>")]
    [Description("Upper bound on output tokens (at least 1).")]
    public int? MaxTokens { get; init; }

    [CommandOption("--temperature <T>")]
    [Description("Sampling temperature, 0 to 2.")]
    public float? Temperature { get; init; }

    [CommandOption("--reasoning-effort <EFFORT>")]
    [Description("A reasoning model's effort, sent as reasoning_effort: the provider's values (Groq: none, default, low, medium, high; Together AI: low, medium, high).")]
    public string? ReasoningEffort { get; init; }

    [CommandOption("--show-reasoning")]
    [Description("Print a reasoning model's thinking, when the provider sends it apart, before the answer.")]
    public bool ShowReasoning { get; init; }

    [CommandOption("--simulated")]
    [Description("Start the simulated provider in-process (127.0.0.1) and chat with it: works offline.")]
    public bool Simulated { get; init; }

    [CommandOption("--json")]
    [Description("Print the reply and its metadata as JSON.")]
    public bool Json { get; init; }

    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Model)) return ValidationResult.Error("<model> must not be empty: give a model id, e.g. llama-3.1-8b-instant.");
        if (string.IsNullOrWhiteSpace(Prompt)) return ValidationResult.Error("<prompt> must not be empty: give the message to send, e.g. \"Say hello\".");
        if (MaxTokens is < 1) return ValidationResult.Error($"--max-tokens must be a whole number of at least 1, e.g. 100 (got {MaxTokens}).");
        if (Temperature is { } t && (!float.IsFinite(t) || t < 0 || t > 2))
            return ValidationResult.Error($"--temperature must be between 0 and 2, e.g. 0.7 (got {t.ToString(CultureInfo.InvariantCulture)}).");
        return ValidationResult.Success();
    }
}

/// <summary><c>chat &lt;provider&gt; &lt;model&gt; &lt;prompt&gt;</c>: one completion through the provider layer.</summary>
public sealed class ChatCommand(CliContext context) : AsyncCommand<ChatSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext commandContext, ChatSettings settings, CancellationToken cancellationToken)
    {
        var provider = ProviderRegistry.Default.Resolve(settings.Provider);
        SimulatedProviders? simulators = null;
        try
        {
            var options = new ProviderSessionOptions { Environment = context.Environment };
            if (settings.Simulated)
            {
                Simulation.RequireSimulated(provider);
                simulators = await Simulation.StartAsync(context, [provider.Id]).ConfigureAwait(false);
                var simulated = simulators[provider.Id];
                options = new ProviderSessionOptions { Environment = context.Environment, BaseUrl = simulated.BaseUrl, ApiKey = simulated.DefaultApiKey };
            }
            await using var session = ProviderSession.Open(provider.Id, options);
            using var chat = session.CreateChatClient(settings.Model);
            if (!settings.Simulated) Simulation.WriteCredentialWarnings(context, session.Credential);
            List<ChatMessage> messages = [];
            if (!string.IsNullOrWhiteSpace(settings.System)) messages.Add(new ChatMessage(ChatRole.System, settings.System));
            messages.Add(new ChatMessage(ChatRole.User, settings.Prompt));
            var chatOptions = new ChatOptions { MaxOutputTokens = settings.MaxTokens, Temperature = settings.Temperature };
            // Checked against the provider's values by the layer before anything is sent.
            if (settings.ReasoningEffort is { } effort) chatOptions.AdditionalProperties = new() { ["reasoning_effort"] = effort };

            ChatResult result;
            if (settings.Stream)
            {
                var stream = chat.Stream(messages, chatOptions);
                var wroteText = false;
                var thinking = false;
                try
                {
                    await foreach (var update in stream.WithCancellation(cancellationToken).ConfigureAwait(false))
                    {
                        if (settings.Json) continue;
                        if (settings.ShowReasoning && ReasoningText.Of(update.Contents) is { Length: > 0 } thought)
                        {
                            if (!thinking) context.Out.Write(ThinkingHeader);
                            context.Out.Write(thought);
                            thinking = wroteText = true;
                        }
                        if (string.IsNullOrEmpty(update.Text)) continue;
                        if (thinking) context.Out.Write("\n\n");
                        thinking = false;
                        context.Out.Write(update.Text);
                        context.Out.Flush();
                        wroteText = true;
                    }
                }
                finally
                {
                    if (wroteText) context.Out.WriteLine();
                }
                result = stream.Result;
            }
            else
            {
                result = await chat.CompleteAsync(messages, chatOptions, cancellationToken).ConfigureAwait(false);
                if (!settings.Json && settings.ShowReasoning && result.Reasoning is { Length: > 0 } reasoning) context.Out.WriteLine(ThinkingHeader + reasoning + "\n");
                if (!settings.Json) context.Out.WriteLine(result.Text);
            }

            if (settings.Json)
            {
                context.WriteJson(new
                {
                    provider = result.ProviderId,
                    model = result.Model,
                    simulated = settings.Simulated,
                    streamed = settings.Stream,
                    text = result.Text,
                    reasoning = result.Reasoning,
                    finishReason = result.FinishReason,
                    rawFinishReason = result.RawFinishReason,
                    usage = result.Usage is { } u
                        ? new
                        {
                            inputTokens = u.InputTokens, outputTokens = u.OutputTokens, totalTokens = u.TotalTokens, reasoningTokens = u.ReasoningTokens,
                            queueTimeMs = Ms(u.ProviderTimings?.QueueTime), promptTimeMs = Ms(u.ProviderTimings?.PromptTime),
                            completionTimeMs = Ms(u.ProviderTimings?.CompletionTime), totalTimeMs = Ms(u.ProviderTimings?.TotalTime),
                        }
                        : null,
                    responseId = result.ResponseId,
                    requestId = result.RequestId,
                    providerResponseId = result.ProviderResponseId,
                    elapsedMs = Ms(result.Elapsed),
                    timeToFirstTokenMs = Ms(result.TimeToFirstToken),
                    chunks = result.StreamedChunks,
                    attempts = result.Attempts.Select(a => new { a.Number, a.Outcome, a.HttpStatus, delayBeforeNextMs = Ms(a.DelayBeforeNext) }),
                    rateLimit = result.RateLimit,
                });
                return ExitCodes.Ok;
            }

            var parts = new List<string> { $"{result.ProviderId}/{result.Model}", $"finish {result.FinishReason ?? "?"}" };
            if (result.Usage is { } usage)
                parts.Add($"{usage.InputTokens?.ToString(CultureInfo.InvariantCulture) ?? "?"} in / {usage.OutputTokens?.ToString(CultureInfo.InvariantCulture) ?? "?"} out tokens"
                          + (usage.ReasoningTokens is > 0 and var thought ? $" ({thought.ToString(CultureInfo.InvariantCulture)} thinking)" : ""));
            parts.Add($"{result.Elapsed.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms");
            if (result.TimeToFirstToken is { } ttft) parts.Add($"first token {ttft.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms");
            if (result.Usage?.ProviderTimings?.QueueTime is { } queue) parts.Add($"queue {queue.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture)} ms");
            if (result.Attempts.Count > 1) parts.Add($"{result.Attempts.Count} attempts");
            if (result.RequestId is { } id) parts.Add($"request {id}");
            context.Console.MarkupLine($"[grey]{Markup.Escape(string.Join(" · ", parts))}[/]");
            if (result.FinishReason == "length" && string.IsNullOrWhiteSpace(result.Text) && (result.Reasoning is { Length: > 0 } || result.Usage?.ReasoningTokens is > 0))
                context.Console.MarkupLine("[yellow]The token limit was spent on thinking before the answer began: raise --max-tokens, or lower --reasoning-effort.[/]");
            return ExitCodes.Ok;
        }
        finally
        {
            if (simulators is not null) await simulators.DisposeAsync().ConfigureAwait(false);
        }
    }

    private const string ThinkingHeader = "thinking: ";

    private static double? Ms(TimeSpan? value) => value is { } v ? Math.Round(v.TotalMilliseconds, 3) : null;
}

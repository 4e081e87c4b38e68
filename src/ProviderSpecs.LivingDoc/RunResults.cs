using System.Text.Json;

namespace ProviderSpecs.LivingDoc;

/// <summary>Result statuses, ordered so that the larger value wins when results are combined.</summary>
public enum ResultStatus
{
    NotExecuted,
    Passed,
    Skipped,
    Pending,
    Undefined,
    Ambiguous,
    Failed,
}

internal sealed record StepResult(ResultStatus Status, string? Message, TimeSpan Duration);

internal sealed record Attachment(string MediaType, string Body, bool IsBase64, string? FileName);

/// <summary>The outcome of one pickle (a scenario or one example row) in one run.</summary>
internal sealed class TestCaseResult
{
    public required string Uri { get; init; }
    public required int ScenarioLine { get; init; }
    public int? RowLine { get; init; }
    public ResultStatus Status { get; set; } = ResultStatus.NotExecuted;
    /// <summary>Keyed by the step's line in the feature file (background steps included).</summary>
    public Dictionary<int, StepResult> Steps { get; } = [];
    /// <summary>Failures of hooks, which belong to no step.</summary>
    public List<string> HookMessages { get; } = [];
    public List<Attachment> Attachments { get; } = [];
    public TimeSpan Duration { get; set; }

    /// <summary>The message that explains the status: the first non-passed step's or hook's.</summary>
    public string? Message =>
        Steps.OrderBy(step => step.Key).Select(step => step.Value)
            .Where(step => step.Status != ResultStatus.Passed && !string.IsNullOrWhiteSpace(step.Message))
            .Select(step => step.Message).FirstOrDefault()
        ?? HookMessages.FirstOrDefault();
}

internal sealed record RunInfo(
    string Id,
    string Label,
    string SourceFile,
    string? Target,
    DateTimeOffset? Date,
    IReadOnlyDictionary<string, string> Versions,
    LiveBudget? LiveBudgetSpent,
    bool? Success)
{
    /// <summary>The limits the provider announced during a live run, and how the run paced itself under them.</summary>
    public IReadOnlyList<string> RateLimitsSeen { get; init; } = [];
}

internal sealed record RunResults(RunInfo Run, IReadOnlyList<TestCaseResult> Cases);

/// <summary>Reads a Cucumber message stream (ndjson) as written by Reqnroll's message formatter, tolerating damage.</summary>
internal static class MessageStreamReader
{
    private sealed record Pickle(string Uri, List<string> AstNodeIds, Dictionary<string, string> StepAstNodeIds);

    public static RunResults? Read(string path, string runId, List<LivingDocProblem> problems)
    {
        string[] lines;
        try { lines = File.ReadAllLines(path); }
        catch (IOException e) { problems.Add(new(path, $"The message stream could not be read: {e.Message}")); return null; }

        var lastContentLine = Array.FindLastIndex(lines, line => !string.IsNullOrWhiteSpace(line));
        var nodeLines = new Dictionary<string, int>(StringComparer.Ordinal);
        var pickles = new Dictionary<string, Pickle>(StringComparer.Ordinal);
        var testCases = new Dictionary<string, (string PickleId, Dictionary<string, string?> StepToPickleStep)>(StringComparer.Ordinal);
        var started = new Dictionary<string, (string TestCaseId, int Attempt)>(StringComparer.Ordinal);
        var finishedSteps = new List<(string StartedId, string StepId, ResultStatus Status, string? Message, TimeSpan Duration)>();
        var attachments = new List<(string StartedId, Attachment Attachment)>();
        var versions = new SortedDictionary<string, string>(StringComparer.Ordinal);
        DateTimeOffset? runStarted = null;
        bool? success = null;

        for (var index = 0; index <= lastContentLine; index++)
        {
            if (string.IsNullOrWhiteSpace(lines[index])) continue;
            JsonDocument envelope;
            try { envelope = JsonDocument.Parse(lines[index]); }
            catch (JsonException e)
            {
                problems.Add(index == lastContentLine
                    ? new($"{path}:{index + 1}", $"The last line is truncated ({e.Message}); the {index} lines before it were kept. The run was probably interrupted while writing; re-run it for complete results.")
                    : new($"{path}:{index + 1}", $"The line is not valid JSON ({e.Message}) and was skipped."));
                continue;
            }
            using (envelope)
            {
                var root = envelope.RootElement;
                if (root.ValueKind != JsonValueKind.Object) continue;
                if (root.TryGetProperty("gherkinDocument", out var document))
                    CollectNodeLines(document, nodeLines);
                else if (root.TryGetProperty("pickle", out var pickle))
                {
                    var steps = new Dictionary<string, string>(StringComparer.Ordinal);
                    foreach (var step in Items(pickle, "steps"))
                        if (Str(step, "id") is { } stepId && Strings(step, "astNodeIds").FirstOrDefault() is { } node)
                            steps[stepId] = node;
                    if (Str(pickle, "id") is { } id)
                        pickles[id] = new(Str(pickle, "uri") ?? "", Strings(pickle, "astNodeIds").ToList(), steps);
                }
                else if (root.TryGetProperty("testCase", out var testCase))
                {
                    var steps = new Dictionary<string, string?>(StringComparer.Ordinal);
                    foreach (var step in Items(testCase, "testSteps"))
                        if (Str(step, "id") is { } stepId) steps[stepId] = Str(step, "pickleStepId");
                    if (Str(testCase, "id") is { } id && Str(testCase, "pickleId") is { } pickleId)
                        testCases[id] = (pickleId, steps);
                }
                else if (root.TryGetProperty("testCaseStarted", out var caseStarted))
                {
                    if (Str(caseStarted, "id") is { } id && Str(caseStarted, "testCaseId") is { } caseId)
                        started[id] = (caseId, caseStarted.TryGetProperty("attempt", out var attempt) && attempt.TryGetInt32(out var a) ? a : 0);
                }
                else if (root.TryGetProperty("testStepFinished", out var stepFinished))
                {
                    var result = stepFinished.TryGetProperty("testStepResult", out var r) ? r : default;
                    var message = result.ValueKind == JsonValueKind.Object
                        ? Str(result, "message") ?? (result.TryGetProperty("exception", out var exception) ? Str(exception, "message") : null)
                        : null;
                    if (Str(stepFinished, "testCaseStartedId") is { } startedId && Str(stepFinished, "testStepId") is { } stepId)
                        finishedSteps.Add((startedId, stepId, ParseStatus(result.ValueKind == JsonValueKind.Object ? Str(result, "status") : null),
                            message, result.ValueKind == JsonValueKind.Object ? Duration(result) : TimeSpan.Zero));
                }
                else if (root.TryGetProperty("attachment", out var attachment))
                {
                    if (Str(attachment, "testCaseStartedId") is { } startedId)
                        attachments.Add((startedId, new(Str(attachment, "mediaType") ?? "text/plain", Str(attachment, "body") ?? "",
                            string.Equals(Str(attachment, "contentEncoding"), "BASE64", StringComparison.OrdinalIgnoreCase), Str(attachment, "fileName"))));
                }
                else if (root.TryGetProperty("meta", out var meta))
                {
                    foreach (var part in new[] { "implementation", "runtime", "os" })
                        if (meta.TryGetProperty(part, out var product) && Str(product, "name") is { } name)
                            versions[name] = Str(product, "version") ?? "";
                }
                else if (root.TryGetProperty("testRunStarted", out var runStart))
                    runStarted = Timestamp(runStart);
                else if (root.TryGetProperty("testRunFinished", out var runFinish) && runFinish.TryGetProperty("success", out var ok)
                         && ok.ValueKind is JsonValueKind.True or JsonValueKind.False)
                    success = ok.GetBoolean();
            }
        }

        // A retried test case keeps only its last attempt.
        var lastAttempt = started
            .GroupBy(pair => pair.Value.TestCaseId)
            .Select(group => group.MaxBy(pair => pair.Value.Attempt))
            .ToDictionary(pair => pair.Key, pair => pair.Value.TestCaseId, StringComparer.Ordinal);
        var cases = new Dictionary<string, TestCaseResult>(StringComparer.Ordinal);
        var unresolved = 0;
        foreach (var (startedId, testCaseId) in lastAttempt)
        {
            if (!testCases.TryGetValue(testCaseId, out var testCase) || !pickles.TryGetValue(testCase.PickleId, out var pickle)
                || pickle.AstNodeIds.Count == 0 || !nodeLines.TryGetValue(pickle.AstNodeIds[0], out var scenarioLine))
            {
                unresolved++;
                continue;
            }
            int? rowLine = pickle.AstNodeIds.Count > 1 && nodeLines.TryGetValue(pickle.AstNodeIds[^1], out var row) ? row : null;
            cases[startedId] = new TestCaseResult { Uri = pickle.Uri.Replace('\\', '/'), ScenarioLine = scenarioLine, RowLine = rowLine };
        }
        foreach (var step in finishedSteps)
        {
            if (!cases.TryGetValue(step.StartedId, out var result)) continue;
            var (pickleId, stepMap) = testCases[lastAttempt[step.StartedId]];
            result.Duration += step.Duration;
            if (result.Status < step.Status) result.Status = step.Status;
            if (stepMap.TryGetValue(step.StepId, out var pickleStepId) && pickleStepId is not null
                && pickles[pickleId].StepAstNodeIds.TryGetValue(pickleStepId, out var stepNode) && nodeLines.TryGetValue(stepNode, out var stepLine))
                result.Steps[stepLine] = new(step.Status, step.Message, step.Duration);
            else if (step.Status != ResultStatus.Passed && step.Message is not null)
                result.HookMessages.Add(step.Message);
        }
        foreach (var (startedId, attachment) in attachments)
            if (cases.TryGetValue(startedId, out var result)) result.Attachments.Add(attachment);

        if (unresolved > 0)
            problems.Add(new(path, $"{unresolved} test case(s) could not be traced to a scenario (their pickle or gherkinDocument message is missing from the stream)."));
        if (lastContentLine < 0)
            problems.Add(new(path, "The message stream is empty. Re-run the tests with the Reqnroll 'message' formatter enabled."));

        var metadata = ReadSideCar(path, problems);
        var label = metadata?.Label ?? Path.GetFileNameWithoutExtension(path);
        if (metadata?.Versions is { } extra)
            foreach (var (name, version) in extra) versions[name] = version;
        var run = new RunInfo(runId, label, path, metadata?.Target, metadata?.Date ?? runStarted, versions, metadata?.LiveBudgetSpent, success)
        {
            RateLimitsSeen = metadata?.RateLimitsSeen ?? [],
        };
        return new RunResults(run, cases.Values.OrderBy(c => c.Uri, StringComparer.Ordinal).ThenBy(c => c.ScenarioLine).ThenBy(c => c.RowLine).ToList());
    }

    private static RunMetadata? ReadSideCar(string streamPath, List<LivingDocProblem> problems)
    {
        var sideCar = Path.ChangeExtension(streamPath, ".run.json");
        if (!File.Exists(sideCar)) return null;
        try { return JsonSerializer.Deserialize<RunMetadata>(File.ReadAllText(sideCar), LivingDocJson.Options); }
        catch (JsonException e)
        {
            problems.Add(new(sideCar, $"The run metadata is not valid JSON ({e.Message}); the run is shown under its file name. Expected {{label, target, date, versions, liveBudgetSpent}}."));
            return null;
        }
    }

    /// <summary>Every AST node of a gherkinDocument message carries an id and a location; pickles refer to nodes by id.</summary>
    private static void CollectNodeLines(JsonElement element, Dictionary<string, int> nodeLines)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                if (Str(element, "id") is { } id && element.TryGetProperty("location", out var location)
                    && location.ValueKind == JsonValueKind.Object && location.TryGetProperty("line", out var line) && line.TryGetInt32(out var number))
                    nodeLines[id] = number;
                foreach (var property in element.EnumerateObject()) CollectNodeLines(property.Value, nodeLines);
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray()) CollectNodeLines(item, nodeLines);
                break;
        }
    }

    internal static ResultStatus ParseStatus(string? status) => status?.ToUpperInvariant() switch
    {
        "PASSED" => ResultStatus.Passed,
        "FAILED" => ResultStatus.Failed,
        "PENDING" => ResultStatus.Pending,
        "UNDEFINED" => ResultStatus.Undefined,
        "SKIPPED" => ResultStatus.Skipped,
        "AMBIGUOUS" => ResultStatus.Ambiguous,
        _ => ResultStatus.NotExecuted,
    };

    private static string? Str(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static IEnumerable<JsonElement> Items(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array ? value.EnumerateArray() : [];

    private static IEnumerable<string> Strings(JsonElement element, string name) =>
        Items(element, name).Where(item => item.ValueKind == JsonValueKind.String).Select(item => item.GetString()!);

    private static TimeSpan Duration(JsonElement result) =>
        result.TryGetProperty("duration", out var duration) && duration.ValueKind == JsonValueKind.Object
            ? TimeSpan.FromSeconds(Long(duration, "seconds")) + TimeSpan.FromTicks(Long(duration, "nanos") / 100)
            : TimeSpan.Zero;

    private static DateTimeOffset? Timestamp(JsonElement message) =>
        message.TryGetProperty("timestamp", out var timestamp) && timestamp.ValueKind == JsonValueKind.Object
            ? DateTimeOffset.FromUnixTimeSeconds(Long(timestamp, "seconds"))
            : null;

    private static long Long(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.TryGetInt64(out var number) ? number : 0;
}

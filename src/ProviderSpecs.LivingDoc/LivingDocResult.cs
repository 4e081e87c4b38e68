namespace ProviderSpecs.LivingDoc;

/// <summary>An input that could not be included in the document, and why. The same list is shown inside the document.</summary>
/// <param name="Input">The file or item, e.g. <c>features/a.feature:12</c> or <c>reports/run.ndjson</c>.</param>
/// <param name="Reason">What was wrong and what to do about it.</param>
public sealed record LivingDocProblem(string Input, string Reason);

/// <summary>What <see cref="LivingDocGenerator.Generate"/> produced.</summary>
public sealed record LivingDocResult
{
    /// <summary>The written HTML file; null when it could not be written.</summary>
    public string? OutputPath { get; init; }
    public int FeatureCount { get; init; }
    /// <summary>Scenarios and scenario outlines as written in the features (an outline counts once).</summary>
    public int ScenarioCount { get; init; }
    /// <summary>Runs whose results were merged into the document.</summary>
    public int RunCount { get; init; }
    /// <summary>Test-case results that matched a scenario or example row.</summary>
    public int ResultCount { get; init; }
    public long OutputBytes { get; init; }
    public IReadOnlyList<LivingDocProblem> Problems { get; init; } = [];

    /// <summary>Zero when a document with content was written; 2 when nothing usable was given (no features folder, no feature files);
    /// 1 when the document could not be written. Problems with optional inputs never make it non-zero.</summary>
    public int ExitCode { get; init; }
}

namespace ProviderSpecs.LivingDoc;

/// <summary>What the living documentation is built from and where it is written. Only <see cref="FeaturesDirectory"/> is required.</summary>
public sealed record LivingDocOptions
{
    /// <summary>The folder holding the <c>.feature</c> files; sub-folders are the domain areas of the feature tree.</summary>
    public required string FeaturesDirectory { get; init; }

    /// <summary>The single HTML file to write.</summary>
    public string OutputPath { get; init; } = Path.Combine("reports", "living-doc.html");

    /// <summary>Cucumber message streams (<c>*.ndjson</c>) of test runs; an entry may also be a folder, whose <c>*.ndjson</c> files are all taken.
    /// A run's label and metadata come from a side-car <c>&lt;name&gt;.run.json</c> next to the stream, if present.</summary>
    public IReadOnlyList<string> RunFiles { get; init; } = [];

    /// <summary>The folder of benchmark reports (<c>*.md</c>) and charts (<c>*.svg</c>, <c>*.png</c>); null leaves the chapter out silently.</summary>
    public string? BenchmarksDirectory { get; init; }

    /// <summary>A folder of guide chapters (<c>*.md</c>, ordered by file name); null uses the chapters built into this assembly.</summary>
    public string? GuideDirectory { get; init; }

    /// <summary>The root searched for <c>// begin-snippet: name</c> regions in <c>.cs</c> files (bin and obj skipped); null disables snippet includes.</summary>
    public string? SnippetSourceRoot { get; init; }

    /// <summary>The glossary chapter; null means <c>_Glossary.md</c> in the features folder.</summary>
    public string? GlossaryPath { get; init; }

    /// <summary>A JSON array of <see cref="ModelCatalogRow"/>; null leaves the catalog out silently.</summary>
    public string? CatalogPath { get; init; }

    /// <summary>A JSON array of <see cref="FaultMatrixRow"/>; null leaves the fault matrix out silently.</summary>
    public string? FaultMatrixPath { get; init; }

    /// <summary>
    /// When set, a short Markdown account of the runs (counts, failures, skips by reason, live spend and limits) is
    /// appended to this file — e.g. <c>$GITHUB_STEP_SUMMARY</c> in a GitHub Actions job.
    /// </summary>
    public string? SummaryPath { get; init; }

    /// <summary>A JSON array of <see cref="CatalogDriftRow"/>; null leaves the catalog drift out silently.</summary>
    public string? CatalogDriftPath { get; init; }

    /// <summary>
    /// The validation plan (<see cref="ValidationPlan"/>): the items the suite validates and the scenarios that cover them;
    /// null means <c>_ValidationPlan.md</c> in the features folder when it exists (else the report has no plan).
    /// </summary>
    public string? ValidationPlanPath { get; init; }

    /// <summary>
    /// The workload the recommendations price each measured model for, next to its latency (the catalog's input and
    /// output prices applied to its tokens); the default is 1,000 requests of 500 prompt and 200 answer tokens.
    /// </summary>
    public CostWorkload Workload { get; init; } = CostWorkload.Default;

    /// <summary>The document title.</summary>
    public string Title { get; init; } = "ProviderSpecs — living documentation";

    /// <summary>Options laid out as in this repository: features/, reports/ (runs, benchmarks, catalog, fault matrix), snippets from the whole repo.</summary>
    public static LivingDocOptions ForRepository(string repositoryRoot)
    {
        var reports = Path.Combine(repositoryRoot, "reports");
        return new LivingDocOptions
        {
            FeaturesDirectory = Path.Combine(repositoryRoot, "features"),
            OutputPath = Path.Combine(reports, "living-doc.html"),
            RunFiles = Directory.Exists(reports) ? [reports] : [],
            BenchmarksDirectory = Path.Combine(reports, "benchmarks"),
            SnippetSourceRoot = repositoryRoot,
            CatalogPath = Path.Combine(reports, "catalog.json"),
            FaultMatrixPath = Path.Combine(reports, "fault-matrix.json"),
            CatalogDriftPath = Path.Combine(reports, "catalog-drift.json"),
        };
    }
}

/// <summary>A stated workload: so many requests, each of so many prompt (input) and answer (output) tokens.</summary>
public sealed record CostWorkload(long Requests, long PromptTokens, long AnswerTokens)
{
    public static readonly CostWorkload Default = new(1_000, 500, 200);

    /// <summary>requests × (prompt tokens × input price + answer tokens × output price) ÷ 1,000,000; prices in $ per 1M tokens.</summary>
    public decimal CostAt(decimal inputPricePer1M, decimal outputPricePer1M) =>
        Requests * (PromptTokens * inputPricePer1M + AnswerTokens * outputPricePer1M) / 1_000_000m;

    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"{Requests:N0} requests of {PromptTokens:N0} prompt + {AnswerTokens:N0} answer tokens");
}

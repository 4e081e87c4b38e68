using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace ProviderSpecs.LivingDoc.Tests;

/// <summary>The sample inputs copied beside the tests, and a fresh output folder per test.</summary>
internal static class Samples
{
    public static string Root => Path.Combine(TestContext.CurrentContext.TestDirectory, "Samples");
    public static string Path_(params string[] parts) => Path.Combine([Root, .. parts]);

    public static string NewOutputFolder()
    {
        var folder = Path.Combine(TestContext.CurrentContext.WorkDirectory, "livingdoc-out", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>Every sample input, both runs.</summary>
    public static LivingDocOptions Full(string outputFolder) => new()
    {
        FeaturesDirectory = Path_("features"),
        OutputPath = Path.Combine(outputFolder, "living-doc.html"),
        RunFiles = [Path_("simulated.ndjson"), Path_("live.ndjson")],
        BenchmarksDirectory = Path_("benchmarks"),
        GuideDirectory = Path_("guide"),
        SnippetSourceRoot = Path_("snippets"),
        CatalogPath = Path_("catalog.json"),
        FaultMatrixPath = Path_("fault-matrix.json"),
        CatalogDriftPath = Path_("catalog-drift.json"),
    };

    public static IDocument Parse(string path) => new HtmlParser().ParseDocument(File.ReadAllText(path));
}

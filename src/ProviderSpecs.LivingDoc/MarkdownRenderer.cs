using System.Text;
using System.Text.RegularExpressions;
using Markdig;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace ProviderSpecs.LivingDoc;

/// <summary>Markdown to safe, self-contained HTML: raw HTML is shown as text, local images are inlined as data: URIs,
/// links to .feature files become links to their section, and <c>snippet: name</c> lines pull in compiled source.</summary>
internal sealed partial class MarkdownRenderer(SnippetLibrary snippets, Func<string, string?> featureAnchor, List<LivingDocProblem> problems)
{
    // Only extensions that cannot add attributes, scripts or remote content (no generic attributes, no media links).
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UsePipeTables()
        .UseGridTables()
        .UseEmphasisExtras()
        .UseListExtras()
        .UseTaskLists()
        .UseAutoLinks()
        .UseFootnotes()
        .UseDefinitionLists()
        .DisableHtml()
        .Build();

    /// <param name="markdown">The text.</param>
    /// <param name="source">Where it came from, for problem reports.</param>
    /// <param name="baseDirectory">Relative image and link paths resolve from here.</param>
    public string Render(string markdown, string source, string? baseDirectory)
    {
        var expanded = ExpandSnippets(markdown, source);
        var document = Markdown.Parse(expanded, Pipeline);
        foreach (var link in document.Descendants<LinkInline>())
            RewriteLink(link, source, baseDirectory);
        return document.ToHtml(Pipeline);
    }

    private string ExpandSnippets(string markdown, string source)
    {
        if (!markdown.Contains("snippet:", StringComparison.Ordinal)) return markdown;
        return SnippetDirective().Replace(markdown, match =>
        {
            var name = match.Groups[1].Value;
            var snippet = snippets.Find(name, problems);
            if (snippet is null)
            {
                problems.Add(new(source, $"Snippet '{name}' could not be resolved: {snippets.Describe}. Add the region to tested code or remove the directive."));
                return $"> **⚠ Unresolved snippet `{name}`** — {snippets.Describe}.\n";
            }
            var fence = new string('`', Math.Max(3, LongestBacktickRun(snippet.Code) + 1));
            return $"{fence}csharp\n{snippet.Code}\n{fence}\n*From `{snippet.RelativePath}` lines {snippet.FirstLine}–{snippet.LastLine} (compiled and tested).*\n";
        });
    }

    private static int LongestBacktickRun(string text) =>
        BacktickRuns().Matches(text).Select(match => match.Length).DefaultIfEmpty(0).Max();

    private void RewriteLink(LinkInline link, string source, string? baseDirectory)
    {
        var url = link.Url ?? "";
        var isRemote = url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
        if (link.IsImage)
        {
            if (url.StartsWith("data:image/", StringComparison.OrdinalIgnoreCase)) return;
            if (isRemote)
            {
                // Loading it would be a network request: show it as a link the reader may follow instead.
                link.IsImage = false;
                problems.Add(new(source, $"Remote image {url} is shown as a link, not inlined: the document makes no network requests. Save the image next to the Markdown and reference it by a relative path."));
                return;
            }
            var path = baseDirectory is null ? null : Path.GetFullPath(Path.Combine(baseDirectory, Uri.UnescapeDataString(url.Split('#', '?')[0])));
            if (path is not null && File.Exists(path) && DataUri.For(path) is { } dataUri)
            {
                link.Url = dataUri;
                return;
            }
            problems.Add(new(source, $"Image '{url}' was not found{(path is null ? "" : $" at {path}")}; its alt text is shown instead."));
            link.IsImage = false;
            link.Url = "#";
            return;
        }
        if (isRemote || url.StartsWith('#') || url.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase)) return;
        var target = url.Split('#')[0];
        if (target.EndsWith(".feature", StringComparison.OrdinalIgnoreCase) && baseDirectory is not null
            && featureAnchor(Path.GetFullPath(Path.Combine(baseDirectory, Uri.UnescapeDataString(target)))) is { } anchor)
        {
            link.Url = "#" + anchor;
            return;
        }
        if (url.Contains(':', StringComparison.Ordinal))
        {
            // javascript:, file: and other schemes have no place in a shared document.
            link.Url = "#";
            problems.Add(new(source, $"Link '{url}' uses a scheme the document does not allow; use http(s), mailto or a relative .feature path."));
        }
    }

    [GeneratedRegex(@"^[ \t]*snippet:[ \t]*(\S+)[ \t]*$", RegexOptions.Multiline)]
    private static partial Regex SnippetDirective();

    [GeneratedRegex("`+")]
    private static partial Regex BacktickRuns();
}

internal static class DataUri
{
    private static readonly Dictionary<string, string> MediaTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".png"] = "image/png", [".jpg"] = "image/jpeg", [".jpeg"] = "image/jpeg", [".gif"] = "image/gif",
        [".svg"] = "image/svg+xml", [".webp"] = "image/webp",
    };

    public static string? For(string path) =>
        MediaTypes.TryGetValue(Path.GetExtension(path), out var mediaType)
            ? $"data:{mediaType};base64,{Convert.ToBase64String(File.ReadAllBytes(path))}"
            : null;

    public static string For(string mediaType, byte[] bytes) => $"data:{mediaType};base64,{Convert.ToBase64String(bytes)}";
}

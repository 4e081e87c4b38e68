using Microsoft.Playwright;

namespace ProviderSpecs.LivingDoc.Tests;

/// <summary>The generated page in a real browser: Debian's chromium driven by Playwright.</summary>
[Category("browser")]
[NonParallelizable]
public class BrowserTests
{
    private const string Chromium = "/usr/bin/chromium";
    private IPlaywright playwright = null!;
    private IBrowser browser = null!;
    private string documentPath = null!;

    [OneTimeSetUp]
    public async Task StartBrowser()
    {
        if (!File.Exists(Chromium))
            Assert.Fail($"{Chromium} is missing: install the Debian package 'chromium' (apt-get install -y chromium); CI installs it.");
        documentPath = LivingDocGenerator.Generate(Samples.Full(Samples.NewOutputFolder())).OutputPath!;
        playwright = await Playwright.CreateAsync();
        browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run", "--disable-component-update", "--disable-sync"],
        });
    }

    [OneTimeTearDown]
    public async Task StopBrowser()
    {
        if (browser is not null) await browser.CloseAsync();
        playwright?.Dispose();
    }

    [Test]
    public async Task A_reader_navigates_filters_reads_an_error_sees_a_chart_and_follows_a_deep_link()
    {
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 1000 } });
        var consoleErrors = new List<string>();
        var requests = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") consoleErrors.Add(message.Text); };
        page.PageError += (_, error) => consoleErrors.Add(error);
        page.Request += (_, request) => requests.Add(request.Url);
        var url = new Uri(documentPath).AbsoluteUri;

        await page.GotoAsync(url);

        // Navigate the tree: the reliability feature's entry leads to its section.
        await page.ClickAsync("#feature-tree li.tree-feature[data-feature='f-reliability-faults'] a");
        (await page.EvaluateAsync<string>("location.hash")).ShouldBe("#f-reliability-faults");
        (await page.IsVisibleAsync("#f-reliability-faults h4")).ShouldBeTrue();

        // Filter by @groq: the reliability feature (all @together_ai) disappears, and the filter is in the URL.
        await page.FillAsync("#filter-text", "@groq");
        (await page.IsVisibleAsync("#f-reliability-faults")).ShouldBeFalse();
        (await page.IsVisibleAsync("#f-providers-registry--groq-is-registered")).ShouldBeTrue();
        (await page.IsVisibleAsync("#f-providers-registry--every-provider-lists-models .examples[data-tags='@together_ai']")).ShouldBeFalse();
        new Uri(page.Url).Query.ShouldBe("?q=%40groq");

        // A shared filtered link opens filtered (without the hash: a deep link to a hidden section clears the filter to show it).
        var shared = await browser.NewPageAsync();
        shared.Request += (_, request) => requests.Add(request.Url);
        await shared.GotoAsync(url + new Uri(page.Url).Query);
        (await shared.InputValueAsync("#filter-text")).ShouldBe("@groq");
        (await shared.IsVisibleAsync("#f-reliability-faults")).ShouldBeFalse();
        await shared.CloseAsync();

        // Open a failing scenario and read its error.
        await page.ClickAsync("#filter-clear");
        await page.SelectOptionAsync("#filter-status", "failed");
        await page.ClickAsync("#f-reliability-faults--a-timeout-is-reported-as-timeout > summary");
        var error = await page.TextContentAsync("#f-reliability-faults--a-timeout-is-reported-as-timeout pre.error-message");
        error.ShouldBe("Expected error key \"timeout\" but was \"server-error\" <b>not bold</b>");
        (await page.IsVisibleAsync("#f-reliability-faults--overload-is-retried")).ShouldBeFalse("the status filter hides passing and pending scenarios");

        // The benchmark chart is rendered (inline SVG with a real size).
        var bar = await page.QuerySelectorAsync("#benchmarks figure.chart svg #bar-groq");
        bar.ShouldNotBeNull();
        await bar.ScrollIntoViewIfNeededAsync();
        var box = await bar.BoundingBoxAsync();
        box.ShouldNotBeNull();
        box.Width.ShouldBeGreaterThan(10);

        // The recommendations from the measured figures are one click away and show their figures.
        await page.ClickAsync(".toc a[href='#recommendations']");
        (await page.EvaluateAsync<string>("location.hash")).ShouldBe("#recommendations");
        var interactive = page.Locator("#recommendations .target-figures[data-target='simulated'] li[data-use='interactive']");
        (await interactive.IsVisibleAsync()).ShouldBeTrue();
        (await interactive.InnerTextAsync()).ShouldContain("lowest time to first token, P50 170 ms, P95 300 ms");
        (await page.Locator("#recommendations .target-figures[data-target='simulated'] li[data-use='bulk']").InnerTextAsync()).ShouldContain("1,750 tok/s per $/1M");
        var comparison = page.Locator("#recommendations .target-figures[data-target='simulated'] table.comparison");
        (await comparison.Locator("tbody tr").CountAsync()).ShouldBe(3);
        (await comparison.BoundingBoxAsync()).ShouldNotBeNull().Width.ShouldBeGreaterThan(400, "the comparison table is laid out, not collapsed");
        await SaveScreenshot(page, "living-doc-recommendations.png");
        await page.ClickAsync(".toc a[href='#fault-matrix']");
        (await page.Locator("#fault-matrix td.fm-cell.st-failed").InnerTextAsync()).ShouldContain("expected timeout");
        await SaveScreenshot(page, "living-doc-fault-matrix.png");

        // A deep link opens and reveals its scenario, even from a filtered view that hid it.
        await page.GotoAsync(url + "?status=failed#f-reliability-faults--overload-is-retried");
        (await page.IsVisibleAsync("#f-reliability-faults--overload-is-retried pre.error-message")).ShouldBeTrue();
        (await page.TextContentAsync("#f-reliability-faults--overload-is-retried pre.error-message")).ShouldBe("Pending: the retry counter is not wired yet");

        await page.GotoAsync(url + "#f-reliability-faults--a-timeout-is-reported-as-timeout");
        await SaveScreenshot(page, "living-doc-scenario.png");
        await page.GotoAsync(url);
        await SaveScreenshot(page, "living-doc.png");

        consoleErrors.ShouldBeEmpty();
        requests.ShouldAllBe(request => request.StartsWith("file:", StringComparison.Ordinal) || request.StartsWith("data:", StringComparison.Ordinal));
    }

    private static async Task SaveScreenshot(IPage page, string name)
    {
        var path = Path.Combine(TestContext.CurrentContext.WorkDirectory, name);
        await page.ScreenshotAsync(new() { Path = path });
        TestContext.AddTestAttachment(path);
        if (Environment.GetEnvironmentVariable("REPORTS_DIR") is { Length: > 0 } reports)
        {
            Directory.CreateDirectory(reports);
            File.Copy(path, Path.Combine(reports, name), overwrite: true);
        }
    }
}

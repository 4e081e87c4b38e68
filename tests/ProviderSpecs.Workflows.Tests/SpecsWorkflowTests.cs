using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace ProviderSpecs.Workflows.Tests;

/// <summary>
/// .github/workflows/specs.yml as the README describes it: every push runs the README's test command through .ci/run,
/// the scheduled live lane alone reads the provider keys and runs with the suite's own planned budget, and only the
/// publishing job may write pages.
/// </summary>
public sealed class SpecsWorkflowTests
{
    private static readonly string Root = FindRoot();
    private static readonly YamlMappingNode Workflow = Load(Path.Combine(Root, ".github", "workflows", "specs.yml"));
    private static YamlMappingNode Jobs => (YamlMappingNode)Workflow["jobs"];

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Specs.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("No Specs.sln above the test's folder: the workflow tests read the repository's files.");
    }

    private static YamlMappingNode Load(string path)
    {
        var yaml = new YamlStream();
        using var reader = new StreamReader(path);
        yaml.Load(reader);
        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }

    private static YamlMappingNode Job(string name) => (YamlMappingNode)Jobs[name];

    private static IEnumerable<YamlMappingNode> Steps(string job) => ((YamlSequenceNode)Job(job)["steps"]).Children.Cast<YamlMappingNode>();

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? (value as YamlScalarNode)?.Value : null;

    private static Dictionary<string, string> Map(YamlNode? node) =>
        node is YamlMappingNode map ? map.Children.ToDictionary(c => ((YamlScalarNode)c.Key).Value!, c => (c.Value as YamlScalarNode)?.Value ?? "") : [];

    private static YamlNode? Child(YamlMappingNode node, string key) => node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    /// <summary>The whole text of a node, to search for expressions wherever they sit.</summary>
    private static string Text(YamlNode node)
    {
        var stream = new YamlStream(new YamlDocument(node));
        using var writer = new StringWriter();
        stream.Save(writer, assignAnchors: false);
        return writer.ToString();
    }

    [Test]
    public void Every_push_and_pull_request_runs_the_READMEs_test_command_through_ci_run()
    {
        var triggers = (YamlMappingNode)Workflow["on"];
        triggers.Children.Keys.Select(k => ((YamlScalarNode)k).Value).ShouldBe(["push", "pull_request", "schedule", "workflow_dispatch"], ignoreOrder: true);
        Steps("simulated").Select(s => Scalar(s, "run")).ShouldContain(".ci/run");

        var readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        readme.ShouldContain("dotnet test                                  # the suite and every library's tests", Case.Sensitive, "the README's test command");
        var ci = File.ReadAllText(Path.Combine(Root, ".ci", "run"));
        Regex.IsMatch(ci, @"^dotnet test --no-build --logger ""trx""", RegexOptions.Multiline).ShouldBeTrue(".ci/run runs the README's `dotnet test` (built once before, with a TRX logger added)");
        ci.ShouldContain("SPECS_TARGET=live", Case.Sensitive, ".ci/run rehearses the live target against `providerspecs simulate`");
        ci.ShouldContain("scan-secrets", Case.Sensitive, "the canary scan runs in the workflow too, through .ci/run");
    }

    [Test]
    public void Secrets_are_read_in_the_live_job_only()
    {
        foreach (var (key, job) in Jobs.Children)
        {
            var name = ((YamlScalarNode)key).Value;
            var mentions = Regex.Matches(Text(job), @"\$\{\{\s*secrets\.(\w+)").Select(m => m.Groups[1].Value).ToHashSet();
            if (name == "live") mentions.ShouldBe(["GROQ_API_KEY", "TOGETHER_API_KEY"], ignoreOrder: true);
            else mentions.ShouldBeEmpty($"the {name} job reads secrets");
        }
        foreach (var (key, value) in Workflow.Children.Where(c => ((YamlScalarNode)c.Key).Value != "jobs"))
            Text(value).ShouldNotContain("secrets.", Case.Sensitive, $"the workflow's '{((YamlScalarNode)key).Value}' reads a secret outside the jobs");
    }

    [Test]
    public void The_live_lane_runs_scheduled_or_on_demand_and_notices_missing_keys()
    {
        Scalar(Job("live"), "if")!.ShouldContain("schedule");
        Scalar(Job("live"), "if")!.ShouldContain("workflow_dispatch");
        Map(Child((YamlMappingNode)Workflow["on"], "schedule") is YamlSequenceNode { Children: [YamlMappingNode cron] } ? cron : null).ShouldContainKey("cron");
        Steps("live").First().ShouldSatisfyAllConditions(
            first => Scalar(first, "run")!.ShouldContain("::notice"),
            first => Scalar(first, "run")!.ShouldContain("GITHUB_STEP_SUMMARY"));
        Steps("live").Skip(1).Where(s => Scalar(s, "if") is null).ShouldBeEmpty("every later step runs only when a key is present");
    }

    [Test]
    public void The_live_job_runs_with_the_budget_of_the_suites_own_plan()
    {
        var plan = Steps("live").Single(s => Scalar(s, "id") == "plan");
        Map(Child(plan, "env")).ShouldContainKeyAndValue("SPECS_LIVE_PLAN_ONLY", "1");
        Scalar(plan, "run")!.ShouldContain("live-plan.json");
        var run = Steps("live").Single(s => Scalar(s, "run") is { } text && text.StartsWith("dotnet test steps", StringComparison.Ordinal) && !Map(Child(s, "env")).ContainsKey("SPECS_LIVE_PLAN_ONLY"));
        var env = Map(Child(run, "env"));
        env.ShouldContainKeyAndValue("SPECS_TARGET", "live");
        env["SPECS_LIVE_MAX_REQUESTS"].ShouldBe("${{ steps.plan.outputs.requests }}");
        env["SPECS_LIVE_MAX_TOKENS"].ShouldBe("${{ steps.plan.outputs.tokens }}");
        Steps("live").ShouldContain(s => Scalar(s, "run") != null && Scalar(s, "run")!.Contains("scan-secrets") && Scalar(s, "run")!.Contains("--key-from-env GROQ_API_KEY"),
            "the real keys are the canaries of a scan of every output of the live run");
        Steps("live").ShouldContain(s => Scalar(s, "run") != null && Scalar(s, "run")!.Contains("--summary \"$GITHUB_STEP_SUMMARY\"")
                                         && Scalar(s, "run")!.Contains("--catalog-drift reports/live/catalog-drift.json"),
            "the run's summary lists what failed, what was skipped and why, the spend and the catalog drift");
    }

    [Test]
    public void Permissions_are_least_privilege_and_only_the_publishing_job_writes_pages()
    {
        Map(Workflow["permissions"]).ShouldBe(new Dictionary<string, string> { ["contents"] = "read" });
        foreach (var (key, job) in Jobs.Children)
        {
            var name = ((YamlScalarNode)key).Value;
            var permissions = Map(Child((YamlMappingNode)job, "permissions"));
            if (name == "publish")
                permissions.ShouldBe(new Dictionary<string, string> { ["contents"] = "read", ["actions"] = "read", ["pages"] = "write", ["id-token"] = "write" });
            else
                permissions.ShouldBeEmpty($"the {name} job keeps the workflow's read-only permissions");
        }
        Steps("publish").Select(s => Scalar(s, "uses")).ShouldContain(u => u != null && u.StartsWith("actions/upload-pages-artifact@", StringComparison.Ordinal));
        Steps("publish").Select(s => Scalar(s, "uses")).ShouldContain(u => u != null && u.StartsWith("actions/deploy-pages@", StringComparison.Ordinal));
        Scalar(Job("publish"), "if")!.ShouldContain("default_branch");
    }

    [Test]
    public void The_simulated_job_reports_each_test_and_keeps_the_reports()
    {
        Map(Child(Steps("simulated").Single(s => Scalar(s, "run") == ".ci/run"), "env")).ShouldContainKeyAndValue("SPECS_TEST_LOGGER", "GitHubActions");
        var upload = Steps("simulated").Single(s => Scalar(s, "uses")?.StartsWith("actions/upload-artifact@", StringComparison.Ordinal) == true);
        Scalar(upload, "if").ShouldBe("always()");
        Map(Child(upload, "with"))["path"].ShouldBe("reports/");
    }
}

using System.Security.Cryptography;
using System.Text.Json;
using ProviderSpecs.Providers.Credentials;

namespace ProviderSpecs.Cli.Tests;

/// <summary><c>scan-secrets</c>: canaries generated at run time (never committed), findings masked, exit codes 0 / 1 / 2.</summary>
public class ScanSecretsTests
{
    private static string Canary(string prefix) => prefix + "canary_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));

    private static string CleanFolder()
    {
        var dir = CliHarness.TempDirectory("scan");
        File.WriteAllText(Path.Combine(dir, "console.log"), "Passed!  - Failed: 0, Passed: 12\nkey gsk_…a1b2 (environment)\n");
        Directory.CreateDirectory(Path.Combine(dir, "reports", "benchmarks"));
        File.WriteAllText(Path.Combine(dir, "reports", "specs.ndjson"), "{\"testRunStarted\":{}}\n");
        File.WriteAllText(Path.Combine(dir, "reports", "benchmarks", "benchmark-results.json"), "{\"schemaVersion\":1,\"key\":\"gsk_sim_0001a1b2\"}\n");
        return dir;
    }

    [Test]
    public async Task A_clean_folder_exits_0_and_says_how_many_files_were_scanned()
    {
        var groq = Canary("gsk_");
        var dir = CleanFolder();

        var run = await CliHarness.RunAsync(["scan-secrets", dir, "--key-from-env", "GROQ_API_KEY"], new Dictionary<string, string> { ["GROQ_API_KEY"] = groq });

        run.ExitCode.ShouldBe(0, run.ToString());
        run.Output.ShouldContain("3 files scanned for 1 canary key (GROQ_API_KEY)");
        run.Output.ShouldContain("clean");
        run.Error.ShouldBeEmpty();
    }

    [Test]
    public async Task A_planted_canary_exits_1_with_one_masked_line_per_finding()
    {
        var groq = Canary("gsk_");
        var together = Canary("tgp_v1_");
        var dir = CleanFolder();
        File.WriteAllText(Path.Combine(dir, "reports", "specs.html"), $"<p>ok</p>\n<pre>Authorization: Bearer {groq}</pre>\n");
        File.WriteAllText(Path.Combine(dir, "console.log"), $"line one\nline two\nkey={together}\n");

        var run = await CliHarness.RunAsync(["scan-secrets", Path.Combine(dir, "console.log"), Path.Combine(dir, "reports"), "--key-from-env", "GROQ_API_KEY", "--key-from-env", "TOGETHER_API_KEY"],
            new Dictionary<string, string> { ["GROQ_API_KEY"] = groq, ["TOGETHER_API_KEY"] = together });

        run.ExitCode.ShouldBe(1, run.ToString());
        run.All.ShouldNotContain(groq);
        run.All.ShouldNotContain(together);
        var findings = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.Contains("a key this run used")).ToList();
        findings.Count.ShouldBe(2, run.ToString());
        findings.ShouldContain(l => l.Contains("specs.html:2:") && l.Contains(KeyMask.Mask(groq)));
        findings.ShouldContain(l => l.Contains("console.log:3:") && l.Contains(KeyMask.Mask(together)));
        run.Error.Trim().ShouldStartWith("error: 2 secrets found");
    }

    [Test]
    public async Task A_key_shaped_string_is_found_without_any_canary()
    {
        var dir = CleanFolder();
        var shaped = Canary("gsk_"); // unknown to the scan: only its shape gives it away
        File.WriteAllText(Path.Combine(dir, "fixture.json"), $"{{\"headers\":{{\"Authorization\":\"Bearer {shaped}\"}}}}");

        var run = await CliHarness.RunAsync(["scan-secrets", dir, "--json"]);

        run.ExitCode.ShouldBe(1, run.ToString());
        run.All.ShouldNotContain(shaped);
        using var json = JsonDocument.Parse(run.Output);
        json.RootElement.GetProperty("clean").GetBoolean().ShouldBeFalse();
        json.RootElement.GetProperty("filesScanned").GetInt32().ShouldBe(4);
        var finding = json.RootElement.GetProperty("findings").EnumerateArray().ShouldHaveSingleItem();
        finding.GetProperty("masked").GetString().ShouldBe(KeyMask.Mask(shaped));
        finding.GetProperty("why").GetString().ShouldBe("shaped like a provider key");
        finding.GetProperty("file").GetString()!.ShouldEndWith("fixture.json");
    }

    [Test]
    public async Task Build_output_folders_are_not_scanned_but_named_files_always_are()
    {
        var dir = CleanFolder();
        var shaped = Canary("gsk_");
        Directory.CreateDirectory(Path.Combine(dir, "obj"));
        File.WriteAllText(Path.Combine(dir, "obj", "cache.txt"), shaped);

        (await CliHarness.RunAsync(["scan-secrets", dir])).ExitCode.ShouldBe(0);
        (await CliHarness.RunAsync(["scan-secrets", Path.Combine(dir, "obj", "cache.txt")])).ExitCode.ShouldBe(1);
    }

    private static IEnumerable<TestCaseData> BadArgs()
    {
        yield return new TestCaseData(new[] { "scan-secrets" }, null, "PATHS").SetName("no paths");
        yield return new TestCaseData(new[] { "scan-secrets", "{dir}/no-such-file.log" }, null, "does not exist").SetName("missing path");
        yield return new TestCaseData(new[] { "scan-secrets", "{dir}", "--key-from-env", "GROQ_API_KEY" }, null, "GROQ_API_KEY: the variable is not set").SetName("unset variable");
        yield return new TestCaseData(new[] { "scan-secrets", "{dir}", "--key-from-env", "GROQ_API_KEY" }, "abc", "at least 8").SetName("too short a canary");
        yield return new TestCaseData(new[] { "scan-secrets", "{dir}", "--key-from-env" }, null, "").SetName("option without value");
        yield return new TestCaseData(new[] { "scan-secrets", "{dir}", "--frobnicate" }, null, "frobnicate").SetName("unknown option");
    }

    [TestCaseSource(nameof(BadArgs))]
    public async Task Bad_arguments_exit_2_with_one_line_and_scan_nothing(string[] args, string? groqValue, string expected)
    {
        var dir = CleanFolder();
        var run = await CliHarness.RunAsync(args.Select(a => a.Replace("{dir}", dir, StringComparison.Ordinal)).ToArray(),
            groqValue is null ? null : new Dictionary<string, string> { ["GROQ_API_KEY"] = groqValue });

        run.ExitCode.ShouldBe(2, run.ToString());
        var lines = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(1, run.ToString());
        lines[0].ShouldStartWith("error: ");
        lines[0].ShouldContain(expected, Case.Sensitive, run.ToString());
        run.Output.ShouldNotContain("files scanned");
    }
}

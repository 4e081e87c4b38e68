using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ProviderSpecs.Simulators;

namespace ProviderSpecs.Simulators.Tests;

public sealed partial class FixtureTests
{
    private static readonly string Fixtures = FixturesLocator.Find();

    /// <summary>Starts simulators on a copy of the fixtures with one file edited; returns the start-up failure and the edited file's path.</summary>
    private static async Task<(SimulatorFixtureException Error, string File)> StartWithEditedFixtureAsync(string relativePath, Func<string, string> edit, string? provider = null)
    {
        var broken = Directory.CreateTempSubdirectory("sim-fixtures-");
        try
        {
            CopyDirectory(Fixtures, broken.FullName);
            var file = Path.Combine(broken.FullName, relativePath);
            await File.WriteAllTextAsync(file, edit(await File.ReadAllTextAsync(file)));
            var error = await Should.ThrowAsync<SimulatorFixtureException>(() => SimulatedProviders.StartAsync(
                new SimulatorOptions { FixturesDirectory = broken.FullName, Providers = provider is null ? null : [provider] }));
            return (error, file);
        }
        finally
        {
            broken.Delete(recursive: true);
        }
    }

    private static Func<string, string> EditJson(Action<JsonNode> edit) => text =>
    {
        var json = JsonNode.Parse(text)!;
        edit(json);
        return json.ToJsonString();
    };

    [TestCase("groq", "simulators/groq-models.json")]
    [TestCase("together_ai", "simulators/together-models.json")]
    public void The_chat_models_that_think_are_the_ones_the_metadata_snapshot_marks_as_reasoning(string provider, string catalog)
    {
        // The snapshot is the provider layer's (fixtures/metadata); the simulators may not share its code, so it is read here.
        var snapshot = JsonNode.Parse(File.ReadAllText(Path.Combine(Fixtures, "metadata", "models-snapshot.json")))!["models"]!.AsArray()
            .Where(m => m!["provider"]!.GetValue<string>() == provider)
            .ToDictionary(m => m!["id"]!.GetValue<string>(), m => m!["capabilities"]?["reasoning"]?.GetValue<bool>() == true);
        var models = JsonNode.Parse(File.ReadAllText(Path.Combine(Fixtures, catalog)))!["models"]!.AsArray()
            .Where(m => m!["simulator"]!["chat"]!.GetValue<bool>() && snapshot.ContainsKey(m["id"]!.GetValue<string>()))
            .ToList();

        models.Count.ShouldBeGreaterThan(3);
        var disagree = models
            .Where(m => (m!["simulator"]!["reasoning"] is not null) != snapshot[m["id"]!.GetValue<string>()])
            .Select(m => $"{m!["id"]} (simulator thinks: {m["simulator"]!["reasoning"] is not null}, snapshot says reasoning: {snapshot[m["id"]!.GetValue<string>()]})")
            .ToList();
        disagree.ShouldBeEmpty();
    }

    [Test]
    public async Task A_reasoning_block_with_an_unknown_output_fails_start_up_saying_what_to_give()
    {
        var (error, _) = await StartWithEditedFixtureAsync("simulators/groq-models.json",
            EditJson(json => json["models"]![2]!["simulator"]!["reasoning"] = JsonNode.Parse("{\"output\": \"inline\", \"source\": \"x\"}")), provider: "groq");
        error.Message.ShouldContain("'simulator.reasoning' has 'output' 'inline'");
        error.Message.ShouldContain("\"field\"");
    }

    [Test]
    public async Task A_fixture_that_does_not_parse_fails_start_up_naming_its_path()
    {
        var (error, catalog) = await StartWithEditedFixtureAsync("simulators/groq-models.json", _ => "{ \"models\": [ ");
        error.Message.ShouldContain(catalog);
        error.FixturePath.ShouldBe(catalog);
    }

    [Test]
    public async Task A_latency_profile_with_an_unusable_distribution_fails_start_up_naming_model_and_field()
    {
        var (error, profile) = await StartWithEditedFixtureAsync("latency-profiles/together_ai.json",
            EditJson(json => json["models"]!["default"]!["decodeRate"] = new JsonObject { ["distribution"] = "lognormal", ["median"] = 50 }), ProviderIds.TogetherAi);
        error.Message.ShouldContain(profile);
        error.Message.ShouldContain("model 'default': decodeRate");
    }

    [Test]
    public void The_fault_catalog_documents_exactly_the_fault_kinds()
    {
        var documented = JsonNode.Parse(File.ReadAllText(Path.Combine(Fixtures, "faults", "catalog.json")))!["faults"]!.AsArray()
            .Select(f => f!["name"]!.GetValue<string>());
        documented.Order().ShouldBe(Enum.GetValues<FaultKind>().Select(FaultNames.NameOf).Order());
    }

    [TestCase("groq-models.json", new[] { "rpm", "rpd" })]
    [TestCase("together-models.json", new[] { "rps", "tps" })]
    public void Every_chat_model_has_a_free_plan_with_its_source(string file, string[] requiredWindows)
    {
        var models = JsonNode.Parse(File.ReadAllText(Path.Combine(Fixtures, "simulators", file)))!["models"]!.AsArray();
        var chat = models.Where(m => m!["simulator"]!["chat"]!.GetValue<bool>()).ToList();
        chat.Count.ShouldBeGreaterThanOrEqualTo(10);
        foreach (var model in chat)
        {
            var id = model!["id"]!.GetValue<string>();
            var plan = model["simulator"]!["freePlan"].ShouldNotBeNull($"{id} has no freePlan block");
            plan["source"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace(id);
            foreach (var window in requiredWindows) plan[window]!.GetValue<int>().ShouldBeGreaterThan(0, $"{id} {window}");
        }
    }

    [Test]
    public void The_free_plan_values_are_the_published_ones()
    {
        static JsonNode Plan(string file, string id) =>
            JsonNode.Parse(File.ReadAllText(Path.Combine(Fixtures, "simulators", file)))!["models"]!.AsArray().Single(m => m!["id"]!.GetValue<string>() == id)!["simulator"]!["freePlan"]!;
        static string Windows(JsonNode plan) => string.Join(" ", plan.AsObject().Where(p => p.Key != "source").Select(p => $"{p.Key}={p.Value}"));

        Windows(Plan("groq-models.json", "llama-3.1-8b-instant")).ShouldBe("rpm=30 rpd=14400 tpm=6000 tpd=500000");
        Windows(Plan("groq-models.json", "llama-3.3-70b-versatile")).ShouldBe("rpm=30 rpd=1000 tpm=12000 tpd=100000");
        Windows(Plan("groq-models.json", "qwen/qwen3-32b")).ShouldBe("rpm=60 rpd=1000 tpm=6000 tpd=500000");
        Windows(Plan("groq-models.json", "groq/compound")).ShouldBe("rpm=30 rpd=250 tpm=70000");
        Windows(Plan("groq-models.json", "whisper-large-v3")).ShouldBe("rpm=20 rpd=2000");
        Windows(Plan("together-models.json", "meta-llama/Llama-3.3-70B-Instruct-Turbo")).ShouldBe("rps=1 tps=3000");
        Plan("together-models.json", "openai/gpt-oss-20b")["source"]!.GetValue<string>().ShouldContain("dynamic");
    }

    [Test]
    public async Task A_free_plan_naming_a_window_of_the_other_provider_or_no_source_fails_start_up()
    {
        var (wrongWindow, _) = await StartWithEditedFixtureAsync("simulators/groq-models.json",
            EditJson(json => json["models"]![0]!["simulator"]!["freePlan"]!["rps"] = 3), ProviderIds.Groq);
        wrongWindow.Message.ShouldContain("model 'llama-3.1-8b-instant': 'simulator.freePlan.rps' is not a window of this provider (rpm, rpd, tpm, tpd)");

        var (noSource, _) = await StartWithEditedFixtureAsync("simulators/together-models.json",
            EditJson(json => json["models"]![0]!["simulator"]!["freePlan"]!.AsObject().Remove("source")), ProviderIds.TogetherAi);
        noSource.Message.ShouldContain("'simulator.freePlan' needs a 'source' naming where the limits were published");
    }

    [Test]
    public void The_embedded_fault_catalog_is_the_fixture_and_every_fault_has_a_one_line_summary()
    {
        var documented = JsonNode.Parse(File.ReadAllText(Path.Combine(Fixtures, "faults", "catalog.json")))!["faults"]!.AsArray();
        FaultCatalog.All.Select(f => f.Name).ShouldBe(documented.Select(f => f!["name"]!.GetValue<string>()));
        FaultCatalog.All.ShouldAllBe(f => f.Summary.Length > 10 && f.Summary.Length <= 100 && !f.Summary.Contains('\n'));
    }

    [Test]
    public void No_fixture_contains_anything_that_looks_like_a_real_api_key()
    {
        var files = Directory.EnumerateFiles(Fixtures, "*", SearchOption.AllDirectories).ToList();
        files.ShouldNotBeEmpty();
        var leaks = files
            .SelectMany(file => KeyLike().Matches(File.ReadAllText(file)).Select(m => $"{Path.GetRelativePath(Fixtures, file)}: {ApiKeyMask.Mask(m.Value)}"))
            .ToList();
        leaks.ShouldBeEmpty();
    }

    // The samples are built at run time: a key-shaped literal in a test name would itself leak into the TRX report
    // and trip the run's secret scan.
    [TestCase("gsk_", 32, TestName = "The key scanner catches a Groq-shaped key")]
    [TestCase("sk-", 32, TestName = "The key scanner catches an OpenAI-shaped key")]
    [TestCase("tgp_v1_", 32, TestName = "The key scanner catches a Together-shaped key")]
    [TestCase("Bearer ", 40, TestName = "The key scanner catches a bearer token")]
    [TestCase("", 64, TestName = "The key scanner catches a long hex key")]
    public void The_key_scanner_catches_key_shapes(string prefix, int bodyLength) =>
        KeyLike().IsMatch(prefix + KeyBody(bodyLength, hex: prefix is "" or "Bearer ")).ShouldBeTrue();

    private static string KeyBody(int length, bool hex) =>
        string.Concat(Enumerable.Range(0, length).Select(i => hex ? "0123456789abcdef"[(i * 7) % 16] : (char)('a' + (i * 5) % 26)));

    [TestCase("gsk_sim_default_key")]
    [TestCase("tg_sim_0001ab12")]
    [TestCase("f3fc692299671838c7c65fd8126bf84d81a2e817")] // a git commit id, as snapshots cite
    public void The_key_scanner_lets_simulator_test_keys_through(string sample) => KeyLike().IsMatch(sample).ShouldBeFalse();

    // Groq, OpenAI-style and Together keys, bearer tokens, and long hex strings (Together's legacy 64-hex keys).
    [GeneratedRegex(@"gsk_[A-Za-z0-9]{20,}|sk-[A-Za-z0-9_-]{20,}|tgp_v1_[A-Za-z0-9_-]{10,}|Bearer\s+[A-Za-z0-9._~+/-]{24,}|\b[0-9a-f]{48,}\b")]
    private static partial Regex KeyLike();

    private static void CopyDirectory(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}

public sealed class FormattingTests
{
    [TestCase(86.4, "1m26.4s")]
    [TestCase(0.185, "185ms")]
    [TestCase(11.75, "11.75s")]
    [TestCase(179.56, "2m59.56s")]
    [TestCase(0, "0s")]
    public void Reset_durations_are_printed_the_go_way(double seconds, string expected) =>
        GoDuration.Format(TimeSpan.FromSeconds(seconds)).ShouldBe(expected);

    [Test]
    public void Keys_are_masked_to_first_and_last_four()
    {
        ApiKeyMask.Mask("gsk_sim_test_a1b2").ShouldBe("gsk_…a1b2");
        ApiKeyMask.Mask("short").ShouldBe("*****");
        ApiKeyMask.MaskAuthorization("Bearer gsk_sim_test_a1b2").ShouldBe("Bearer gsk_…a1b2");
    }
}

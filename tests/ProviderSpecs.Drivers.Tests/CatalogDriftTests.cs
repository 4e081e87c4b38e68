using System.Text.Json;
using ProviderSpecs.Drivers.Catalog;
using ProviderSpecs.Drivers.Support;
using ProviderSpecs.Drivers.Targets;
using ProviderSpecs.Providers.Catalog;
using ProviderSpecs.Providers.Registry;

using static ProviderSpecs.Drivers.Tests.TestProviders;

namespace ProviderSpecs.Drivers.Tests;

/// <summary>
/// Catalog drift: the simulated target's catalogs compared with the bundled snapshot, and a model a scenario names
/// that the provider no longer lists reported as a finding, on the simulated and on a live-shaped target.
/// </summary>
[TestFixture]
public sealed class CatalogDriftTests
{
    private const string SnapshotDate = "2026-07-02";

    /// <summary>A snapshot model that <see cref="_retired"/>'s Groq no longer lists: to the suite, a model Groq retired.</summary>
    private const string Retired = "groq/compound-mini";

    private SpecTarget _simulated = null!;
    private SpecTarget _retired = null!;
    private DirectoryInfo _retiredFixtures = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _simulated = await SpecTarget.StartAsync(TargetKind.Simulated);
        // The simulators serve every snapshot model; a copy of the fixtures without one stands for a provider that retired it.
        _retiredFixtures = Directory.CreateTempSubdirectory("retired-fixtures-");
        CopyDirectory(Path.Combine(RepositoryRoot(), "fixtures"), _retiredFixtures.FullName);
        var groqCatalog = Path.Combine(_retiredFixtures.FullName, "simulators", "groq-models.json");
        var catalog = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(groqCatalog))!;
        var models = catalog["models"]!.AsArray();
        models.Remove(models.Single(m => m!["id"]!.GetValue<string>() == Retired));
        File.WriteAllText(groqCatalog, catalog.ToJsonString());
        _retired = await SpecTarget.StartAsync(TargetKind.Simulated, _retiredFixtures.FullName);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _simulated.DisposeAsync();
        await _retired.DisposeAsync();
        _retiredFixtures.Delete(recursive: true);
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Specs.sln"))) directory = directory.Parent;
        directory.ShouldNotBeNull("the repository root (Specs.sln) was not found above the test folder");
        return directory.FullName;
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var directory in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, directory)));
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
    }

    /// <summary>The ids a simulator serves, read from its fixture file — not through the simulator or the provider layer.</summary>
    private static HashSet<string> FixtureIds(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot(), "fixtures", "simulators", file)));
        return document.RootElement.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("id").GetString()!).ToHashSet(StringComparer.OrdinalIgnoreCase);
    }

    [Test]
    public void The_snapshot_says_when_it_was_taken() =>
        ModelSnapshot.Default.TakenOn.ShouldBe(new DateOnly(2026, 7, 2));

    [TestCase("groq", "groq-models.json")]
    [TestCase("together_ai", "together-models.json")]
    public async Task On_the_simulated_target_the_catalog_does_not_drift_from_the_snapshot(string providerId, string fixture)
    {
        var provider = ProviderRegistry.Default.Resolve(providerId);
        await using var endpoints = new ScenarioEndpoints(_simulated);
        var catalog = new CatalogDriver(endpoints, new ScenarioTranscript());
        await catalog.ReadAsync(provider, "simulated drift");
        catalog.ShouldComeFromTheProvider(provider);

        var drift = CatalogDrift.Compare(provider, catalog.Listing.Models.Select(m => m.Id), TargetKind.Simulated);
        drift.SnapshotDate.ShouldBe(SnapshotDate);
        drift.Target.ShouldBe("simulated");
        drift.ListedNotInSnapshot.ShouldBeEmpty("the simulator serves a model the snapshot does not know");
        drift.InSnapshotNotListed.ShouldBeEmpty("the simulator does not serve a model of the snapshot: its catalog fixture should follow the snapshot");
        FixtureIds(fixture).ShouldBe(ModelSnapshot.Default.ForProvider(providerId).Select(m => m.Id).ToHashSet(StringComparer.OrdinalIgnoreCase), ignoreOrder: true);
        CatalogDrift.Snapshot().Single(r => r.Provider == providerId).ListedNotInSnapshot.ShouldBeEmpty("reading the catalog recorded its drift for the report");
    }

    [Test]
    public void Every_model_the_scenarios_name_for_the_everyday_calls_is_served_and_in_the_snapshot()
    {
        foreach (var (provider, fixture) in new[] { (Groq, "groq-models.json"), (Together, "together-models.json") })
        {
            var model = ScenarioEndpoints.EverydayModel(provider);
            FixtureIds(fixture).ShouldContain(model);
            ModelSnapshot.Default.Find(provider.Id, model).ShouldNotBeNull($"{model} is not in the snapshot");
        }
    }

    [Test]
    public void A_model_of_the_snapshot_no_longer_listed_is_a_finding_with_the_snapshot_date() =>
        CatalogDrift.NotListedFinding(Together, "meta-llama/Llama-3.3-70B-Instruct-Turbo")
            .ShouldStartWith($"Together AI no longer lists meta-llama/Llama-3.3-70B-Instruct-Turbo; it was in the snapshot of {SnapshotDate}.");

    [Test]
    public void A_model_no_one_knows_is_a_finding_that_asks_to_check_the_id() =>
        CatalogDrift.NotListedFinding(Groq, "llama-9-imaginary")
            .ShouldBe($"Groq does not list llama-9-imaginary, and the snapshot of {SnapshotDate} does not know it either: check the model id in the scenario.");

    [Test]
    public async Task A_named_model_the_provider_does_not_list_fails_the_catalog_step_with_the_finding()
    {
        await using var endpoints = new ScenarioEndpoints(_retired);
        var catalog = new CatalogDriver(endpoints, new ScenarioTranscript());
        await catalog.ReadAsync(Groq, "retired model");

        Should.Throw<ShouldAssertException>(() => catalog.ModelShouldBe("groq/compound-mini", ModelKind.Chat, 131072))
            .Message.ShouldStartWith($"Groq no longer lists groq/compound-mini; it was in the snapshot of {SnapshotDate}.");
        Should.Throw<ShouldAssertException>(() => catalog.ShouldLeaveOut("groq/compound-mini"))
            .Message.ShouldContain("Leaving it out proves nothing");
        Should.Throw<ShouldAssertException>(() => catalog.ModelShouldBe("llama-3.1-8B-instant", ModelKind.Chat, 131072))
            .Message.ShouldContain("lists 'llama-3.1-8b-instant', not 'llama-3.1-8B-instant'");
        CatalogDrift.Snapshot().Single(r => r.Provider == "groq").NamedButNotListed.ShouldContain("groq/compound-mini");
    }

    [Test]
    public async Task A_completion_of_a_model_no_longer_listed_fails_with_the_finding_not_just_model_not_found()
    {
        await using var endpoints = new ScenarioEndpoints(_retired);
        var transcript = new ScenarioTranscript();
        var completion = new CompletionDriver(endpoints, transcript);
        await completion.RequestAsync(Groq, "groq/compound-mini", "retired model completion");

        transcript.RequireLastAttempt().ErrorKey.ShouldBe("model-not-found", "the provider refused the model");
        Should.Throw<ShouldAssertException>(completion.AnswerShouldHaveText)
            .Message.ShouldStartWith($"Groq no longer lists groq/compound-mini; it was in the snapshot of {SnapshotDate}.");
    }

    [Test]
    public async Task A_model_asked_for_to_see_it_refused_is_no_finding()
    {
        await using var endpoints = new ScenarioEndpoints(_simulated);
        var transcript = new ScenarioTranscript();
        var completion = new CompletionDriver(endpoints, transcript);
        await completion.RequestAsync(Groq, "llama-9-refused-on-purpose", "imaginary model");

        transcript.RequireLastAttempt().ShouldFailWith("model-not-found");
        CatalogDrift.Snapshot().Single(r => r.Provider == "groq").NamedButNotListed.ShouldNotContain("llama-9-refused-on-purpose");
    }

    [Test]
    public void The_drift_report_is_written_in_the_shape_the_living_doc_reads()
    {
        CatalogDrift.Observe(Groq, new CatalogListing
        {
            ProviderId = "groq",
            Models = [new ModelInfo { Id = "llama-3.1-8b-instant", ProviderId = "groq" }, new ModelInfo { Id = "groq/brand-new", ProviderId = "groq" }],
            Source = FieldSource.Live,
            RetrievedAt = DateTimeOffset.UtcNow,
        }, TargetKind.Live).ShouldNotBeNull();
        var folder = Directory.CreateTempSubdirectory("drift-report-");
        try
        {
            var path = CatalogDrift.WriteTo(folder.FullName).ShouldNotBeNull();
            Path.GetFileName(path).ShouldBe("catalog-drift.json");
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            var groq = document.RootElement.EnumerateArray().Single(e => e.GetProperty("provider").GetString() == "groq");
            groq.EnumerateObject().Select(p => p.Name).ShouldBe(
                ["provider", "providerName", "target", "snapshotDate", "snapshotSource", "listedNotInSnapshot", "inSnapshotNotListed", "namedButNotListed", "checkedAt"],
                ignoreOrder: true);
            groq.GetProperty("target").GetString().ShouldBe("live");
            groq.GetProperty("snapshotDate").GetString().ShouldBe(SnapshotDate);
            groq.GetProperty("listedNotInSnapshot").EnumerateArray().Select(e => e.GetString()).ShouldBe(["groq/brand-new"]);
            groq.GetProperty("inSnapshotNotListed").EnumerateArray().Select(e => e.GetString()).ShouldContain("llama-3.3-70b-versatile");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}

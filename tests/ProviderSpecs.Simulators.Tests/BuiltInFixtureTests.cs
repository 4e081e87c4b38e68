using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ProviderSpecs.Simulators;

namespace ProviderSpecs.Simulators.Tests;

/// <summary>
/// The packaged simulators carry their fixtures inside the assembly, so a consumer outside this repository starts them
/// with no fixtures folder; inside the repository fixtures/ is still read, and an explicit folder overrides both.
/// </summary>
public sealed partial class FixtureTests
{
    [Test]
    public async Task Inside_the_repository_the_simulators_read_its_fixtures_folder()
    {
        await using var simulators = await SimulatedProviders.StartAsync(new SimulatorOptions { Providers = [ProviderIds.Groq] });
        simulators.FixturesSource.ShouldBe(Path.GetFullPath(Fixtures));
    }

    [Test]
    public async Task The_built_in_fixtures_serve_the_same_catalogs_and_profiles_as_the_fixtures_folder()
    {
        await using var fromFolder = await SimulatedProviders.StartAsync(new SimulatorOptions { FixturesDirectory = Fixtures, TimeScale = 0 });
        await using var builtIn = await SimulatedProviders.StartAsync(new SimulatorOptions { UseEmbeddedFixtures = true, TimeScale = 0 });

        builtIn.FixturesSource.ShouldBe(SimulatedProviders.EmbeddedFixtures);
        foreach (var id in ProviderIds.All)
        {
            builtIn[id].ModelIds.ShouldBe(fromFolder[id].ModelIds, $"{id}: the built-in catalog differs from fixtures/ (rebuild the simulators?)");
            builtIn[id].LatencyProfiles.Models.Keys.Order().ShouldBe(fromFolder[id].LatencyProfiles.Models.Keys.Order());
        }
        using var http = new HttpClient();
        var reply = await ChatAsync(http, builtIn[ProviderIds.Groq], "llama-3.1-8b-instant");
        reply.ShouldContain("\"finish_reason\":\"stop\"");
    }

    [Test]
    public async Task An_explicit_fixtures_folder_overrides_the_built_in_fixtures()
    {
        var copy = Directory.CreateTempSubdirectory("sim-fixtures-");
        try
        {
            CopyDirectory(Fixtures, copy.FullName);
            var catalogPath = Path.Combine(copy.FullName, "simulators", "groq-models.json");
            var catalog = JsonNode.Parse(await File.ReadAllTextAsync(catalogPath))!;
            var models = catalog["models"]!.AsArray();
            var kept = models.Where(m => m!["id"]!.GetValue<string>() == "llama-3.1-8b-instant").Select(m => m!.DeepClone()).ToArray();
            catalog["models"] = new JsonArray(kept);
            await File.WriteAllTextAsync(catalogPath, catalog.ToJsonString());

            await using var simulators = await SimulatedProviders.StartAsync(new SimulatorOptions
            {
                FixturesDirectory = copy.FullName, UseEmbeddedFixtures = true, Providers = [ProviderIds.Groq],
            });

            simulators.FixturesSource.ShouldBe(copy.FullName);
            simulators[ProviderIds.Groq].ModelIds.ShouldBe(["llama-3.1-8b-instant"]);
        }
        finally
        {
            copy.Delete(recursive: true);
        }
    }

    [Test]
    public void Another_solutions_fixtures_folder_is_not_mistaken_for_the_simulators_fixtures()
    {
        var root = Directory.CreateTempSubdirectory("other-solution-");
        try
        {
            File.WriteAllText(Path.Combine(root.FullName, "Directory.Packages.props"), "<Project />");
            Directory.CreateDirectory(Path.Combine(root.FullName, "fixtures", "orders"));
            var bin = Directory.CreateDirectory(Path.Combine(root.FullName, "tests", "bin"));

            FixturesLocator.TryFind(bin.FullName).ShouldBeNull();

            Directory.CreateDirectory(Path.Combine(root.FullName, "fixtures", "simulators"));
            FixturesLocator.TryFind(bin.FullName).ShouldBe(Path.Combine(root.FullName, "fixtures"));
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [Test]
    public async Task Recording_on_the_built_in_fixtures_asks_for_a_recordings_folder()
    {
        var error = await Should.ThrowAsync<ArgumentException>(() => SimulatedProviders.StartAsync(new SimulatorOptions
        {
            UseEmbeddedFixtures = true,
            Providers = [ProviderIds.Groq],
            Record = new RecordOptions { UpstreamBaseUrls = { [ProviderIds.Groq] = new Uri("http://127.0.0.1:9/openai/v1") } },
        }));
        error.Message.ShouldContain("RecordOptions.Directory");
    }

    private static async Task<string> ChatAsync(HttpClient http, SimulatedProvider provider, string model)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, provider.BaseUrl + "/chat/completions")
        {
            Content = new StringContent($$"""{"model":"{{model}}","messages":[{"role":"user","content":"Hello"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", provider.DefaultApiKey);
        using var response = await http.SendAsync(request);
        response.IsSuccessStatusCode.ShouldBeTrue();
        return await response.Content.ReadAsStringAsync();
    }
}

using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using ProviderSpecs.Benchmarking.Results;
using ProviderSpecs.Simulators;
using YamlDotNet.RepresentationModel;

namespace ProviderSpecs.Cli.Tests;

/// <summary>
/// deploy/k8s/bench-job.yaml, the example Kubernetes Indexed Job (it cannot run here): the fields that matter, the image
/// the SDK's container publishing builds, keys from a Secret only, and its worker command run as written — each worker
/// against simulated "live" APIs on loopback — then merged as the README says.
/// </summary>
public sealed class BenchJobManifestTests
{
    private static readonly string Root = FindRoot();
    private static readonly string ManifestPath = Path.Combine(Root, "deploy", "k8s", "bench-job.yaml");
    private static readonly List<YamlMappingNode> Documents = Load(ManifestPath);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Specs.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("No Specs.sln above the test's folder: the manifest tests read the repository's files.");
    }

    private static List<YamlMappingNode> Load(string path)
    {
        var yaml = new YamlStream();
        using var reader = new StreamReader(path);
        yaml.Load(reader);
        return yaml.Documents.Select(d => (YamlMappingNode)d.RootNode).ToList();
    }

    private static YamlMappingNode Of(string kind) => Documents.Single(d => S(d, "kind") == kind);

    private static YamlNode? C(YamlNode? node, string key) =>
        node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static string? S(YamlNode? node, string key) => (C(node, key) as YamlScalarNode)?.Value;

    private static YamlNode? At(YamlNode? node, params string[] keys) => keys.Aggregate(node, C);

    private static IEnumerable<YamlNode> Seq(YamlNode? node) => (node as YamlSequenceNode)?.Children ?? [];

    private static YamlMappingNode Job => Of("Job");
    private static YamlNode PodSpec => At(Job, "spec", "template", "spec")!;
    private static YamlMappingNode Container => (YamlMappingNode)Seq(C(PodSpec, "containers")).Single();
    private static List<string> Args => Seq(C(Container, "args")).Select(a => ((YamlScalarNode)a).Value!).ToList();
    private static List<YamlMappingNode> Env => Seq(C(Container, "env")).Cast<YamlMappingNode>().ToList();

    private static string Option(string name)
    {
        var args = Args;
        var at = args.IndexOf(name);
        at.ShouldBeGreaterThanOrEqualTo(0, $"the worker's args have no {name}");
        return args[at + 1];
    }

    [Test]
    public void It_is_an_indexed_job_of_one_pod_per_worker_all_at_once_never_retried()
    {
        Job["apiVersion"].ToString().ShouldBe("batch/v1");
        var spec = C(Job, "spec");
        S(spec, "completionMode").ShouldBe("Indexed", "pod i gets JOB_COMPLETION_INDEX=i, bench's worker index");
        var workers = Option("--workers");
        S(spec, "completions").ShouldBe(workers, "one pod per worker");
        S(spec, "parallelism").ShouldBe(workers, "the plan's load is the workers' together: all at once");
        S(spec, "backoffLimit").ShouldBe("0", "a retried worker would spend its share of the live budget twice");
        S(PodSpec, "restartPolicy").ShouldBe("Never");
        Args.ShouldNotContain("--worker-index", "the index comes from JOB_COMPLETION_INDEX");
        Args[0].ShouldBe("bench");
        Args.ShouldContain("--live");
        Args.ShouldContain("--max-requests");
    }

    [Test]
    public void Keys_come_from_the_secret_only_and_no_key_is_in_the_file()
    {
        foreach (var name in new[] { "GROQ_API_KEY", "TOGETHER_API_KEY" })
        {
            var entry = Env.Single(e => S(e, "name") == name);
            C(entry, "value").ShouldBeNull($"{name} must not be written in the manifest");
            S(At(entry, "valueFrom", "secretKeyRef"), "name").ShouldBe("providerspecs-keys");
            S(At(entry, "valueFrom", "secretKeyRef"), "key").ShouldBe(name);
        }
        var text = File.ReadAllText(ManifestPath);
        text.ShouldContain("kubectl create secret generic providerspecs-keys", Case.Sensitive, "the header says how to create the Secret");
        Regex.IsMatch(text, @"\b(gsk_|tgp_)[A-Za-z0-9]{8,}|\b[0-9a-f]{64}\b").ShouldBeFalse("nothing shaped like a Groq or Together AI key");
    }

    [Test]
    public void The_image_is_the_one_the_SDKs_container_publishing_builds()
    {
        var project = XDocument.Load(Path.Combine(Root, "src", "Cli", "Cli.csproj"));
        string? Property(XDocument doc, string name) => doc.Descendants(name).Select(e => e.Value).FirstOrDefault();
        Property(project, "EnableSdkContainerSupport").ShouldBe("true");
        var repository = Property(project, "ContainerRepository");
        var version = Property(XDocument.Load(Path.Combine(Root, "Directory.Build.props")), "Version");
        Property(project, "ContainerImageTags").ShouldBe("$(Version);latest");

        S(Container, "image").ShouldBe($"registry.example.com/{repository}:{version}");
        File.ReadAllText(ManifestPath).ShouldContain("dotnet publish src/Cli -c Release -t:PublishContainer -p:ContainerRegistry=registry.example.com");
        Directory.EnumerateFiles(Root, "Dockerfile*", SearchOption.AllDirectories).Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .ShouldBeEmpty("the SDK builds the image: no hand-written Dockerfile");
        // The SDK infers the base image from this project's own framework references: the CLI runs on ASP.NET Core
        // (simulators, self-test targets), so it must declare it, or the image would be the runtime one and not start.
        using var runtime = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "providerspecs.runtimeconfig.json")));
        var frameworks = runtime.RootElement.GetProperty("runtimeOptions").GetProperty("frameworks").EnumerateArray().Select(f => f.GetProperty("name").GetString()).ToList();
        frameworks.ShouldContain("Microsoft.AspNetCore.App");
        project.Descendants("FrameworkReference").Select(e => e.Attribute("Include")?.Value).ShouldContain("Microsoft.AspNetCore.App");
        var user = S(At(PodSpec, "securityContext"), "fsGroup");
        user.ShouldBe("1654", "the chiseled image's non-root user (app) must be able to write the results volume");
    }

    [Test]
    public void Every_worker_writes_its_own_folder_on_the_shared_volume_the_collector_pod_reads()
    {
        Option("--out").ShouldBe("/results/worker-$(JOB_COMPLETION_INDEX)");
        var mount = Seq(C(Container, "volumeMounts")).Cast<YamlMappingNode>().Single();
        S(mount, "mountPath").ShouldBe("/results");
        var volume = Seq(C(PodSpec, "volumes")).Cast<YamlMappingNode>().Single(v => S(v, "name") == S(mount, "name"));
        var claim = S(C(volume, "persistentVolumeClaim"), "claimName");
        S(C(Of("PersistentVolumeClaim"), "metadata"), "name").ShouldBe(claim);

        var collector = Of("Pod");
        var collectorSpec = C(collector, "spec");
        S(C(Seq(C(collectorSpec, "volumes")).Single(), "persistentVolumeClaim"), "claimName").ShouldBe(claim);
        S(Seq(C((YamlMappingNode)Seq(C(collectorSpec, "containers")).Single(), "volumeMounts")).Cast<YamlMappingNode>().Single(), "mountPath").ShouldBe("/results");
        File.ReadAllText(ManifestPath).ShouldContain($"kubectl cp {S(C(collector, "metadata"), "name")}:/results ./bench-results");
        // $(JOB_COMPLETION_INDEX) in args expands only from a variable the container declares.
        Env.Select(e => S(e, "name")).ShouldContain("JOB_COMPLETION_INDEX");
        S(At(Env.Single(e => S(e, "name") == "JOB_COMPLETION_INDEX"), "valueFrom", "fieldRef"), "fieldPath")
            .ShouldBe("metadata.annotations['batch.kubernetes.io/job-completion-index']");
    }

    [Test]
    public void The_README_describes_this_manifest()
    {
        var readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        var section = readme[readme.IndexOf("## Beyond one machine", StringComparison.Ordinal)..];
        section = section[..(section.IndexOf("\n## ", 3, StringComparison.Ordinal) is var end and > 0 ? end : section.Length)];
        foreach (var text in new[] { "deploy/k8s/bench-job.yaml", "-t:PublishContainer", "kubectl create secret generic providerspecs-keys", "kubectl apply -f deploy/k8s/bench-job.yaml",
                     "kubectl cp providerspecs-bench-results:/results ./bench-results", "bench merge bench-results", "JOB_COMPLETION_INDEX" })
            section.ShouldContain(text, Case.Sensitive);
        section.ShouldContain($"--workers {Option("--workers")}");
    }

    [Test]
    public async Task Its_workers_run_as_written_within_their_budget_shares_and_merge()
    {
        // Simulated "live" APIs on loopback stand in for the real ones; the keys are the simulators' test keys.
        await using var simulators = await SimulatedProviders.StartAsync(new SimulatorOptions { TimeScale = 0.02 });
        var groq = simulators[ProviderIds.Groq].OpenScope("manifest workers");
        var together = simulators[ProviderIds.TogetherAi].OpenScope("manifest workers");
        var results = CliHarness.TempDirectory("job-results");
        var workers = int.Parse(Option("--workers"), CultureInfo.InvariantCulture);
        var plain = Env.Where(e => C(e, "value") is not null).ToDictionary(e => S(e, "name")!, e => S(e, "value")!);
        long spent = 0;

        for (var index = 0; index < workers; index++)
        {
            var variables = new Dictionary<string, string>(plain)
            {
                ["JOB_COMPLETION_INDEX"] = index.ToString(CultureInfo.InvariantCulture),
                ["GROQ_API_KEY"] = groq.ApiKey, ["GROQ_BASE_URL"] = simulators[ProviderIds.Groq].BaseUrl.ToString(),
                ["TOGETHER_API_KEY"] = together.ApiKey, ["TOGETHER_BASE_URL"] = simulators[ProviderIds.TogetherAi].BaseUrl.ToString(),
            };
            // As the kubelet expands $(VAR) from the container's variables; /results is the mounted volume.
            var args = Args.Select(a => Regex.Replace(a, @"\$\((\w+)\)", m => variables[m.Groups[1].Value]).Replace("/results", results)).ToArray();

            var run = await CliHarness.RunAsync(args, variables);

            run.ExitCode.ShouldBe(0, run.ToString());
            using var json = JsonDocument.Parse(run.Output);
            json.RootElement.GetProperty("worker").GetProperty("index").GetInt32().ShouldBe(index);
            json.RootElement.GetProperty("worker").GetProperty("label").GetString().ShouldBe(plain["REGION"]);
            var budget = json.RootElement.GetProperty("budget");
            budget.GetProperty("spent").GetInt64().ShouldBeLessThanOrEqualTo(budget.GetProperty("maxRequests").GetInt64());
            spent += budget.GetProperty("spent").GetInt64();
        }

        spent.ShouldBeLessThanOrEqualTo(long.Parse(Option("--max-requests"), CultureInfo.InvariantCulture), "the workers together never spend more than the whole budget");
        (groq.Requests.Count + together.Requests.Count).ShouldBe((int)spent);
        var merged = Path.Combine(CliHarness.TempDirectory("job-merged"), "benchmarks");
        var merge = await CliHarness.RunAsync(["bench", "merge", results, "--out", merged, "--json"]);
        merge.ExitCode.ShouldBe(0, merge.ToString());
        var document = BenchmarkDocument.Load(Path.Combine(merged, BenchmarkDocument.FileName));
        document.MergedFrom!.Count.ShouldBe(workers);
        document.Scenarios.ShouldAllBe(s => s.Started == int.Parse(Option("--requests"), CultureInfo.InvariantCulture), "each scenario holds every worker's share of --requests");
        merge.All.ShouldNotContain(groq.ApiKey);
    }
}

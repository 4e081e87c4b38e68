namespace ProviderSpecs.Cli.Tests;

/// <summary>Every bad input: a non-zero exit, one line on stderr saying what to give, nothing on stdout and no files.</summary>
public class BadInputTests
{
    private static readonly Dictionary<string, string> GroqKey = new() { ["GROQ_API_KEY"] = CliHarness.FakeGroqKey };

    // livingdoc is the exception by design: the generator still writes a document that lists what it could not include.
    private static IEnumerable<TestCaseData> Cases()
    {
        TestCaseData Case(string expected, params string[] args) => new TestCaseData(args, expected, false).SetName($"{{m}}({string.Join(' ', args)})");
        TestCaseData WithKey(string expected, params string[] args) => new TestCaseData(args, expected, true).SetName($"{{m}}(key; {string.Join(' ', args)})");
        yield return Case("Did you mean: groq", "models", "groqq");
        yield return Case("Did you mean: groq", "bench", "--provider", "grok");
        yield return Case("GROQ_API_KEY", "chat", "groq", "llama-3.1-8b-instant", "hi");
        yield return Case("--min-context expects a whole number", "models", "groq", "--min-context", "abc");
        yield return Case("--min-context must be", "models", "groq", "--min-context", "0");
        yield return Case("--kind 'robot' is not a model kind", "models", "groq", "--kind", "robot");
        yield return Case("--capability 'flying'", "models", "groq", "--capability", "flying");
        yield return Case("--temperature must be between 0 and 2", "chat", "groq", "m", "hi", "--temperature", "3");
        yield return Case("--max-tokens must be", "chat", "groq", "m", "hi", "--max-tokens", "0");
        yield return Case("--max-tokens expects", "chat", "groq", "m", "hi", "--max-tokens", "many");
        yield return Case("--concurrency must be whole numbers", "bench", "--concurrency", "0");
        yield return Case("--concurrency must be whole numbers", "bench", "--concurrency", "1,x,8");
        yield return Case("--concurrency must be whole numbers of at least 1", "bench", "--concurrency", "-5");
        yield return Case("--concurrency must be whole numbers of at least 1", "bench", "--concurrency", "1,-2");
        yield return Case("--max-requests must be a whole number of at least 1", "bench", "--max-requests", "0");
        yield return Case("--max-requests must be a whole number of at least 1", "bench", "--max-requests", "-5");
        yield return WithKey("--max-requests must be a whole number of at least 1", "bench", "--live", "--provider", "groq", "--requests", "1", "--max-requests", "0");
        yield return Case("--requests must be", "bench", "--requests", "-1");
        yield return Case("--rate must be positive", "bench", "--rate", "0");
        yield return Case("--duration must be a positive", "bench", "--duration", "0");
        yield return Case("--requests must be", "bench", "--requests", "0");
        yield return Case("--warmup must be", "bench", "--warmup", "0");
        yield return Case("--arrival applies", "bench", "--arrival", "poisson");
        yield return Case("--request-log applies to benchmark runs: drop it with --self-test", "bench", "--self-test", "--request-log");
        yield return Case("--arrival must be constant or poisson", "bench", "--rate", "5", "--arrival", "bursty");
        yield return Case("has no model 'llama-3.1-8b'. Did you mean: llama-3.1-8b-instant", "bench", "--provider", "groq", "--model", "llama-3.1-8b");
        yield return Case("has no simulator", "bench", "--provider", "openai", "--model", "gpt-4o-mini");
        yield return Case("needs an explicit budget", "bench", "--live", "--provider", "groq");
        yield return Case("GROQ_API_KEY", "bench", "--live", "--provider", "groq", "--requests", "5", "--max-requests", "100");
        yield return WithKey("the plan needs", "bench", "--live", "--provider", "groq", "--requests", "50", "--max-requests", "10");
        yield return WithKey("has no model 'lama-3.1-8b-instant' in the bundled catalog. Did you mean: llama-3.1-8b-instant", "bench", "--live", "--provider", "groq", "--model", "lama-3.1-8b-instant", "--requests", "1", "--warmup", "1", "--max-requests", "10");
        yield return Case("--workers 4 needs this worker's index: give --worker-index I (0 to 3), or run it as a Kubernetes Indexed Job, which sets JOB_COMPLETION_INDEX", "bench", "--workers", "4");
        yield return Case("--worker-index must be from 0 to 3 with --workers 4 (got 4)", "bench", "--workers", "4", "--worker-index", "4");
        yield return Case("--worker-index needs --workers N", "bench", "--worker-index", "1");
        yield return Case("--requests 3 cannot be shared by 4 workers", "bench", "--workers", "4", "--worker-index", "0", "--requests", "3");
        yield return Case("--rate 1.0005 cannot be shared exactly by 2 workers", "bench", "--workers", "2", "--worker-index", "0", "--rate", "1.0005");
        yield return WithKey("worker 3 of 4 needs 3 requests", "bench", "--live", "--provider", "groq", "--requests", "8", "--warmup", "1", "--max-requests", "10", "--workers", "4", "--worker-index", "3");
        yield return Case("bench merge takes the workers' folders, --out and --json only; drop --requests, --seed", "bench", "merge", ".", "--requests", "5", "--seed", "1");
        yield return Case("no-such-folder is not a folder", "bench", "merge", "no-such-folder");
        yield return Case("refusing to listen on 0.0.0.0", "simulate", "--bind", "0.0.0.0");
        yield return Case("refusing to listen on 192.168.1.10", "simulate", "--bind", "192.168.1.10");
        yield return Case("--groq-port must be a port number", "simulate", "--groq-port", "70000");
        yield return Case("--fault 'groq:overloadd': 'overloadd' is not a fault. Did you mean: overloaded? Faults: rate-limit-sequence, overloaded", "simulate", "--fault", "groq:overloadd");
        yield return Case("--fault 'grok:overloaded': 'grok' is not a simulated provider (groq, together_ai or together). Did you mean: groq", "simulate", "--fault", "grok:overloaded");
        yield return Case("--fault 'groq': expected PROVIDER[/MODEL]:FAULT[,count=N][,retry-after=SECONDS][,delay=SECONDS][,after-chunks=N]. Example: --fault groq:rate-limit-sequence,count=2,retry-after=1.5", "simulate", "--fault", "groq");
        yield return Case("--fault 'groq:overloaded,count=0': count must be a whole number of at least 1 (got '0'). Example:", "simulate", "--fault", "groq:overloaded,count=0");
        yield return Case("--fault 'groq:overloaded,times=2': 'times=2' is not an option; options are count=…, retry-after=…, delay=…, after-chunks=…", "simulate", "--fault", "groq:overloaded,times=2");
        yield return Case("--fault 'groq:rate-limit-sequence,retry-after=soon': retry-after is in seconds", "simulate", "--fault", "groq:rate-limit-sequence,retry-after=soon");
        yield return Case("--fault 'groq/llama-3.1-8b:overloaded': groq serves no model 'llama-3.1-8b', so the fault would never apply. Models: llama-3.1-8b-instant", "simulate", "--fault", "groq/llama-3.1-8b:overloaded");
        yield return Case("--fault 'together:capacity-exceeded': 'capacity-exceeded' (HTTP 498) exists only at Groq; use 'overloaded' (503) for together_ai. Example:", "simulate", "--fault", "together:capacity-exceeded");
        yield return Case("--limits must be none or free-plan (got 'pro')", "simulate", "--limits", "pro");
        yield return Case("--groq-rpm must be a whole number of at least 1, e.g. 5 (got 0)", "simulate", "--groq-rpm", "0");
        yield return Case("--together-rps expects a whole number of requests per second, e.g. 1 (got 'fast')", "simulate", "--together-rps", "fast");
        yield return Case("nothing usable to document", "livingdoc", "--features", "no-such-folder", "--no-runs");
        yield return Case("Unknown", "frobnicate");
    }

    [TestCaseSource(nameof(Cases))]
    public async Task Bad_input_exits_non_zero_with_one_line_and_writes_nothing(string[] args, string expected, bool withKey)
    {
        var outDir = Path.Combine(CliHarness.TempDirectory("bad"), "out");
        string[] full = args[0] == "bench" ? [.. args, "--out", outDir] : args[0] == "livingdoc" ? [.. args, "--out", Path.Combine(outDir, "doc.html")] : args;

        var run = await CliHarness.RunAsync(full, withKey ? GroqKey : null);

        run.ExitCode.ShouldNotBe(0, run.ToString());
        var lines = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(1, run.ToString());
        lines[0].ShouldStartWith("error: ");
        lines[0].ShouldContain(expected, Case.Sensitive, run.ToString());
        if (args[0] != "livingdoc")
        {
            run.Output.Trim().ShouldBeEmpty(run.ToString());
            Directory.Exists(outDir).ShouldBeFalse("nothing may be written for bad input");
        }
        run.All.ShouldNotContain(CliHarness.FakeGroqKey);
    }
}

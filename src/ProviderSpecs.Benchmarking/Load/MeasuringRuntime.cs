namespace ProviderSpecs.Benchmarking.Load;

/// <summary>
/// The runtime settings a measuring client (<c>bench</c>) runs with. The runtime reads them once, at start or at the first
/// socket operation, and only from the environment (a <c>runtimeconfig.json</c> key for the gen-0 budget is ignored, as
/// measured), so the CLI starts a measuring command again in a child process that has them, as BenchmarkDotNet runs
/// benchmarks in a process of their own. A value the user set is kept, whatever it is.
/// </summary>
public static class MeasuringRuntime
{
    /// <summary>The runtime's minimum gen-0 budget; 0 means its default (here about one collection a second under load).</summary>
    public const string Gen0BudgetVariable = "DOTNET_GCgen0size";

    /// <summary>
    /// 256 MB: a measuring client collects gen 0 every several seconds instead of about once a second. Every collection
    /// stops all open streams at once for 5–17 ms on 2 busy cores, and the stream state it copies (1–3 MB at c=64) is the
    /// same however rarely it runs (figures in the Benchmarking README).
    /// </summary>
    public const string Gen0Budget = "0x10000000";

    public static IReadOnlyList<KeyValuePair<string, string>> Settings { get; } =
    [
        new(InlineSocketCompletions.Variable, "1"),
        new(Gen0BudgetVariable, Gen0Budget),
    ];

    /// <summary>The settings this environment does not have yet; empty when a process started with it measures as it is.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Missing(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return Settings.Where(setting => environment(setting.Key) is null).ToList();
    }

    /// <summary>One phrase for reports: the gen-0 budget this environment gives a process.</summary>
    public static string DescribeGen0Budget(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return environment(Gen0BudgetVariable) is { Length: > 0 } budget && budget.Trim() is not ("0" or "0x0")
            ? $"gen-0 budget {budget} ({Gen0BudgetVariable})"
            : "the runtime's default gen-0 budget";
    }
}

using NUnit.Framework;
using System.Reflection;
using System.Text.Json;
using ProviderSpecs.Drivers.Targets;
using ProviderSpecs.LivingDoc;
using ProviderSpecs.Runner;
using Reqnroll;
using Reqnroll.BoDi;

namespace ProviderSpecs.Steps.Hooks;

/// <summary>
/// Starts the target once per run (simulated providers, or the live APIs with SPECS_TARGET=live) and hands it to
/// each scenario. A scenario the target cannot run is skipped with the reason, never failed or passed.
/// </summary>
[Binding]
public sealed class TargetHooks
{
    private static SpecTarget? _target;

    /// <summary>The run's target, for feature- and run-level hooks (scenarios get it injected).</summary>
    public static SpecTarget Current => _target ?? throw new InvalidOperationException("The target did not start; see the [BeforeTestRun] error above.");

    [BeforeTestRun]
    public static async Task StartTargetAsync() => _target = await SpecTarget.StartAsync(TargetKinds.FromEnvironment());

    [AfterTestRun]
    public static async Task StopTargetAsync()
    {
        if (_target is null) return;
        WriteRunMetadata(_target);
        await _target.DisposeAsync();
    }

    // The informational version is the package's (3.3.4); the assembly version is only its major line (3.0.0.0).
    private static string PackageVersion(Type type) =>
        type.Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? type.Assembly.GetName().Version?.ToString() ?? "?";

    /// <summary>The side-car the living doc reads next to specs.ndjson: which target, when, with which versions, what it spent.</summary>
    private static void WriteRunMetadata(SpecTarget target)
    {
        var reports = SuiteLocation.For(typeof(TargetHooks).Assembly).ReportsDirectory;
        Directory.CreateDirectory(reports);
        var metadata = new RunMetadata(
            Label: target.Kind == TargetKind.Live ? "live run" : "simulated run",
            Target: target.Kind.ToString().ToLowerInvariant(),
            Date: DateTimeOffset.UtcNow,
            Versions: new Dictionary<string, string>
            {
                [".NET"] = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
                ["Reqnroll"] = PackageVersion(typeof(BindingAttribute)),
                ["ProviderSpecs"] = PackageVersion(typeof(SpecTarget)),
            },
            LiveBudgetSpent: target.Kind == TargetKind.Live
                ? new ProviderSpecs.LivingDoc.LiveBudget((int)target.Budget.RequestsSpent, target.Budget.TokensSpent)
                : null);
        File.WriteAllText(Path.Combine(reports, "specs.run.json"), JsonSerializer.Serialize(metadata, LivingDocJson.Options));
    }

    [BeforeScenario(Order = 0)]
    public static void ProvideTarget(IObjectContainer scenarioContainer, ScenarioContext scenario)
    {
        var target = _target ?? throw new InvalidOperationException("The target did not start; see the [BeforeTestRun] error above.");
        scenarioContainer.RegisterInstanceAs(target);
        if (target.SkipReason(scenario.ScenarioInfo.CombinedTags) is { } reason)
            Assert.Ignore(reason);
    }
}

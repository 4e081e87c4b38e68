using NUnit.Framework;
using ProviderSpecs.Drivers.Targets;
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

    [BeforeTestRun]
    public static async Task StartTargetAsync() => _target = await SpecTarget.StartAsync(TargetKinds.FromEnvironment());

    [AfterTestRun]
    public static async Task StopTargetAsync()
    {
        if (_target is not null) await _target.DisposeAsync();
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

using ProviderSpecs.Drivers.Targets;
using ProviderSpecs.Providers.Registry;

namespace ProviderSpecs.Drivers.Tests;

/// <summary>The two providers as the bundled registry defines them, for the drivers' tests.</summary>
internal static class TestProviders
{
    public static ProviderDefinition Groq => ProviderRegistry.Default.Resolve("groq");
    public static ProviderDefinition Together => ProviderRegistry.Default.Resolve("together_ai");
}

/// <summary>A fixture whose tests drive the drivers against one simulated target, started once for the fixture.</summary>
public abstract class SimulatedTargetTests
{
    protected SpecTarget Target { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartTargetAsync() => Target = await SpecTarget.StartAsync(TargetKind.Simulated);

    [OneTimeTearDown]
    public async Task StopTargetAsync() => await Target.DisposeAsync();
}

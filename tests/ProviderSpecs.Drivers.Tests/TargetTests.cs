using ProviderSpecs.Drivers.Targets;

namespace ProviderSpecs.Drivers.Tests;

[TestFixture]
public sealed class TargetTests
{
    [TestCase(null, TargetKind.Simulated)]
    [TestCase("", TargetKind.Simulated)]
    [TestCase("simulated", TargetKind.Simulated)]
    [TestCase("LIVE", TargetKind.Live)]
    public void The_target_comes_from_SPECS_TARGET(string? value, TargetKind expected) =>
        TargetKinds.FromEnvironment(_ => value).ShouldBe(expected);

    [Test]
    public void An_unknown_target_says_what_to_set() =>
        Should.Throw<ArgumentException>(() => TargetKinds.FromEnvironment(_ => "staging"))
            .Message.ShouldContain("SPECS_TARGET=live");

    [Test]
    public async Task The_simulated_target_runs_every_scenario_and_gives_each_its_own_scope()
    {
        await using var target = await SpecTarget.StartAsync(TargetKind.Simulated);
        target.SkipReason(["groq", SpecTarget.SimulatorOnlyTag]).ShouldBeNull();

        var first = target.Endpoint("Groq", "scenario one");
        var second = target.Endpoint("groq", "scenario two");
        first.BaseUrl!.Host.ShouldBe("127.0.0.1");
        first.BaseUrl.AbsolutePath.ShouldStartWith("/openai/v1");
        first.ApiKey.ShouldNotBe(second.ApiKey);
        target.Endpoint("Together AI", "scenario one").BaseUrl!.AbsolutePath.ShouldStartWith("/v1");
    }

    [Test]
    public async Task The_live_target_skips_fault_injection_with_a_reason()
    {
        await using var target = await SpecTarget.StartAsync(TargetKind.Live);
        target.SkipReason([SpecTarget.SimulatorOnlyTag]).ShouldNotBeNull().ShouldContain("simulated target");
        target.Endpoint("groq", "x").BaseUrl.ShouldBeNull("the live target lets the registry or GROQ_BASE_URL decide");
    }
}

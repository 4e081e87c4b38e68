using Microsoft.Extensions.Time.Testing;
using ProviderSpecs.Drivers.Support;
using ProviderSpecs.Providers.Registry;
using ProviderSpecs.Providers.Resilience;

namespace ProviderSpecs.Drivers.Tests;

/// <summary>Before a burst on the live target: skip at once what the account cannot take, wait briefly for room, never send into a shaped window.</summary>
public sealed class AccountLimitsTests
{
    private const string Model = "llama-3.1-8b-instant";
    private static readonly ProviderDefinition Groq = ProviderRegistry.Default.Resolve("groq");

    private const string RpmMessage =
        "Rate limit reached for model `llama-3.1-8b-instant` in organization `org_01x` service tier `on_demand` on requests per minute (RPM): "
        + "Limit 30, Used 30, Requested 1. Please try again in 2s.";

    /// <summary>A pacer that knows 30 requests a minute and has seen <paramref name="sent"/> sends, one a second, the last one second ago.</summary>
    private static (RateLimitPacer, FakeTimeProvider) PacerAfter(int sent)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-29T07:00:00Z"));
        var pacer = new RateLimitPacer(clock);
        for (var i = 0; i < sent; i++)
        {
            using var lease = pacer.For(Groq, Model).AttemptAcquire(10);
            lease.IsAcquired.ShouldBeTrue();
            clock.Advance(TimeSpan.FromSeconds(1));
        }
        pacer.Observe(Groq, Model, 429, name => name == "retry-after" ? "0" : null, RpmMessage);
        return (pacer, clock);
    }

    [Test]
    public async Task A_burst_the_windows_have_no_room_for_soon_is_skipped_before_anything_is_sent()
    {
        var (pacer, _) = PacerAfter(sent: 20); // sent at 0…19 s, now 20 s: 25 more fit when 15 have left, at 14 + 61.2 s
        var error = await Should.ThrowAsync<ScenarioCannotRunException>(() => AccountLimits.RequireAsync(pacer, Groq, Model, 25, 5, "this measurement"));
        error.Message.ShouldStartWith("not measured: this measurement needs 25 requests to llama-3.1-8b-instant within a minute");
        error.Message.ShouldContain("have room for them only in 55 s");
        error.Message.ShouldContain("30 requests per minute");
        pacer.RecordOf("groq", Model).Sent.ShouldBe(20, "nothing was sent for the skipped burst");
    }

    [Test]
    public async Task A_burst_that_fits_soon_waits_for_the_room_and_goes()
    {
        var (pacer, clock) = PacerAfter(sent: 30); // sent at 0…29 s: one more fits when the first has left, at 61.2 s
        clock.Advance(TimeSpan.FromSeconds(20)); // now 50 s: 11.2 s to wait
        var waiting = AccountLimits.RequireAsync(pacer, Groq, Model, 1, 1, "one answer");
        waiting.IsCompleted.ShouldBeFalse("the window has no room yet");
        clock.Advance(AccountLimits.MaxWaitForRoom);
        (await waiting).ShouldNotBeNull();
    }

    [Test]
    public async Task Without_a_pacer_the_simulated_target_is_never_held() =>
        (await AccountLimits.RequireAsync(null, Groq, Model, 1000, 100, "anything")).ShouldNotBeNull();
}

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
    public async Task A_burst_the_limits_held_back_is_skipped_quoting_its_own_holds_not_an_earlier_scenarios()
    {
        var (pacer, clock) = PacerAfter(sent: 30); // sent at 0…29 s, now 30 s: the window is full
        var limiter = pacer.For(Groq, Model);

        // An earlier scenario's request, held for about half a minute.
        var earlier = limiter.AcquireAsync(10);
        while (!earlier.IsCompleted) clock.Advance(TimeSpan.FromMilliseconds(100));
        (await earlier).IsAcquired.ShouldBeTrue();
        pacer.RecordOf("groq", Model).LongestHold.ShouldBeGreaterThan(TimeSpan.FromSeconds(25));

        // The window makes room for one more request within a second; the burst then sends two.
        var waiting = AccountLimits.RequireAsync(pacer, Groq, Model, 1, 1, "this burst");
        clock.Advance(TimeSpan.FromSeconds(1));
        var guard = await waiting;
        using (var first = await limiter.AcquireAsync(10)) first.IsAcquired.ShouldBeTrue();
        var second = limiter.AcquireAsync(10);
        second.IsCompleted.ShouldBeFalse("the window had room for one request of the burst, not two");
        var before = pacer.RecordOf("groq", Model).TotalHeld;
        clock.Advance(TimeSpan.FromSeconds(2));
        (await second).IsAcquired.ShouldBeTrue();
        var heldNow = pacer.RecordOf("groq", Model).TotalHeld - before;

        var error = Should.Throw<ScenarioCannotRunException>(() => guard.RequireUnshaped(2, 2));
        error.Message.ShouldContain($"this burst — 1 requests were held back ({heldNow.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)} s in all)");
        heldNow.ShouldBeLessThan(TimeSpan.FromSeconds(3), "the burst's own hold, not the earlier half minute");
    }

    [Test]
    public async Task A_declared_limit_skips_a_burst_the_account_cannot_take_before_anything_is_sent()
    {
        // A free Groq key: its headers give requests per day only, so without the declaration the 30 a minute is learned from a 429.
        var pacer = Targets.SpecTarget.LivePacer(name => name == RateLimitPacer.DeclaredLimitsVariable ? "groq:30/minute" : null);
        var error = await Should.ThrowAsync<ScenarioCannotRunException>(() => AccountLimits.RequireAsync(pacer, Groq, Model, 64, 16, "a measurement at 16 streams"));
        error.Message.ShouldContain("needs 64 requests to llama-3.1-8b-instant within a minute, 16 of them at once");
        error.Message.ShouldContain("30 requests per minute (declared in SPECS_LIVE_ACCOUNT_LIMITS)");
        pacer.RecordOf("groq", Model).Sent.ShouldBe(0);

        (await AccountLimits.RequireAsync(Targets.SpecTarget.LivePacer(_ => null), Groq, Model, 64, 16, "the same, undeclared")).ShouldNotBeNull(
            "with nothing declared or learned yet, the burst goes and its 429s teach the limit");
    }

    [Test]
    public async Task Without_a_pacer_the_simulated_target_is_never_held() =>
        (await AccountLimits.RequireAsync(null, Groq, Model, 1000, 100, "anything")).ShouldNotBeNull();
}

using Microsoft.Extensions.Time.Testing;

namespace ProviderSpecs.Simulators.Tests;

/// <summary>The exact sliding window, on a fake clock: never more than the limit in any rolling period, never a refusal with room left, exact waits.</summary>
public sealed class RateLimitWindowTests
{
    private static readonly (RateLimitWindow, int)[] FivePerMinute = [(RateLimitWindow.RequestsPerMinute, 5)];

    private static (FakeTimeProvider Clock, ModelRateLimiter Limiter) NewLimiter()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));
        return (clock, new ModelRateLimiter(new SimulatorClock(clock)));
    }

    [Test]
    public void The_limit_is_admitted_then_the_next_request_waits_exactly_until_the_oldest_leaves_the_window()
    {
        var (clock, limiter) = NewLimiter();
        for (var i = 0; i < 5; i++)
        {
            limiter.Admit(FivePerMinute, 10).Refusal.ShouldBeNull($"request {i + 1} of 5");
            clock.Advance(TimeSpan.FromSeconds(2));
        }

        var refused = limiter.Admit(FivePerMinute, 10);
        refused.Refusal.ShouldBe(new RateLimitRefusal(RateLimitWindow.RequestsPerMinute, 5, 5, 1, TimeSpan.FromSeconds(50)));
        refused.State.Single().Remaining.ShouldBe(0);

        clock.Advance(TimeSpan.FromSeconds(50) - TimeSpan.FromTicks(1));
        limiter.Admit(FivePerMinute, 10).Refusal!.Wait.ShouldBe(TimeSpan.FromTicks(1));
        clock.Advance(TimeSpan.FromTicks(1));
        limiter.Admit(FivePerMinute, 10).Refusal.ShouldBeNull("the oldest request left the window exactly now");
        limiter.Admit(FivePerMinute, 10).Refusal!.Wait.ShouldBe(TimeSpan.FromSeconds(2), "the next oldest left 2 s after the first");
    }

    [Test]
    public void The_window_rolls_instead_of_resetting_on_a_minute_boundary()
    {
        var (clock, limiter) = NewLimiter();
        clock.Advance(TimeSpan.FromSeconds(55));
        for (var i = 0; i < 5; i++) limiter.Admit(FivePerMinute, 1).Refusal.ShouldBeNull();

        // A fixed window would start afresh at the full minute (5 s later) and accept 5 more: 10 in 6 seconds.
        clock.Advance(TimeSpan.FromSeconds(6));
        limiter.Admit(FivePerMinute, 1).Refusal!.Wait.ShouldBe(TimeSpan.FromSeconds(54));
    }

    [Test]
    public void Over_ten_minutes_of_random_arrivals_no_rolling_minute_holds_more_than_the_limit_and_no_refusal_had_room()
    {
        var (clock, limiter) = NewLimiter();
        var random = new Random(7);
        var start = clock.GetUtcNow();
        var admitted = new List<DateTimeOffset>();
        var refusals = 0;
        while (clock.GetUtcNow() - start < TimeSpan.FromMinutes(10))
        {
            clock.Advance(TimeSpan.FromMilliseconds(random.Next(0, 9_000)));
            var now = clock.GetUtcNow();
            var decision = limiter.Admit(FivePerMinute, 1);
            var inWindow = admitted.Count(t => now - t < TimeSpan.FromMinutes(1));
            if (decision.Refusal is { } refusal)
            {
                refusals++;
                inWindow.ShouldBe(5, "a refusal only when the rolling minute is full");
                refusal.Wait.ShouldBe(admitted.Where(t => now - t < TimeSpan.FromMinutes(1)).Min() + TimeSpan.FromMinutes(1) - now);
            }
            else
            {
                inWindow.ShouldBeLessThan(5, "an admission only with room");
                decision.At.ShouldBe(now);
                admitted.Add(now);
            }
        }

        refusals.ShouldBeGreaterThan(50, "the arrivals must exceed the limit for the test to mean anything");
        foreach (var t in admitted) admitted.Count(u => u >= t && u - t < TimeSpan.FromMinutes(1)).ShouldBeLessThanOrEqualTo(5);
    }

    [Test]
    public void Tokens_count_their_amount_a_request_larger_than_the_limit_never_fits_and_settling_gives_back_the_unused_reservation()
    {
        var (clock, limiter) = NewLimiter();
        (RateLimitWindow, int)[] limits = [(RateLimitWindow.RequestsPerMinute, 30), (RateLimitWindow.TokensPerMinute, 1_000)];

        var first = limiter.Admit(limits, 700);
        first.State.Single(s => s.Window == RateLimitWindow.TokensPerMinute).Remaining.ShouldBe(300);
        clock.Advance(TimeSpan.FromSeconds(10));
        limiter.Admit(limits, 400).Refusal.ShouldBe(new RateLimitRefusal(RateLimitWindow.TokensPerMinute, 1_000, 700, 400, TimeSpan.FromSeconds(50)));

        first.Ticket!.Settle(250); // served 250 of the 700 reserved
        limiter.Admit(limits, 400).Refusal.ShouldBeNull();
        limiter.Admit(limits, 1_001).Refusal.ShouldBe(new RateLimitRefusal(RateLimitWindow.TokensPerMinute, 1_000, 650, 1_001, null));
    }

    [Test]
    public void When_several_windows_are_full_the_refusal_names_the_one_with_the_longest_wait()
    {
        var (clock, limiter) = NewLimiter();
        (RateLimitWindow, int)[] limits = [(RateLimitWindow.RequestsPerMinute, 2), (RateLimitWindow.RequestsPerDay, 3)];
        limiter.Admit(limits, 1);
        clock.Advance(TimeSpan.FromMinutes(2));
        limiter.Admit(limits, 1);
        limiter.Admit(limits, 1);

        var refusal = limiter.Admit(limits, 1).Refusal!;
        refusal.Window.ShouldBe(RateLimitWindow.RequestsPerDay);
        refusal.Wait.ShouldBe(TimeSpan.FromDays(1) - TimeSpan.FromMinutes(2));
        limiter.Peek(limits).Single(s => s.Window == RateLimitWindow.RequestsPerDay).UntilEmpty.ShouldBe(TimeSpan.FromDays(1));
    }

    [Test]
    public void Accounts_are_separate_and_a_clear_empties_every_window()
    {
        var clock = new FakeTimeProvider();
        var one = new RateLimitAccount(new SimulatorClock(clock));
        var two = new RateLimitAccount(new SimulatorClock(clock));
        for (var i = 0; i < 5; i++) one.For("m").Admit(FivePerMinute, 1);

        one.For("m").Admit(FivePerMinute, 1).Refusal.ShouldNotBeNull();
        one.For("other model").Admit(FivePerMinute, 1).Refusal.ShouldBeNull();
        two.For("m").Admit(FivePerMinute, 1).Refusal.ShouldBeNull();
        one.Clear();
        one.For("m").Admit(FivePerMinute, 1).Refusal.ShouldBeNull();
    }

    [TestCase(2.5, "2.5s", "3")]
    [TestCase(59.9331, "59.94s", "60")]
    [TestCase(86.4, "1m26.4s", "87")]
    [TestCase(0.3741, "375ms", "1")]
    [TestCase(2.0, "2s", "2")]
    public void Waits_are_shown_rounded_up_so_a_client_that_honours_them_is_never_early(double seconds, string goDuration, string retryAfter)
    {
        var wait = TimeSpan.FromSeconds(seconds);
        GoDuration.Format(ProviderDialect.ShownWait(wait)).ShouldBe(goDuration);
        ProviderDialect.RetryAfterSeconds(wait).ShouldBe(retryAfter);
        ProviderDialect.ShownWait(wait).ShouldBeGreaterThanOrEqualTo(wait);
    }
}

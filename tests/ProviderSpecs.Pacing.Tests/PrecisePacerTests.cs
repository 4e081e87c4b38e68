using System.Diagnostics;
using ProviderSpecs.Pacing;

namespace ProviderSpecs.Pacing.Tests;

public sealed class PrecisePacerTests
{
    private static long In(TimeSpan delay) => Stopwatch.GetTimestamp() + (long)(delay.TotalSeconds * Stopwatch.Frequency);

    [Test]
    public async Task A_wait_never_ends_before_its_due_time()
    {
        using var pacer = new PrecisePacer();
        var waits = Enumerable.Range(0, 200).Select(async i =>
        {
            var due = In(TimeSpan.FromMicroseconds(500 + i * 97)); // due times that fall between whole milliseconds
            await pacer.WaitUntilAsync(due);
            return Stopwatch.GetTimestamp() - due;
        });
        var lateness = await Task.WhenAll(waits);
        lateness.Min().ShouldBeGreaterThanOrEqualTo(0, "a wait ended before its due time");
    }

    [Test]
    public async Task Waits_end_in_the_order_they_fall_due_even_when_queued_out_of_order()
    {
        using var pacer = new PrecisePacer();
        var ended = new List<int>();
        // 100 ms apart: each wait's continuation runs on the thread pool, and on a loaded machine (the whole test command
        // runs its projects in parallel) a 10 ms spacing let two continuations swap after the pacer had released them in order.
        var offsetsMs = new[] { 400, 100, 300, 200, 500 };
        var tasks = offsetsMs.Select(async ms =>
        {
            await pacer.WaitUntilAsync(In(TimeSpan.FromMilliseconds(ms)));
            lock (ended) ended.Add(ms);
        }).ToList();
        await Task.WhenAll(tasks);
        ended.ShouldBe([100, 200, 300, 400, 500]);
    }

    [Test]
    public async Task A_wait_due_sooner_than_the_pacer_is_sleeping_is_not_held_back_by_the_later_one()
    {
        using var pacer = new PrecisePacer();
        var later = pacer.WaitUntilAsync(In(TimeSpan.FromSeconds(30)));
        await Task.Delay(20); // the pacer now sleeps towards the 30 s wait
        var sooner = pacer.WaitUntilAsync(In(TimeSpan.FromMilliseconds(10)));
        (await Task.WhenAny(sooner, Task.Delay(TimeSpan.FromSeconds(5)))).ShouldBe(sooner, "the sooner wait should end long before the later one");
        later.IsCompleted.ShouldBeFalse();
    }

    [Test]
    public async Task A_due_time_already_past_completes_at_once_and_a_cancelled_wait_ends_cancelled()
    {
        using var pacer = new PrecisePacer();
        pacer.WaitUntilAsync(Stopwatch.GetTimestamp() - 1).IsCompletedSuccessfully.ShouldBeTrue();

        using var cancel = new CancellationTokenSource();
        var wait = pacer.WaitUntilAsync(In(TimeSpan.FromMinutes(5)), cancel.Token);
        await cancel.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(() => wait);
    }

    [Test]
    public async Task Disposing_the_pacer_fails_its_pending_waits_with_a_reason()
    {
        var pacer = new PrecisePacer();
        var wait = pacer.WaitUntilAsync(In(TimeSpan.FromMinutes(5)));
        pacer.Dispose();
        var error = await Should.ThrowAsync<ObjectDisposedException>(() => wait);
        error.Message.ShouldContain("disposed while this wait was pending");
        Should.Throw<ObjectDisposedException>(() => pacer.WaitUntilAsync(In(TimeSpan.FromSeconds(1))));
    }
}

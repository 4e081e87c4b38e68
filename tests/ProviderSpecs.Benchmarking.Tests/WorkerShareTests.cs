using ProviderSpecs.Benchmarking.Load;
using ProviderSpecs.Providers.Budget;

namespace ProviderSpecs.Benchmarking.Tests;

public sealed class WorkerShareTests
{
    [TestCase(400, 4)]
    [TestCase(10, 4)]
    [TestCase(7, 3)]
    [TestCase(5, 5)]
    [TestCase(1_000_003, 7)]
    public void Request_shares_sum_exactly_to_the_total_and_the_remainder_goes_to_the_first_workers(long total, int workers)
    {
        var shares = Enumerable.Range(0, workers).Select(i => WorkerShare.Split(total, workers, i)).ToList();

        shares.Sum().ShouldBe(total);
        (shares.Max() - shares.Min()).ShouldBeLessThanOrEqualTo(1);
        shares.ShouldBe(shares.OrderByDescending(s => s).ToList(), "larger shares come first");
        shares.Count(s => s == total / workers + 1).ShouldBe((int)(total % workers));
    }

    [Test]
    public void Ten_requests_over_four_workers_are_three_three_two_two()
    {
        Enumerable.Range(0, 4).Select(i => WorkerShare.Split(10, 4, i)).ShouldBe([3L, 3L, 2L, 2L]);
    }

    [Test]
    public void Live_budgets_split_so_that_the_workers_together_can_never_spend_more_than_the_whole()
    {
        const long whole = 30;
        var budgets = Enumerable.Range(0, 4).Select(i => LiveBudget.OfRequests(WorkerShare.Split(whole, 4, i))).ToList();
        budgets.Select(b => b.MaxRequests).ShouldBe([8L, 8L, 7L, 7L]);

        // Every worker tries far more than its share: each budget refuses past its own share, so the total is the whole.
        var sent = budgets.Sum(b => Enumerable.Range(0, 50).Count(_ => b.TryReserve(0)));

        sent.ShouldBe((int)whole);
        budgets.ShouldAllBe(b => b.Exhausted);
    }

    [Test]
    public void A_rate_is_split_in_thousandths_so_the_shares_add_up_to_it()
    {
        var shares = Enumerable.Range(0, 3).Select(i => WorkerShare.SplitRate(10, 3, i)).ToList();
        shares.ShouldBe([3.334, 3.333, 3.333]);
        shares.Sum(s => (long)Math.Round(s * 1000)).ShouldBe(10_000);
        WorkerShare.SplitRate(2.5, 4, 3).ShouldBe(0.625);
    }

    [Test]
    public void A_rate_with_more_than_three_decimals_cannot_be_split_exactly_and_is_refused()
    {
        Should.Throw<ArgumentException>(() => WorkerShare.SplitRate(1.0005, 2, 0)).Message.ShouldContain("at most 3 decimals");
    }

    [Test]
    public void Workers_of_one_seed_family_get_different_poisson_arrivals()
    {
        WorkerShare.Seed(42, 0).ShouldBe(42);
        WorkerShare.Seed(42, 3).ShouldBe(45);
        var first = new OpenLoopLoad(5, ArrivalProcess.Poisson, 8, WorkerShare.Seed(42, 0)).CreateSchedule();
        var second = new OpenLoopLoad(5, ArrivalProcess.Poisson, 8, WorkerShare.Seed(42, 1)).CreateSchedule();
        Enumerable.Range(0, 5).Select(_ => first.NextOffsetSeconds()).ShouldNotBe(Enumerable.Range(0, 5).Select(_ => second.NextOffsetSeconds()));
    }

    [TestCase(0, 0)]
    [TestCase(4, 4)]
    [TestCase(4, -1)]
    public void An_index_outside_the_workers_is_refused(int workers, int index)
    {
        Should.Throw<ArgumentOutOfRangeException>(() => WorkerShare.Split(10, workers, index));
    }
}

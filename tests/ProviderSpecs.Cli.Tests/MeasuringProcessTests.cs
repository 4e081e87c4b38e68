using System.Diagnostics;
using ProviderSpecs.Cli.Support;

namespace ProviderSpecs.Cli.Tests;

public class MeasuringProcessTests
{
    private static ProcessStartInfo Shell(string script)
    {
        var start = new ProcessStartInfo("sh");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        return start;
    }

    [Test]
    public async Task The_childs_exit_code_is_the_programs()
    {
        (await MeasuringProcess.RunAsync(Shell("exit 3"), CancellationToken.None)).ShouldBe(3);
        (await MeasuringProcess.RunAsync(Shell("exit 0"), CancellationToken.None)).ShouldBe(0);
    }

    [Test]
    public async Task A_cancellation_of_this_process_reaches_the_child_as_sigterm_and_the_child_is_waited_for()
    {
        if (OperatingSystem.IsWindows()) Assert.Ignore("SIGTERM is a Unix signal");
        var ready = Path.Combine(CliHarness.TempDirectory("sigterm"), "ready");
        using var cancel = new CancellationTokenSource();
        // The child says it has its handler, then waits; on SIGTERM it exits 7, as bench stops cleanly on SIGTERM.
        var run = MeasuringProcess.RunAsync(Shell($"trap 'exit 7' TERM; touch '{ready}'; while true; do sleep 0.05; done"), cancel.Token);
        var deadline = Stopwatch.StartNew();
        while (!File.Exists(ready) && deadline.Elapsed < TimeSpan.FromSeconds(20)) await Task.Delay(20);
        File.Exists(ready).ShouldBeTrue("the child started");
        run.IsCompleted.ShouldBeFalse("the child runs until it is told to stop");

        await cancel.CancelAsync();

        (await run.WaitAsync(TimeSpan.FromSeconds(20))).ShouldBe(7, "the child stopped on SIGTERM and its exit code came back");
    }

    [Test]
    public void This_program_starts_again_with_the_same_arguments()
    {
        var start = ThisProgram.Start(["bench", "--self-test"]);
        start.UseShellExecute.ShouldBeFalse();
        start.ArgumentList.TakeLast(2).ShouldBe(["bench", "--self-test"]);
        // In the test host the program is `dotnet <test host>`, so the assembly comes first, as with `dotnet providerspecs.dll`.
        if (Path.GetFileNameWithoutExtension(start.FileName) == "dotnet") start.ArgumentList[0].ShouldEndWith(".dll");
    }
}

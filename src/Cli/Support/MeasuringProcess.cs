using System.Diagnostics;
using ProviderSpecs.Benchmarking.Load;

namespace ProviderSpecs.Cli.Support;

/// <summary>
/// Runs a measuring command in a process with <see cref="MeasuringRuntime"/>'s settings: when this one lacks any, the
/// same command runs again in a child that has them, with this console, and its exit code is this program's.
/// </summary>
internal static class MeasuringProcess
{
    /// <summary>Null when this process has the settings already (go on here); else the exit code of the child that ran the command.</summary>
    public static async Task<int?> RunAgainIfNeededAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var missing = MeasuringRuntime.Missing(Environment.GetEnvironmentVariable);
        if (missing.Count == 0) return null;
        var start = ThisProgram.Start(arguments);
        foreach (var (name, value) in missing) start.Environment[name] = value;
        return await RunAsync(start, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs <paramref name="start"/> with this console and returns its exit code. Ctrl+C reaches the child from the
    /// terminal as well; a cancellation of this process alone (SIGTERM) is passed on as SIGTERM, so the child stops as
    /// it would have here, and this process waits for it.
    /// </summary>
    public static async Task<int> RunAsync(ProcessStartInfo start, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(start);
        start.UseShellExecute = false;
        using var child = Process.Start(start) ?? throw new InvalidOperationException($"'{start.FileName}' did not start.");
        using (cancellationToken.Register(() => Terminate(child)))
            await child.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        return child.ExitCode;
    }

    private static void Terminate(Process child)
    {
        if (OperatingSystem.IsWindows()) return; // Ctrl+C reaches every process of the console there; there is no SIGTERM
        try
        {
            var kill = new ProcessStartInfo("kill") { UseShellExecute = false };
            kill.ArgumentList.Add("-TERM");
            kill.ArgumentList.Add(child.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            using var sent = Process.Start(kill);
            sent?.WaitForExit(5_000);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            if (!child.HasExited) child.Kill(entireProcessTree: true); // no kill(1): stop it the hard way rather than leave it running
        }
    }
}

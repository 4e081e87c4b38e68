using System.Runtime.InteropServices;
using ProviderSpecs.Cli;
using ProviderSpecs.Cli.Commands;
using ProviderSpecs.Cli.Support;
using Spectre.Console;

// Ctrl+C and SIGTERM cancel the running command; each command stops cleanly (simulate) or reports the cancellation.
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
{
    signal.Cancel = true;
    stop.Cancel();
});

var console = AnsiConsole.Console;
// Redirected output has no terminal width; tables would wrap at 80 columns.
if (Console.IsOutputRedirected) console.Profile.Width = 200;
var context = new CliContext
{
    Console = console,
    Error = Console.Error,
    In = Console.In,
    SelfTestTargetCommand = BenchTargetCommand.ForThisProgram,
    RunInMeasuringProcess = token => MeasuringProcess.RunAgainIfNeededAsync(args, token),
};
return await CliApp.RunAsync(args, context, stop.Token);

using System.Runtime.InteropServices;
using ProviderSpecs.Cli;
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

var context = new CliContext { Console = AnsiConsole.Console, Error = Console.Error };
return await CliApp.RunAsync(args, context, stop.Token);

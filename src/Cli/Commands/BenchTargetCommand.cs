using System.Diagnostics;
using ProviderSpecs.Benchmarking.SelfTest;
using ProviderSpecs.Cli.Support;
using Spectre.Console.Cli;

namespace ProviderSpecs.Cli.Commands;

/// <summary>
/// <c>bench-target</c> (hidden): the self-test's loopback target in a process of its own. <c>bench --self-test</c>
/// starts it, reads where it listens from its first line, and closes its standard input to stop it.
/// </summary>
public sealed class BenchTargetCommand(CliContext context) : AsyncCommand
{
    public override async Task<int> ExecuteAsync(CommandContext commandContext, CancellationToken cancellationToken)
    {
        await PacedEndpoint.ServeUntilInputEndsAsync(context.In, context.Out, cancellationToken).ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    /// <summary>This program's <c>bench-target</c> command, whether it runs as its own executable or as <c>dotnet providerspecs.dll</c>.</summary>
    public static ProcessStartInfo ForThisProgram() => ThisProgram.Start(["bench-target"]);
}

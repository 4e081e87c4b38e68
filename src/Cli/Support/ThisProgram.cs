using System.Diagnostics;

namespace ProviderSpecs.Cli.Support;

/// <summary>How to start this program again: its own executable, or <c>dotnet providerspecs.dll</c>.</summary>
internal static class ThisProgram
{
    public static ProcessStartInfo Start(IEnumerable<string> arguments)
    {
        var process = Environment.ProcessPath ?? throw new InvalidOperationException("the path of this program is unknown, so it cannot start a process of its own.");
        var start = new ProcessStartInfo(process) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(process).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            start.ArgumentList.Add(typeof(ThisProgram).Assembly.Location);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        return start;
    }
}

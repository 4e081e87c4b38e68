namespace ProviderSpecs.Cli;

/// <summary>A command failure with its one-line reason and exit code.</summary>
public sealed class CliException(string message, int exitCode = ExitCodes.BadInput) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>The process exit codes.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>The command ran and failed (a provider error, requests that all failed, a file that could not be written).</summary>
    public const int Failed = 1;
    /// <summary>Bad input: unknown provider or model, missing key, invalid numbers, missing budget. Nothing was sent.</summary>
    public const int BadInput = 2;
    /// <summary>Interrupted by Ctrl+C or SIGTERM (a command that stops cleanly on them, like simulate, returns 0).</summary>
    public const int Cancelled = 130;
}

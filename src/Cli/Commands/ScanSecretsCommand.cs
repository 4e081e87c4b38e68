using System.ComponentModel;
using System.Globalization;
using ProviderSpecs.Providers.Credentials;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ProviderSpecs.Cli.Commands;

public sealed class ScanSecretsSettings : CommandSettings
{
    [CommandArgument(0, "<PATHS>")]
    [Description("Files and folders to scan (folders recursively; bin/, obj/, .git/ and binary files are skipped).")]
    public string[] Paths { get; init; } = [];

    [CommandOption("--key-from-env <VARIABLE>")]
    [Description("An environment variable whose value is a canary key to look for (repeatable), e.g. GROQ_API_KEY.")]
    public string[] KeyFromEnv { get; init; } = [];

    [CommandOption("--json")]
    [Description("Print the result as one JSON document.")]
    public bool Json { get; init; }
}

/// <summary>
/// <c>scan-secrets</c>: looks through files for the canary keys named by <c>--key-from-env</c> and for anything
/// shaped like a provider key. Findings are printed masked. Exit 0 clean, 1 findings (or an unreadable file), 2 bad input.
/// </summary>
public sealed class ScanSecretsCommand(CliContext context) : Command<ScanSecretsSettings>
{
    public override int Execute(CommandContext commandContext, ScanSecretsSettings settings, CancellationToken cancellationToken)
    {
        // Validate everything before scanning anything.
        if (settings.Paths.Length == 0) throw new CliException("give at least one file or folder to scan.");
        if (commandContext.Remaining.Parsed.Count > 0)
            throw new CliException($"unknown option {string.Join(", ", commandContext.Remaining.Parsed.Select(p => p.Key))}; scan-secrets takes paths, --key-from-env VARIABLE (repeatable) and --json.");
        var keys = new List<(string Variable, string Value)>();
        foreach (var variable in settings.KeyFromEnv.Select(v => v.Trim()).Distinct(StringComparer.Ordinal))
        {
            if (variable.Length == 0) throw new CliException("--key-from-env expects an environment variable name, e.g. GROQ_API_KEY.");
            var value = context.Environment.GetEnvironmentVariable(variable)?.Trim();
            if (string.IsNullOrEmpty(value))
                throw new CliException($"--key-from-env {variable}: the variable is not set, so there is no canary to look for; set it or drop the option.");
            if (value.Length < 8)
                throw new CliException($"--key-from-env {variable}: its value has {value.Length} characters; a canary needs at least 8 to be found without false alarms.");
            keys.Add((variable, value));
        }
        var roots = new List<string>();
        foreach (var path in settings.Paths)
        {
            if (string.IsNullOrWhiteSpace(path)) throw new CliException("an empty path was given; give files or folders to scan.");
            var full = context.FullPath(path);
            if (!File.Exists(full) && !Directory.Exists(full)) throw new CliException($"'{path}' does not exist; give files or folders to scan.");
            roots.Add(full);
        }

        var scanner = new SecretScanner(keys.Select(k => k.Value));
        var findings = new List<SecretFinding>();
        var unreadable = new List<string>();
        var scanned = 0;
        foreach (var file in roots.SelectMany(Expand).Distinct(StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Read(file) is not { } text)
            {
                unreadable.Add($"{Show(file)}: could not be read, so it is not known to be clean");
                continue;
            }
            scanned++;
            findings.AddRange(scanner.ScanText(Show(file), text));
        }

        var clean = findings.Count == 0 && unreadable.Count == 0;
        if (settings.Json)
        {
            context.WriteJson(new
            {
                clean,
                filesScanned = scanned,
                canaries = keys.Select(k => new { variable = k.Variable, masked = KeyMask.Mask(k.Value) }).ToList(),
                findings = findings.Select(f => new { file = f.File, line = f.Line, masked = f.MaskedValue, why = f.Why }).ToList(),
                unreadable,
            });
        }
        else
        {
            foreach (var finding in findings) context.Out.WriteLine(finding.ToString());
            foreach (var problem in unreadable) context.Out.WriteLine(problem);
            var canaries = keys.Count == 0 ? "no canary keys" : $"{keys.Count} canary key{(keys.Count == 1 ? "" : "s")} ({string.Join(", ", keys.Select(k => k.Variable))})";
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Secret scan: {scanned} files scanned for {canaries} and key-shaped strings: {(clean ? "clean" : $"{findings.Count} found, {unreadable.Count} unreadable")}."));
            context.Out.Flush();
        }
        if (!clean)
        {
            context.Error.WriteLine($"error: {findings.Count} secret{(findings.Count == 1 ? "" : "s")} found in the scanned outputs{(unreadable.Count > 0 ? $" and {unreadable.Count} file(s) could not be read" : "")}.");
            context.Error.Flush();
            return ExitCodes.Failed;
        }
        return ExitCodes.Ok;
    }

    /// <summary>The file's text, or null when it cannot be read (a file another process holds locked gets three tries).</summary>
    private static string? Read(string file)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return File.ReadAllText(file);
            }
            catch (UnauthorizedAccessException)
            {
                return null;
            }
            catch (IOException) when (attempt < 3)
            {
                Thread.Sleep(200);
            }
            catch (IOException)
            {
                return null;
            }
        }
    }

    private string Show(string file)
    {
        var relative = Path.GetRelativePath(context.WorkingDirectory, file);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? file : relative;
    }

    /// <summary>A file as given; a folder's files recursively, skipping build output and binary files (as <see cref="SecretScanner"/> does).</summary>
    private static IEnumerable<string> Expand(string path)
    {
        if (File.Exists(path)) return [path];
        return Directory.EnumerateFiles(path, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = false, AttributesToSkip = 0 })
            .Where(f => !Path.GetRelativePath(path, f).Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj" or ".git" or "node_modules"))
            .Where(f => Path.GetExtension(f).ToLowerInvariant() is not (".png" or ".jpg" or ".jpeg" or ".gif" or ".dll" or ".pdb" or ".exe" or ".zip" or ".nupkg"))
            .Order(StringComparer.Ordinal);
    }
}

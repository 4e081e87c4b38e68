using System.Diagnostics;
using System.Reflection;
using System.Text.Json;

namespace ProviderSpecs.Consumer.Tests;

/// <summary>
/// The packed ProviderSpecs.Cli is a .NET tool: it installs from the feed into a tool path and runs, and the repository's
/// local tool manifest restores it for `dotnet providerspecs`. Every restore here reads the local feed only (a NuGet
/// config that clears the other sources) into a packages folder of its own, so no earlier package is picked up.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class ToolPackageTests
{
    private static readonly string RepositoryRoot = Metadata("ProviderSpecs.RepositoryRoot");
    private static readonly string Version = Metadata("ProviderSpecs.Version");
    private static readonly string Feed = Path.Combine(RepositoryRoot, "artifacts", "packages");
    private DirectoryInfo _work = null!;
    private string _configFile = null!;
    private string _toolPath = null!;

    private static string Metadata(string key) =>
        typeof(ToolPackageTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    [OneTimeSetUp]
    public async Task InstallTheToolFromTheFeed()
    {
        _work = Directory.CreateTempSubdirectory("providerspecs-tool-");
        _configFile = Path.Combine(_work.FullName, "nuget.config");
        await File.WriteAllTextAsync(_configFile, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="providerspecs-local" value="{Feed}" />
              </packageSources>
            </configuration>
            """);
        _toolPath = Path.Combine(_work.FullName, "tools");
        var install = await RunAsync("dotnet", _work.FullName, "tool", "install", "ProviderSpecs.Cli", "--version", Version,
            "--tool-path", _toolPath, "--configfile", _configFile);
        Assert.That(install.ExitCode, Is.EqualTo(0), $"dotnet tool install failed:\n{install.Output}");
    }

    [OneTimeTearDown]
    public void RemoveTheWorkFolder() => _work.Delete(recursive: true);

    private string Tool => Path.Combine(_toolPath, "providerspecs");

    [Test]
    public async Task The_installed_tool_reports_the_packed_version_and_its_commands()
    {
        var version = await RunAsync(Tool, _work.FullName, "--version");
        var help = await RunAsync(Tool, _work.FullName, "--help");

        Assert.That(version.ExitCode, Is.EqualTo(0), version.Output);
        Assert.That(version.StandardOutput.Trim(), Is.EqualTo(Version));
        Assert.That(help.ExitCode, Is.EqualTo(0), help.Output);
        Assert.That(help.StandardOutput, Does.Contain("simulate").And.Contain("chat").And.Contain("providers"));
    }

    [Test]
    public async Task The_installed_tool_chats_with_its_built_in_simulators_outside_the_repository()
    {
        var chat = await RunAsync(Tool, _work.FullName, "chat", "groq", "llama-3.1-8b-instant", "Say hello", "--simulated", "--json");

        Assert.That(chat.ExitCode, Is.EqualTo(0), chat.Output);
        using var reply = JsonDocument.Parse(chat.StandardOutput);
        Assert.That(reply.RootElement.GetProperty("text").GetString(), Is.Not.Empty);
    }

    [Test]
    public async Task A_global_install_from_the_feed_puts_providerspecs_on_the_users_tool_path()
    {
        var install = await RunAsync("dotnet", _work.FullName, "tool", "install", "--global", "ProviderSpecs.Cli", "--version", Version,
            "--add-source", Feed, "--configfile", _configFile);
        // The global tools folder is under the CLI home, which these runs keep in the work folder.
        var version = await RunAsync(Path.Combine(_work.FullName, "cli-home", ".dotnet", "tools", "providerspecs"), _work.FullName, "--version");

        Assert.That(install.ExitCode, Is.EqualTo(0), $"dotnet tool install --global failed:\n{install.Output}");
        Assert.That(version.ExitCode, Is.EqualTo(0), version.Output);
        Assert.That(version.StandardOutput.Trim(), Is.EqualTo(Version));
    }

    [Test]
    public async Task The_repositorys_tool_manifest_restores_the_tool_for_dotnet_providerspecs()
    {
        var restore = await RunAsync("dotnet", RepositoryRoot, "tool", "restore", "--configfile", _configFile);
        var version = await RunAsync("dotnet", RepositoryRoot, "providerspecs", "--version");

        Assert.That(restore.ExitCode, Is.EqualTo(0), $"dotnet tool restore failed:\n{restore.Output}");
        Assert.That(version.ExitCode, Is.EqualTo(0), version.Output);
        Assert.That(version.StandardOutput.Trim(), Is.EqualTo(Version), ".config/dotnet-tools.json must name the version Directory.Build.props packs");
    }

    private sealed record Result(int ExitCode, string StandardOutput, string StandardError)
    {
        public string Output => $"exit {ExitCode}\n{StandardOutput}\n{StandardError}";
    }

    private async Task<Result> RunAsync(string program, string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        // A packages folder of this run's own: what is restored is what was just packed, never an older copy. And a CLI
        // home of its own: the SDK remembers where each local tool was restored (toolResolverCache), and the user's `dotnet
        // providerspecs` must never be pointed at this temporary folder.
        start.Environment["NUGET_PACKAGES"] = Path.Combine(_work.FullName, "packages");
        start.Environment["DOTNET_CLI_HOME"] = Path.Combine(_work.FullName, "cli-home");
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish within 3 minutes");
        }
        return new Result(process.ExitCode, await output, await error);
    }
}

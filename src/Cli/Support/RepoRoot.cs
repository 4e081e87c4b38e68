namespace ProviderSpecs.Cli.Support;

/// <summary>Finds the repository root: the nearest folder above the working directory (else the app's own folder) holding Specs.sln.</summary>
internal static class RepoRoot
{
    public static string? Find(string workingDirectory)
    {
        foreach (var start in new[] { workingDirectory, AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Specs.sln"))) return dir.FullName;
        return null;
    }

    public static string Require(string workingDirectory, string what) =>
        Find(workingDirectory) ?? throw new CliException(
            $"no repository root (a folder with Specs.sln) above {workingDirectory}, so {what} cannot be found; run inside the repository or give the path explicitly.");
}

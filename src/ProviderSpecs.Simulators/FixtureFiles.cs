using System.Reflection;

namespace ProviderSpecs.Simulators;

/// <summary>
/// Where the simulators read their fixtures (catalogs, latency profiles): a folder, or the copies of the repository's
/// <c>fixtures/</c> built into this assembly, so the packaged simulators start anywhere without a fixtures folder.
/// </summary>
internal abstract class FixtureFiles
{
    /// <summary>What <see cref="SimulatedProviders.FixturesSource"/> says when the built-in fixtures were used.</summary>
    public const string EmbeddedSource = "embedded";

    public static FixtureFiles FromDirectory(string directory) => new DirectoryFixtures(Path.GetFullPath(directory));

    public static FixtureFiles Embedded { get; } = new EmbeddedFixtures();

    /// <summary>The folder's full path, or <see cref="EmbeddedSource"/>.</summary>
    public abstract string Source { get; }

    /// <summary>The folder, or null for the built-in fixtures (nothing can be written next to them).</summary>
    public abstract string? Directory { get; }

    /// <summary>How a file is named in error messages (<see cref="SimulatorFixtureException.FixturePath"/>).</summary>
    public abstract string PathOf(string relativePath);

    /// <summary>The file's text, or null when there is no such file.</summary>
    protected abstract string? TryRead(string relativePath);

    public string Read(string relativePath) =>
        TryRead(relativePath) ?? throw new SimulatorFixtureException(PathOf(relativePath), "the file does not exist");

    private sealed class DirectoryFixtures(string directory) : FixtureFiles
    {
        public override string Source => directory;
        public override string? Directory => directory;
        public override string PathOf(string relativePath) => Path.Combine(directory, relativePath);

        protected override string? TryRead(string relativePath)
        {
            var path = PathOf(relativePath);
            return File.Exists(path) ? File.ReadAllText(path) : null;
        }
    }

    private sealed class EmbeddedFixtures : FixtureFiles
    {
        // Resource names are "ProviderSpecs.Simulators.fixtures/<relative path with forward slashes>" (see the .csproj).
        private const string Prefix = "ProviderSpecs.Simulators.fixtures/";
        private static readonly Assembly Assembly = typeof(EmbeddedFixtures).Assembly;

        public override string Source => EmbeddedSource;
        public override string? Directory => null;
        public override string PathOf(string relativePath) => "embedded:fixtures/" + relativePath.Replace('\\', '/');

        protected override string? TryRead(string relativePath)
        {
            using var stream = Assembly.GetManifestResourceStream(Prefix + relativePath.Replace('\\', '/'));
            if (stream is null) return null;
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
    }
}

using System.Reflection;

namespace ProviderSpecs.Runner;

/// <summary>
/// Where a suite's feature files and reports live. The test project records both folders at build time
/// (assembly metadata), so features are read from the source tree and an edit needs no recompile;
/// SPECS_FEATURES_DIR and SPECS_REPORTS_DIR override them.
/// </summary>
public sealed record SuiteLocation(string FeaturesDirectory, string ReportsDirectory)
{
    public const string FeaturesDirectoryMetadataKey = "ProviderSpecs.FeaturesDirectory";
    public const string ReportsDirectoryMetadataKey = "ProviderSpecs.ReportsDirectory";
    public const string FeaturesDirectoryVariable = "SPECS_FEATURES_DIR";
    public const string ReportsDirectoryVariable = "SPECS_REPORTS_DIR";

    public static SuiteLocation For(Assembly testAssembly)
    {
        var metadata = testAssembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Where(a => a.Value is not null)
            .ToDictionary(a => a.Key, a => a.Value!, StringComparer.Ordinal);
        var baseDirectory = AppContext.BaseDirectory;

        string Resolve(string variable, string metadataKey, string fallbackFolder) =>
            Path.GetFullPath(NonEmpty(Environment.GetEnvironmentVariable(variable))
                             ?? (metadata.TryGetValue(metadataKey, out var recorded) ? recorded : null)
                             ?? Path.Combine(baseDirectory, fallbackFolder));

        return new SuiteLocation(
            Resolve(FeaturesDirectoryVariable, FeaturesDirectoryMetadataKey, "features"),
            Resolve(ReportsDirectoryVariable, ReportsDirectoryMetadataKey, "reports"));
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}

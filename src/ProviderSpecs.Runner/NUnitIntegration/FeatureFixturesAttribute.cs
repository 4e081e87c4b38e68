using NUnit.Framework;
using NUnit.Framework.Interfaces;
using NUnit.Framework.Internal;
using NUnit.Framework.Internal.Builders;
using ProviderSpecs.Runner.Discovery;

namespace ProviderSpecs.Runner.NUnitIntegration;

/// <summary>
/// Put on a <see cref="FeatureFixture"/> subclass: builds one NUnit fixture per .feature file of the suite, at
/// discovery time. Feature tags become NUnit categories; a feature tagged <c>@non_parallel</c> runs alone.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class FeatureFixturesAttribute : NUnitAttribute, IFixtureBuilder2
{
    public const string NonParallelTag = "non_parallel";

    public IEnumerable<TestSuite> BuildFrom(ITypeInfo typeInfo) => BuildFrom(typeInfo, AcceptAll.Instance);

    public IEnumerable<TestSuite> BuildFrom(ITypeInfo typeInfo, IPreFilter filter)
    {
        var builder = new NUnitTestFixtureBuilder();
        IReadOnlyList<FeatureSpec> features;
        string? discoveryError = null;
        try
        {
            features = FeatureSuite.Load(SuiteLocation.For(typeInfo.Assembly).FeaturesDirectory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            features = [];
            discoveryError = e.Message;
        }

        if (discoveryError is not null)
        {
            var broken = new TestSuite(typeInfo.FullName + ".Discovery") { RunState = RunState.NotRunnable };
            broken.Properties.Set(PropertyNames.SkipReason, discoveryError);
            yield return broken;
            yield break;
        }

        foreach (var feature in features)
        {
            var fixture = builder.BuildFrom(typeInfo, filter, new TestFixtureParameters(feature));
            fixture.Name = feature.Title;
            fixture.FullName = string.IsNullOrEmpty(feature.Area) ? feature.Title : $"{feature.Area} › {feature.Title}";
            fixture.Properties.Set(PropertyNames.Description, feature.Description);
            fixture.Properties.Set("FeatureFile", feature.RelativePath);
            foreach (var tag in feature.Tags)
                fixture.Properties.Add(PropertyNames.Category, tag);
            if (feature.Tags.Contains(NonParallelTag))
                fixture.Properties.Set(PropertyNames.ParallelScope, ParallelScope.None);
            yield return fixture;
        }
    }

    private sealed class AcceptAll : IPreFilter
    {
        public static readonly AcceptAll Instance = new();
        public bool IsMatch(Type type) => true;
        public bool IsMatch(Type type, System.Reflection.MethodInfo method) => true;
    }
}

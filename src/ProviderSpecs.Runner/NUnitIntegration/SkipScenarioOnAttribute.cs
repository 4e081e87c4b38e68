using System.Collections.Concurrent;
using System.Reflection;

namespace ProviderSpecs.Runner.NUnitIntegration;

/// <summary>
/// Put on the test assembly: a step that throws an exception of this type (or a derived one) skips its scenario with
/// the exception's message as the reason, instead of failing it — for conditions outside the system under test that
/// make a scenario impossible to run (e.g. a spent budget). The outcome is "skipped" in NUnit and in the message stream.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
public sealed class SkipScenarioOnAttribute(Type exceptionType) : Attribute
{
    public Type ExceptionType { get; } = typeof(Exception).IsAssignableFrom(exceptionType)
        ? exceptionType
        : throw new ArgumentException($"{exceptionType} is not an exception type; [SkipScenarioOn] takes a type deriving from System.Exception.", nameof(exceptionType));
}

/// <summary>Answers whether an exception skips the running scenario, from the <see cref="SkipScenarioOnAttribute"/>s of the suites' assemblies.</summary>
public static class ScenarioSkips
{
    private static readonly ConcurrentDictionary<Assembly, Type[]> TypesByAssembly = new();

    /// <summary>Reads the assembly's declarations once; the feature fixtures call it before their scenarios run.</summary>
    public static void Register(Assembly testAssembly) =>
        TypesByAssembly.GetOrAdd(testAssembly, a => a.GetCustomAttributes<SkipScenarioOnAttribute>().Select(s => s.ExceptionType).ToArray());

    // Every registered suite's declarations count: the runtime asks from inside a step, where no assembly is at hand.
    public static bool IsSkip(Exception exception) =>
        TypesByAssembly.Values.Any(types => types.Any(t => t.IsInstanceOfType(exception)));
}

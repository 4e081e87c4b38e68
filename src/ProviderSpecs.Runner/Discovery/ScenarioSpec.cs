using System.Collections.Specialized;
using Io.Cucumber.Messages.Types;

namespace ProviderSpecs.Runner.Discovery;

/// <summary>One executable scenario: a pickle (a scenario, or one Examples row of an outline) with what Reqnroll needs to run it.</summary>
public sealed class ScenarioSpec
{
    internal ScenarioSpec(FeatureSpec? feature, Pickle pickle, int pickleIndex, string testName, string description,
        IReadOnlyList<string> ownTags, IReadOnlyList<string> inheritedTags, RuleSpec? rule,
        OrderedDictionary exampleArguments, IReadOnlyList<StepSpec> steps)
    {
        Pickle = pickle;
        PickleIndex = pickleIndex;
        TestName = testName;
        Description = description;
        OwnTags = ownTags;
        InheritedTags = inheritedTags;
        Rule = rule;
        ExampleArguments = exampleArguments;
        Steps = steps;
        _ = feature;
    }

    public Pickle Pickle { get; }

    /// <summary>0-based position of the pickle in its feature: Reqnroll uses it to find the pickle's messages.</summary>
    public int PickleIndex { get; }

    /// <summary>Readable, unique within the feature: "scenario title" or "outline title (column: value, …)".</summary>
    public string TestName { get; internal set; }

    public string Title => Pickle.Name;
    public string Description { get; }

    /// <summary>Scenario and Examples tags, without '@'.</summary>
    public IReadOnlyList<string> OwnTags { get; }

    /// <summary>Feature and Rule tags, without '@'.</summary>
    public IReadOnlyList<string> InheritedTags { get; }

    public IEnumerable<string> AllTags => InheritedTags.Concat(OwnTags).Distinct(StringComparer.Ordinal);

    public RuleSpec? Rule { get; }
    public OrderedDictionary ExampleArguments { get; }
    public IReadOnlyList<StepSpec> Steps { get; }

    public override string ToString() => TestName;
}

public sealed record RuleSpec(string Title, string Description, IReadOnlyList<string> Tags);

public enum StepKind { Given, When, Then }

/// <summary>A pickle step with the keyword written in the file ("And ", "But ") and its argument.</summary>
public sealed record StepSpec(StepKind Kind, string Keyword, string Text, string? DocString, IReadOnlyList<IReadOnlyList<string>>? DataTable);

namespace ProviderSpecs.Drivers.Completions;

/// <summary>
/// The JSON schemas the structured-output scenarios ask an answer to follow, by the name the features give them. The
/// living doc's guide (<em>Structured output</em>) shows each one, pulled from here, so what a reader sees is what the
/// scenarios send.
/// </summary>
public static class AnswerSchemas
{
    // begin-snippet: incident-summary-schema
    /// <summary>An incident summary: a short title, a severity, how many users were affected, one to four tags, resolved or not.</summary>
    public const string IncidentSummary = """
        {
          "type": "object",
          "properties": {
            "title":    { "type": "string", "minLength": 3, "maxLength": 80 },
            "severity": { "type": "string", "enum": ["low", "medium", "high"] },
            "affected": { "type": "integer", "minimum": 0, "maximum": 1000 },
            "tags":     { "type": "array", "items": { "type": "string" }, "minItems": 1, "maxItems": 4 },
            "resolved": { "type": "boolean" }
          },
          "required": ["title", "severity", "affected", "tags", "resolved"],
          "additionalProperties": false
        }
        """;
    // end-snippet

    /// <summary>The smallest useful schema: one required text field, <c>answer</c>.</summary>
    public const string OneAnswer = """
        { "type": "object", "properties": { "answer": { "type": "string" } }, "required": ["answer"] }
        """;

    private static readonly IReadOnlyDictionary<string, string> ByName = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["incident summary"] = IncidentSummary,
        ["one answer"] = OneAnswer,
    };

    /// <summary>The schema a feature names ("incident summary"), as JSON text.</summary>
    public static string Named(string name) => ByName.TryGetValue(name.Trim(), out var schema)
        ? schema
        : throw new ArgumentException($"No answer schema is called '{name}'; the features know: {string.Join(", ", ByName.Keys)}.");
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace ProviderSpecs.Drivers.Completions;

/// <summary>
/// A function the tool-calling scenarios offer a model, by the name the features give it: the function's name,
/// description and parameters (a JSON schema), the question that calls for it, and the result the scenario sends back.
/// </summary>
public sealed record OfferedTool(string Name, string Function, string Description, string Parameters, string Question, string Result)
{
    public AIFunctionDeclaration Declaration() =>
        AIFunctionFactory.CreateDeclaration(Function, Description, JsonSerializer.SerializeToElement(JsonNode.Parse(Parameters)));

    public JsonNode ParameterSchema => JsonNode.Parse(Parameters)!;
}

/// <summary>The tools the features name; the glossary's *offered tool* says what each one is.</summary>
public static class OfferedTools
{
    // begin-snippet: weather-lookup-tool
    public static readonly OfferedTool WeatherLookup = new(
        Name: "weather lookup",
        Function: "get_weather",
        Description: "The current weather in a city.",
        Parameters: """
            {
              "type": "object",
              "properties": {
                "city": { "type": "string", "description": "The city, e.g. Paris" },
                "unit": { "type": "string", "enum": ["celsius", "fahrenheit"] }
              },
              "required": ["city", "unit"]
            }
            """,
        Question: "What is the weather in Paris right now? Use the get_weather tool, in celsius.",
        Result: """{"city": "Paris", "temperature": 18, "unit": "celsius", "sky": "clear"}""");
    // end-snippet

    public static readonly OfferedTool LocalTime = new(
        Name: "local time",
        Function: "get_local_time",
        Description: "The current local time in a city.",
        Parameters: """{ "type": "object", "properties": { "city": { "type": "string" } }, "required": ["city"] }""",
        Question: "What is the local time in Tokyo right now?",
        Result: """{"city": "Tokyo", "time": "09:30"}""");

    private static readonly IReadOnlyDictionary<string, OfferedTool> ByName =
        new[] { WeatherLookup, LocalTime }.ToDictionary(t => t.Name, StringComparer.OrdinalIgnoreCase);

    public static OfferedTool Named(string name) => ByName.TryGetValue(name.Trim(), out var tool)
        ? tool
        : throw new ArgumentException($"No tool is named '{name}'. Tools the features may offer: {string.Join(", ", ByName.Keys.Select(k => $"\"{k}\""))}.");
}

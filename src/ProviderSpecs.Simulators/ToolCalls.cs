using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ProviderSpecs.Simulators;

/// <summary>A function the request offers the model (<c>tools[].function</c>).</summary>
internal sealed record OfferedTool(string Name, string Description, JsonNode? Parameters);

/// <summary>
/// The request's tools and <c>tool_choice</c>: <c>none</c>, <c>auto</c> (the default with tools), <c>required</c>, or one
/// named function (<c>{"type": "function", "function": {"name": …}}</c>, <see cref="Named"/>).
/// </summary>
internal sealed record ToolRequest(IReadOnlyList<OfferedTool> Tools, string Choice, string? Named, bool Parallel)
{
    public static readonly ToolRequest None = new([], "none", null, true);

    private static readonly Regex FunctionName = new("^[a-zA-Z0-9_-]{1,64}$", RegexOptions.CultureInvariant);

    /// <summary>Reads <c>tools</c>, <c>tool_choice</c> and <c>parallel_tool_calls</c>, or gives the 400 the providers answer.</summary>
    public static (ToolRequest? Tools, ErrorReply? Error) Parse(JsonObject request, ProviderDialect dialect)
    {
        var tools = new List<OfferedTool>();
        if (request["tools"] is { } toolsNode)
        {
            if (toolsNode is not JsonArray list) return (null, dialect.InvalidField("'tools' : value must be an array", "tools"));
            foreach (var (entry, index) in list.Select((t, i) => (t, i)))
            {
                var where = $"tools.{index}";
                if (entry?["type"]?.ToString() != "function")
                    return (null, dialect.InvalidField($"'{where}.type' : value must be 'function'", $"{where}.type"));
                var function = entry["function"] as JsonObject;
                if (function?["name"] is not JsonValue nameValue || !nameValue.TryGetValue<string>(out var name) || !FunctionName.IsMatch(name))
                    return (null, dialect.InvalidField($"'{where}.function.name' : a function name of letters, digits, '_' and '-' (at most 64) is required", $"{where}.function.name"));
                if (function["parameters"] is { } parameters && parameters is not JsonObject)
                    return (null, dialect.InvalidField($"'{where}.function.parameters' : value must be a JSON Schema object", $"{where}.function.parameters"));
                if (tools.Any(t => t.Name == name))
                    return (null, dialect.InvalidField($"'{where}.function.name' : the function '{name}' is offered twice", $"{where}.function.name"));
                tools.Add(new OfferedTool(name, function["description"]?.ToString() ?? "", function["parameters"]));
            }
        }

        var choice = tools.Count > 0 ? "auto" : "none";
        string? named = null;
        switch (request["tool_choice"])
        {
            case null:
                break;
            case JsonValue mode when mode.TryGetValue<string>(out var text) && text is "none" or "auto" or "required":
                choice = text;
                break;
            case JsonObject selected when (selected["function"]?["name"]?.ToString()) is { } name:
                choice = "function";
                named = name;
                break;
            default:
                return (null, dialect.InvalidField("'tool_choice' : value must be 'none', 'auto', 'required' or {\"type\": \"function\", \"function\": {\"name\": …}}", "tool_choice"));
        }
        if (choice is "required" or "function" && tools.Count == 0)
            return (null, dialect.InvalidField("'tool_choice' asks for a tool call, but the request offers no 'tools'", "tool_choice"));
        if (named is not null && tools.All(t => t.Name != named))
            return (null, dialect.InvalidField($"'tool_choice' names the function '{named}', which is not among the request's 'tools'", "tool_choice"));
        var parallel = request["parallel_tool_calls"] is not JsonValue p || !p.TryGetValue<bool>(out var allowed) || allowed;
        return (new ToolRequest(tools, choice, named, parallel), null);
    }

    /// <summary>
    /// The functions the model calls. After a tool's result (the last message is the tool's) the model answers in text,
    /// unless a call is required. <c>auto</c> calls the tools the last user message mentions (every word of the name
    /// longer than three letters appears in it: "What is the weather in Paris?" mentions <c>get_weather</c>);
    /// <c>required</c> calls those, or the first tool when none is mentioned; a named choice calls that function.
    /// <c>parallel_tool_calls</c> false keeps the first call only.
    /// </summary>
    public IReadOnlyList<OfferedTool> ToCall(string lastRole, string lastUserText)
    {
        if (Choice == "none" || (lastRole == "tool" && Choice == "auto")) return [];
        if (Choice == "function") return [Tools.First(t => t.Name == Named)];
        var mentioned = Tools.Where(t => Mentions(lastUserText, t.Name)).ToList();
        if (mentioned.Count == 0 && Choice == "required") mentioned.Add(Tools[0]);
        return Parallel ? mentioned : mentioned.Take(1).ToList();
    }

    private static bool Mentions(string text, string name)
    {
        var words = name.Split(['_', '-'], StringSplitOptions.RemoveEmptyEntries).Where(w => w.Length > 3).ToList();
        return words.Count > 0 && words.All(w => text.Contains(w, StringComparison.OrdinalIgnoreCase));
    }
}

/// <summary>One function call the answer makes: its id, the function and the arguments (a JSON text, as sent).</summary>
internal sealed record PlannedToolCall(string Id, string Name, string Arguments)
{
    /// <summary>The tokens the call costs: its name, and the arguments at one token per 4 characters (as JSON answers).</summary>
    public int Tokens => 1 + (Arguments.Length + 3) / 4;
}

using System.Text.Json;
using System.Text.Json.Nodes;

namespace ProviderSpecs.Drivers.Completions;

/// <summary>
/// A small JSON Schema check, enough for the schemas the features give: type (incl. a list of types), properties,
/// required, additionalProperties: false, enum, const, minimum/maximum, minLength/maxLength, items, minItems/maxItems,
/// and local <c>$ref</c>. Returns every violation as "path: problem"; an empty list means the value conforms.
/// </summary>
public static class JsonShape
{
    public static IReadOnlyList<string> Violations(JsonNode schema, JsonNode? value)
    {
        var problems = new List<string>();
        Check(schema, schema, value, "$", problems, 0);
        return problems;
    }

    private static void Check(JsonNode root, JsonNode? schemaNode, JsonNode? value, string path, List<string> problems, int depth)
    {
        if (schemaNode is not JsonObject schema || depth > 32) return;
        if (schema["$ref"]?.GetValue<string>() is { } reference)
        {
            Check(root, Resolve(root, reference), value, path, problems, depth + 1);
            return;
        }
        if (schema["const"] is { } constant && !JsonNode.DeepEquals(constant, value))
            problems.Add($"{path}: must be {constant.ToJsonString()}, is {Text(value)}");
        if (schema["enum"] is JsonArray options && !options.Any(o => JsonNode.DeepEquals(o, value)))
            problems.Add($"{path}: must be one of {options.ToJsonString()}, is {Text(value)}");

        var types = schema["type"] switch
        {
            JsonValue one => [one.GetValue<string>()],
            JsonArray many => many.Select(t => t!.GetValue<string>()).ToList(),
            _ => new List<string>(),
        };
        if (types.Count > 0 && !types.Any(t => IsOfType(value, t)))
        {
            problems.Add($"{path}: must be {string.Join(" or ", types)}, is {Text(value)}");
            return;
        }

        switch (value)
        {
            case JsonObject obj:
                var properties = schema["properties"] as JsonObject;
                if (schema["required"] is JsonArray required)
                    foreach (var name in required.Select(r => r!.GetValue<string>()).Where(n => !obj.ContainsKey(n)))
                        problems.Add($"{path}: the required property '{name}' is missing");
                if (properties is not null)
                    foreach (var (name, propertyValue) in obj)
                        if (properties[name] is { } propertySchema) Check(root, propertySchema, propertyValue, $"{path}.{name}", problems, depth + 1);
                if (schema["additionalProperties"] is JsonValue extra && extra.GetValueKind() == JsonValueKind.False)
                    foreach (var name in obj.Select(p => p.Key).Where(n => properties?.ContainsKey(n) != true))
                        problems.Add($"{path}: the property '{name}' is not allowed");
                break;
            case JsonArray array:
                if (Number(schema["minItems"]) is { } minItems && array.Count < minItems) problems.Add($"{path}: needs at least {minItems} items, has {array.Count}");
                if (Number(schema["maxItems"]) is { } maxItems && array.Count > maxItems) problems.Add($"{path}: allows at most {maxItems} items, has {array.Count}");
                for (var i = 0; i < array.Count; i++) Check(root, schema["items"], array[i], $"{path}[{i}]", problems, depth + 1);
                break;
            case JsonValue scalar when scalar.GetValueKind() == JsonValueKind.String:
                var text = scalar.GetValue<string>();
                if (Number(schema["minLength"]) is { } minLength && text.Length < minLength) problems.Add($"{path}: needs at least {minLength} characters, has {text.Length}");
                if (Number(schema["maxLength"]) is { } maxLength && text.Length > maxLength) problems.Add($"{path}: allows at most {maxLength} characters, has {text.Length}");
                break;
            case JsonValue scalar when scalar.GetValueKind() == JsonValueKind.Number:
                var number = scalar.GetValue<double>();
                if (Number(schema["minimum"]) is { } minimum && number < minimum) problems.Add($"{path}: must be at least {minimum}, is {number}");
                if (Number(schema["maximum"]) is { } maximum && number > maximum) problems.Add($"{path}: must be at most {maximum}, is {number}");
                break;
        }
    }

    private static bool IsOfType(JsonNode? value, string type) => type switch
    {
        "object" => value is JsonObject,
        "array" => value is JsonArray,
        "string" => value is JsonValue v && v.GetValueKind() == JsonValueKind.String,
        "number" => value is JsonValue v && v.GetValueKind() == JsonValueKind.Number,
        "integer" => value is JsonValue v && v.GetValueKind() == JsonValueKind.Number && Math.Abs(v.GetValue<double>() % 1) < double.Epsilon,
        "boolean" => value is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False,
        "null" => value is null,
        _ => true,
    };

    private static JsonNode? Resolve(JsonNode root, string reference)
    {
        if (!reference.StartsWith('#')) return null;
        JsonNode? node = root;
        foreach (var part in reference.TrimStart('#').Split('/', StringSplitOptions.RemoveEmptyEntries))
            node = node?[part.Replace("~1", "/").Replace("~0", "~")];
        return node;
    }

    private static double? Number(JsonNode? node) => node is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;

    private static string Text(JsonNode? value) => value?.ToJsonString() ?? "null";
}

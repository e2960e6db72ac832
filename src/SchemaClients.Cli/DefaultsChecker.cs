using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using NJsonSchema;
using NJsonSchema.Validation;

namespace SchemaClients.Cli;

/// <summary>
/// Checks a document's own <c>default</c>, <c>example</c> and <c>examples</c> values against the schemas they
/// sit in, with NJsonSchema as an independent validator. Findings are the provider's inconsistencies
/// (a default below its own minimum), reported as warnings. NJsonSchema is slow to load a schema, so
/// every value of a document is checked in one validation of one combined schema.
/// </summary>
internal static class DefaultsChecker
{
    private const string Prefix = "__check_";

    /// <summary>How long the check of one document may take.</summary>
    internal static readonly TimeSpan CheckBudget = TimeSpan.FromSeconds(5);

    public static async Task<List<string>> CheckAsync(string text)
    {
        JsonNode? document = JsonNode.Parse(text);
        if (document is not JsonObject rootObject)
        {
            return new List<string>();
        }

        // References in embedded schemas are relative to the embedded root, so that root is what NJsonSchema loads.
        JsonObject root = rootObject["json_request_schema"] is JsonObject oxen ? oxen
            : rootObject["latest_version"]?["openapi_schema"] is JsonObject replicate ? replicate
            : rootObject;

        var values = new List<(string Pointer, string What, JsonNode? Value)>();
        Collect(root, "#", values, underProperties: false);
        if (values.Count == 0)
        {
            return new List<string>();
        }

        // NJsonSchema resolves references only among schemas it knows as schemas, so component schemas
        // and $defs become definitions, the root schema becomes one more, and references follow.
        var definitions = new JsonObject();
        foreach (string container in new[] { "definitions", "$defs" })
        {
            if (root[container] is JsonObject defs)
            {
                foreach ((string name, JsonNode? schemaNode) in defs)
                {
                    definitions[name] = Rewrite(schemaNode?.DeepClone());
                }
            }
        }

        if (root["components"]?["schemas"] is JsonObject components)
        {
            foreach ((string name, JsonNode? schemaNode) in components)
            {
                definitions[name] = Rewrite(schemaNode?.DeepClone());
            }
        }

        if (root["openapi"] == null)
        {
            JsonObject self = (JsonObject)root.DeepClone();
            self.Remove("definitions");
            self.Remove("$defs");
            definitions[RootName] = Rewrite(self);
        }

        var combined = new JsonObject { ["definitions"] = definitions };
        var properties = new JsonObject();
        var instance = new JsonObject();
        values = values.Select(v => (RewritePointer(v.Pointer) ?? string.Empty, v.What, v.Value)).Where(v => v.Item1.Length > 0).ToList();
        for (int i = 0; i < values.Count; i++)
        {
            properties[Prefix + i.ToString(CultureInfo.InvariantCulture)] = new JsonObject { ["$ref"] = values[i].Pointer };
            instance[Prefix + i.ToString(CultureInfo.InvariantCulture)] = values[i].Value?.DeepClone();
        }

        combined["properties"] = properties;
        JsonSchema schema;
        try
        {
            schema = await JsonSchema.FromJsonAsync(combined.ToJsonString()).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new List<string> { "NJsonSchema could not load the document to check its defaults: " + e.Message };
        }

        var warnings = new List<string>();
        ICollection<ValidationError> errors;
        try
        {
            // NJsonSchema matches a schema's patterns with no timeout of its own: a pattern that backtracks (^(a+)+$)
            // would hang the check. The tool sets a process-wide regex timeout (Program.Main); here, the check as a
            // whole gets a budget too, so no document can stop the tool.
            string json = instance.ToJsonString();
            Task<ICollection<ValidationError>> check = Task.Factory.StartNew(() => schema.Validate(json), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            if (!check.Wait(CheckBudget))
            {
                return new List<string> { "the check of this document's defaults did not finish in " + CheckBudget.TotalSeconds.ToString(CultureInfo.InvariantCulture) + " s (a pattern that backtracks?); its defaults are not checked" };
            }

            errors = check.Result;
        }
        catch (AggregateException e) when (e.InnerException is RegexMatchTimeoutException timeout)
        {
            return new List<string> { "a pattern took too long to match a default (" + timeout.Pattern + "); this document's defaults are not checked" };
        }
        catch (AggregateException e) when (e.InnerException is InvalidOperationException or ArgumentException or FormatException)
        {
            return new List<string> { "NJsonSchema could not check the defaults of this document: " + e.InnerException!.Message };
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException)
        {
            return new List<string> { "NJsonSchema could not check the defaults of this document: " + e.Message };
        }

        // One warning per value; an anyOf that no branch accepts names each branch's complaint.
        var kinds = new SortedDictionary<int, List<string>>();
        foreach (ValidationError error in Flatten(errors))
        {
            string path = error.Path ?? string.Empty;
            int at = path.IndexOf(Prefix, StringComparison.Ordinal);
            if (at < 0)
            {
                continue;
            }

            string digits = new(path.Substring(at + Prefix.Length).TakeWhile(char.IsDigit).ToArray());
            if (int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int index) && index < values.Count)
            {
                List<string> list = kinds.TryGetValue(index, out List<string>? existing) ? existing : kinds[index] = new List<string>();
                if (!list.Contains(error.Kind.ToString()))
                {
                    list.Add(error.Kind.ToString());
                }
            }
        }

        foreach ((int index, List<string> found) in kinds)
        {
            (string pointer, string what, JsonNode? value) = values[index];
            warnings.Add($"{what} {value?.ToJsonString() ?? "null"} at {pointer} breaks its own schema: {string.Join(" / ", found)}");
        }

        return warnings;
    }

    private static IEnumerable<ValidationError> Flatten(IEnumerable<ValidationError> errors)
    {
        foreach (ValidationError error in errors)
        {
            if (error is ChildSchemaValidationError child)
            {
                bool any = false;
                foreach (ValidationError inner in Flatten(child.Errors.SelectMany(e => e.Value)))
                {
                    any = true;
                    yield return new ValidationError(inner.Kind, inner.Property, error.Path, null, inner.Schema);
                }

                if (!any)
                {
                    yield return error;
                }
            }
            else
            {
                yield return error;
            }
        }
    }

    private const string RootName = "__root";

    /// <summary>Where a pointer into the document lands once schemas are gathered under definitions; null when outside them.</summary>
    private static string? RewritePointer(string pointer)
    {
        foreach ((string from, string to) in new[] { ("#/components/schemas/", "#/definitions/"), ("#/$defs/", "#/definitions/"), ("#/definitions/", "#/definitions/") })
        {
            if (pointer.StartsWith(from, StringComparison.Ordinal))
            {
                return to + pointer.Substring(from.Length);
            }
        }

        return pointer == "#" || pointer.StartsWith("#/properties/", StringComparison.Ordinal) || pointer.StartsWith("#/items", StringComparison.Ordinal)
            ? "#/definitions/" + RootName + pointer.Substring(1)
            : null;
    }

    private static JsonNode? Rewrite(JsonNode? node)
    {
        if (node is JsonObject obj)
        {
            foreach (string key in obj.Select(p => p.Key).ToList())
            {
                if (key == "$ref" && obj[key] is JsonValue v && v.TryGetValue(out string? reference))
                {
                    obj[key] = RewritePointer(reference) ?? reference;
                }
                else
                {
                    Rewrite(obj[key]);
                }
            }
        }
        else if (node is JsonArray array)
        {
            foreach (JsonNode? item in array)
            {
                Rewrite(item);
            }
        }

        return node;
    }

    private static string Escape(string token) => token.Replace("~", "~0").Replace("/", "~1");

    /// <summary>Finds the defaults and examples of property schemas (the values a user would copy).</summary>
    private static void Collect(JsonNode? node, string pointer, List<(string, string, JsonNode?)> values, bool underProperties)
    {
        if (node is JsonObject obj)
        {
            if (underProperties)
            {
                if (obj.TryGetPropertyValue("default", out JsonNode? value))
                {
                    values.Add((pointer, "default", value));
                }

                if (obj.TryGetPropertyValue("example", out JsonNode? example))
                {
                    values.Add((pointer, "example", example));
                }

                if (obj["examples"] is JsonArray examples)
                {
                    foreach (JsonNode? item in examples)
                    {
                        values.Add((pointer, "example", item));
                    }
                }
            }

            foreach ((string key, JsonNode? child) in obj)
            {
                if (key is "default" or "example" or "examples" or "enum" or "const")
                {
                    continue;
                }

                if (key == "properties" && child is JsonObject props)
                {
                    // A map of names to schemas: each value is a property schema, the map itself is not.
                    foreach ((string name, JsonNode? property) in props)
                    {
                        Collect(property, pointer + "/properties/" + Escape(name), values, underProperties: true);
                    }
                }
                else
                {
                    Collect(child, pointer + "/" + Escape(key), values, underProperties: false);
                }
            }
        }
        else if (node is JsonArray array)
        {
            for (int i = 0; i < array.Count; i++)
            {
                Collect(array[i], pointer + "/" + i.ToString(CultureInfo.InvariantCulture), values, underProperties: false);
            }
        }
    }
}

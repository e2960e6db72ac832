using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.CodeAnalysis;
using NJsonSchema;
using NetSchema = Json.Schema.JsonSchema;
using SchemaClients.Generator.Tests.Infrastructure;
using SchemaClients.Validation;
using Xunit;
using Xunit.Abstractions;

namespace SchemaClients.Generator.Tests;

/// <summary>
/// The generated <c>ValidateJson</c> against two independent validators (NJsonSchema, and JsonSchema.Net, which
/// follows the newer drafts closely) on payloads built around every limit of every request schema in schemas/ and the
/// public corpus: each property just inside and just outside its bounds, lengths, enums and type. Disagreements are
/// listed by validator and rule; only the rules where that validator departs from JSON Schema are allowed, each named
/// with why (the specification decides).
/// </summary>
public sealed class IndependentValidatorTests(ITestOutputHelper output)
{
    /// <summary>Rules where NJsonSchema 11.6 is the one that departs from the specification.</summary>
    private static readonly Dictionary<string, string> NJsonSchemaDeparts = new(StringComparer.Ordinal)
    {
        ["pattern"] = "NJsonSchema runs patterns as .NET regular expressions, whose $ also matches before a final newline; JSON Schema says ECMA-262, whose $ is the end of the text",
    };

    /// <summary>Rules where JsonSchema.Net 8.0 is the one that departs from the specification.</summary>
    private static readonly Dictionary<string, string> JsonSchemaNetDeparts = new(StringComparer.Ordinal)
    {
        ["pattern"] = "JsonSchema.Net also matches patterns with .NET regular expressions, whose $ matches before a final newline (\"1:1\\n\" passes ^...$); ECMA-262, which JSON Schema names, ends $ at the end of the text",
    };

    /// <summary>
    /// JsonSchema.Net reads the standalone documents as draft 7 (they keep components under <c>definitions</c>, and
    /// OpenAPI's <c>$ref</c> ignores its siblings, as draft 7's does), with unknown keywords (OpenAPI's <c>nullable</c>,
    /// <c>example</c>, vendor <c>x-</c> keywords) allowed as annotations.
    /// </summary>
    private static readonly Json.Schema.BuildOptions NetBuild = new()
    {
        Dialect = Json.Schema.DialectExtensions.With(Json.Schema.Dialect.Draft07, Array.Empty<Json.Schema.IKeywordHandler>(), new Uri("https://schemaclients.test/draft-07-open"), null, true),
    };

    private sealed record Target(string Label, string Provider, string File, JsonObject Schema, JsonObject Definitions);

    private sealed record Probe(string Label, string Property, string Rule, JsonObject Payload);

    [Fact]
    public async System.Threading.Tasks.Task GeneratedValidatorsAgreeWithNJsonSchemaAndJsonSchemaNetAroundEveryLimit()
    {
        var files = new List<(string Path, string Provider)>();
        files.AddRange(Directory.GetFiles(TestPaths.Schemas, "*.json", SearchOption.AllDirectories).Where(p => Path.GetFileName(p) != "manifest.json")
            .Select(p => (p, Path.GetFileName(Path.GetDirectoryName(p)!))));
        if (TestPaths.SharedAvailable)
        {
            files.AddRange(GeneratorHarness.CorpusFiles().Select(p => (p, Path.GetFileName(Path.GetDirectoryName(p)!))));
        }

        var targets = files.Select(f => RequestSchema(f.Path, f.Provider)).Where(t => t != null).Select(t => t!).ToList();
        GeneratorHarness.Run run = GeneratorHarness.RunGenerator(targets.Select(t => GeneratorHarness.FromDisk(t.File, t.Provider)));
        Assembly assembly = CompiledOutput.Load(run.Output);
        Dictionary<string, MethodInfo> validators = Validators(run, assembly);

        var disagreements = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        var netDisagreements = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        var perSchema = new List<string>();
        int total = 0, agreed = 0, netTotal = 0, netAgreed = 0, netUnloadable = 0;
        foreach (Target target in targets)
        {
            if (!validators.TryGetValue(target.Provider + "/" + Path.GetFileName(target.File), out MethodInfo? validate))
            {
                perSchema.Add(target.Label + ": no generated request validator (skipped)");
                continue;
            }

            JsonSchema independent = await JsonSchema.FromJsonAsync(Standalone(target).ToJsonString());
            NetSchema? second = null;
            try
            {
                second = NetSchema.FromText(Standalone(target).ToJsonString(), NetBuild);
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException or Json.Schema.RefResolutionException)
            {
                netUnloadable++; // a document JsonSchema.Net will not load (OpenAPI 3.0's boolean exclusiveMinimum, say): no verdicts from it
            }

            int cases = 0, same = 0;
            foreach (Probe probe in Probes(target))
            {
                string json = probe.Payload.ToJsonString();
                using JsonDocument document = JsonDocument.Parse(json);
                bool ours = ((ValidationResult)validate.Invoke(null, new object[] { document.RootElement })!).IsValid;
                if (second != null)
                {
                    bool? net = null;
                    try
                    {
                        net = second.Evaluate(document.RootElement).IsValid;
                    }
                    catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException or Json.Schema.RefResolutionException)
                    {
                        // JsonSchema.Net could not evaluate this payload: not a verdict
                    }

                    if (net is bool verdict)
                    {
                        netTotal++;
                        if (verdict == ours)
                        {
                            netAgreed++;
                        }
                        else
                        {
                            if (!netDisagreements.TryGetValue(probe.Rule, out List<string>? netList))
                            {
                                netDisagreements[probe.Rule] = netList = new List<string>();
                            }

                            netList.Add(target.Label + " " + probe.Property + " = " + Shorten(json) + ": generated " + (ours ? "valid" : "invalid") + ", JsonSchema.Net " + (verdict ? "valid" : "invalid"));
                        }
                    }
                }

                bool theirs;
                try
                {
                    theirs = independent.Validate(json).Count == 0;
                }
                catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException)
                {
                    continue; // NJsonSchema could not evaluate this payload: not a verdict
                }

                cases++;
                if (ours == theirs)
                {
                    same++;
                    continue;
                }

                if (!disagreements.TryGetValue(probe.Rule, out List<string>? list))
                {
                    disagreements[probe.Rule] = list = new List<string>();
                }

                list.Add(target.Label + " " + probe.Property + " = " + Shorten(json) + ": generated " + (ours ? "valid" : "invalid") + ", NJsonSchema " + (theirs ? "valid" : "invalid"));
            }

            total += cases;
            agreed += same;
            perSchema.Add(target.Label + ": " + same + "/" + cases + (cases == 0 ? string.Empty : " (" + (100.0 * same / cases).ToString("F1", CultureInfo.InvariantCulture) + "%)"));
        }

        var report = new StringBuilder();
        report.Append(CultureInfo.InvariantCulture, $"independent validator (NJsonSchema): {targets.Count} request schemas, {total} payloads, agreement {agreed}/{total} ({(total == 0 ? 0 : 100.0 * agreed / total):F2}%)").AppendLine();
        foreach (KeyValuePair<string, List<string>> pair in disagreements)
        {
            string why = NJsonSchemaDeparts.TryGetValue(pair.Key, out string? reason) ? "NJsonSchema departs from the spec: " + reason : "NOT EXPLAINED";
            report.Append("  ").Append(pair.Key).Append(": ").Append(pair.Value.Count).Append(" (").Append(why).AppendLine(")");
            foreach (string example in pair.Value.Take(3))
            {
                report.Append("    ").AppendLine(example);
            }
        }

        report.Append(CultureInfo.InvariantCulture, $"second independent validator (JsonSchema.Net 8.0.5): {targets.Count - netUnloadable} of {targets.Count} request schemas loaded, {netTotal} payloads, agreement {netAgreed}/{netTotal} ({(netTotal == 0 ? 0 : 100.0 * netAgreed / netTotal):F2}%)").AppendLine();
        foreach (KeyValuePair<string, List<string>> pair in netDisagreements)
        {
            string why = JsonSchemaNetDeparts.TryGetValue(pair.Key, out string? reason) ? "JsonSchema.Net departs from the spec: " + reason : "NOT EXPLAINED";
            report.Append("  ").Append(pair.Key).Append(": ").Append(pair.Value.Count).Append(" (").Append(why).AppendLine(")");
            foreach (string example in pair.Value.Take(3))
            {
                report.Append("    ").AppendLine(example);
            }
        }

        report.AppendLine("per schema (NJsonSchema):");
        foreach (string line in perSchema)
        {
            report.Append("  ").AppendLine(line);
        }

        output.WriteLine(report.ToString());
        File.WriteAllText(Path.Combine(TestPaths.ReportDirectory, "independent-validator.txt"), report.ToString());
        // With ../shared: the 84 documents give over 2,000 payloads; without it, the repository's 4 give about 120.
        int expected = TestPaths.SharedAvailable ? 2000 : 100;
        Assert.True(total > expected, "too few payloads were compared for the test to say much (expected over " + expected + "):\n" + report);
        string[] unexplained = disagreements.Keys.Where(k => !NJsonSchemaDeparts.ContainsKey(k)).ToArray();
        Assert.True(unexplained.Length == 0, "disagreements not explained by a known NJsonSchema departure: " + string.Join(", ", unexplained) + "\n" + report);
        Assert.True(netTotal > expected / 2, "too few payloads reached JsonSchema.Net for it to say much:\n" + report);
        string[] netUnexplained = netDisagreements.Keys.Where(k => !JsonSchemaNetDeparts.ContainsKey(k)).ToArray();
        Assert.True(netUnexplained.Length == 0, "disagreements with JsonSchema.Net not explained by a known departure: " + string.Join(", ", netUnexplained) + "\n" + report);
    }

    /// <summary>The generated request validator of each document, by provider and file name, from the headers of the generated schema files.</summary>
    private static Dictionary<string, MethodInfo> Validators(GeneratorHarness.Run run, Assembly assembly)
    {
        var found = new Dictionary<string, MethodInfo>(StringComparer.Ordinal);
        foreach (SyntaxTree tree in run.Result.GeneratedTrees.Where(t => t.FilePath.EndsWith(".Schema.g.cs", StringComparison.Ordinal)))
        {
            string text = tree.ToString();
            System.Text.RegularExpressions.Match header = System.Text.RegularExpressions.Regex.Match(text, @"from (\S+) \(.*?provider '([^']*)'");
            System.Text.RegularExpressions.Match ns = System.Text.RegularExpressions.Regex.Match(text, @"^namespace ([\w.]+);", System.Text.RegularExpressions.RegexOptions.Multiline);
            if (!header.Success || !ns.Success || !text.Contains("request schema", StringComparison.Ordinal))
            {
                continue;
            }

            MethodInfo? method = assembly.GetType(ns.Groups[1].Value + ".SchemaValidator")?.GetMethod("ValidateJson");
            if (method != null)
            {
                found[header.Groups[2].Value + "/" + header.Groups[1].Value] = method;
            }
        }

        return found;
    }

    /// <summary>The schema the generator validates a request against: Oxen's json_request_schema, else the first JSON request body, as the generator picks it.</summary>
    private static Target? RequestSchema(string path, string provider)
    {
        JsonNode root = JsonNode.Parse(File.ReadAllText(path))!;
        string label = provider + "/" + Path.GetFileName(path);
        if (root["json_request_schema"] is JsonObject oxen)
        {
            return new Target(label, provider, path, oxen, new JsonObject());
        }

        JsonNode openApi = root["latest_version"]?["openapi_schema"] ?? root;
        if (openApi["paths"] is not JsonObject paths)
        {
            return null;
        }

        JsonObject definitions = openApi["components"]?["schemas"] is JsonObject schemas ? (JsonObject)schemas.DeepClone() : new JsonObject();
        foreach (KeyValuePair<string, JsonNode?> p in paths)
        {
            foreach (string method in new[] { "get", "put", "post", "delete", "patch", "head", "options" })
            {
                if (p.Value?[method]?["requestBody"]?["content"]?["application/json"]?["schema"] is JsonObject schema)
                {
                    return new Target(label, provider, path, (JsonObject)Rewrite(schema.DeepClone()), (JsonObject)Rewrite(definitions));
                }
            }
        }

        return null;
    }

    /// <summary>#/components/schemas/X becomes #/definitions/X, where a JSON Schema validator looks for it.</summary>
    private static JsonNode Rewrite(JsonNode node)
    {
        if (node is JsonObject o)
        {
            foreach (string key in o.Select(m => m.Key).ToList())
            {
                if (key == "$ref" && o[key] is JsonValue v && v.TryGetValue(out string? reference))
                {
                    o[key] = reference.Replace("#/components/schemas/", "#/definitions/", StringComparison.Ordinal);
                }
                else if (o[key] != null)
                {
                    Rewrite(o[key]!);
                }
            }
        }
        else if (node is JsonArray a)
        {
            foreach (JsonNode? item in a)
            {
                if (item != null)
                {
                    Rewrite(item);
                }
            }
        }

        return node;
    }

    private static JsonObject Standalone(Target target)
    {
        var schema = (JsonObject)target.Schema.DeepClone();
        schema["definitions"] = target.Definitions.DeepClone();
        return schema;
    }

    private JsonObject? Resolve(Target target, JsonNode? node, int depth = 0)
    {
        for (; depth < 16 && node is JsonObject o; depth++)
        {
            if (o["$ref"] is JsonValue r && r.TryGetValue(out string? reference))
            {
                node = reference.StartsWith("#/definitions/", StringComparison.Ordinal) ? target.Definitions[reference.Substring("#/definitions/".Length)] : null;
                continue;
            }

            if (o["allOf"] is JsonArray all && all.Count == 1 && o["properties"] == null)
            {
                node = all[0];
                continue;
            }

            return o;
        }

        return null;
    }

    /// <summary>A value the schema likely accepts: its default, an example, its first enum value, or one built from its type and limits.</summary>
    private JsonNode? Sample(Target target, JsonNode? node, int depth)
    {
        JsonObject? s = Resolve(target, node);
        if (s == null || depth > 4)
        {
            return null;
        }

        if (s["default"] is JsonNode d && d.GetValueKind() != JsonValueKind.Null)
        {
            return d.DeepClone();
        }

        if (s["enum"] is JsonArray e && e.Count > 0)
        {
            return e[0]?.DeepClone();
        }

        if (s["const"] is JsonNode c)
        {
            return c.DeepClone();
        }

        if (s["examples"] is JsonArray examples && examples.Count > 0)
        {
            return examples[0]?.DeepClone();
        }

        foreach (string union in new[] { "anyOf", "oneOf" })
        {
            if (s[union] is JsonArray branches)
            {
                foreach (JsonNode? branch in branches)
                {
                    JsonObject? b = Resolve(target, branch);
                    if (b?["type"]?.GetValue<string>() != "null")
                    {
                        return Sample(target, b, depth + 1);
                    }
                }
            }
        }

        switch (TypeOf(s))
        {
            case "string":
                string format = s["format"]?.GetValue<string>() ?? string.Empty;
                string text = format is "uri" or "url" ? "https://example.com/a.png" : format == "date-time" ? "2026-01-01T00:00:00Z" : "p";
                int min = s["minLength"]?.GetValue<int>() ?? 0;
                return text.Length >= min ? text : new string('p', min);
            case "integer":
                return (long)Math.Clamp(1, Low(s) ?? 1, High(s) ?? 1e15);
            case "number":
                return Math.Clamp(1.0, Low(s) ?? 1, High(s) ?? 1e15);
            case "boolean":
                return true;
            case "array":
                return new JsonArray();
            case "object":
                var result = new JsonObject();
                if (s["required"] is JsonArray required && s["properties"] is JsonObject properties)
                {
                    foreach (JsonNode? name in required)
                    {
                        string key = name!.GetValue<string>();
                        result[key] = Sample(target, properties[key], depth + 1);
                    }
                }

                return result;
            default:
                return "p";
        }
    }

    private static string? TypeOf(JsonObject s) => s["type"] switch
    {
        JsonValue v => v.GetValue<string>(),
        JsonArray a => a.Select(t => t?.GetValue<string>()).FirstOrDefault(t => t != "null"),
        _ => s["properties"] != null ? "object" : null,
    };

    private static double? Low(JsonObject s) => s["minimum"]?.GetValue<double>() ?? (s["exclusiveMinimum"] is JsonValue x && x.GetValueKind() == JsonValueKind.Number ? x.GetValue<double>() + 1 : null);

    private static double? High(JsonObject s) => s["maximum"]?.GetValue<double>() ?? (s["exclusiveMaximum"] is JsonValue x && x.GetValueKind() == JsonValueKind.Number ? x.GetValue<double>() - 1 : null);

    /// <summary>For each property of the request (and of its object properties, one level down): values at and past each limit.</summary>
    private IEnumerable<Probe> Probes(Target target)
    {
        if (Sample(target, target.Schema, 0) is not JsonObject basePayload)
        {
            yield break;
        }

        JsonObject? root = Resolve(target, target.Schema);
        if (root?["properties"] is not JsonObject properties)
        {
            yield break;
        }

        foreach (KeyValuePair<string, JsonNode?> property in properties)
        {
            foreach (Probe probe in ValuesFor(target, property.Value, property.Key))
            {
                var payload = (JsonObject)basePayload.DeepClone();
                payload[property.Key] = probe.Payload["v"]?.DeepClone();
                yield return probe with { Payload = payload };
            }

            // One level into an object property (Replicate's input, apiframe's fluxParams).
            JsonObject? nested = Resolve(target, property.Value);
            if (nested?["properties"] is JsonObject inner && TypeOf(nested) == "object")
            {
                JsonNode? nestedBase = basePayload[property.Key] is JsonObject existing ? existing : Sample(target, nested, 1);
                foreach (KeyValuePair<string, JsonNode?> innerProperty in inner)
                {
                    foreach (Probe probe in ValuesFor(target, innerProperty.Value, property.Key + "." + innerProperty.Key))
                    {
                        var payload = (JsonObject)basePayload.DeepClone();
                        var child = nestedBase is JsonObject n ? (JsonObject)n.DeepClone() : new JsonObject();
                        child[innerProperty.Key] = probe.Payload["v"]?.DeepClone();
                        payload[property.Key] = child;
                        yield return probe with { Payload = payload };
                    }
                }
            }
        }
    }

    private IEnumerable<Probe> ValuesFor(Target target, JsonNode? node, string name)
    {
        JsonObject? s = Resolve(target, node);
        if (s == null)
        {
            yield break;
        }

        Probe P(string rule, JsonNode? value) => new(target.Label, name, rule, new JsonObject { ["v"] = value });
        string? type = TypeOf(s);
        if (s["enum"] is JsonArray e && e.Count > 0)
        {
            yield return P("enum", e[0]?.DeepClone());
            yield return P("enum", e[0]?.GetValueKind() == JsonValueKind.String ? "not-one-of-them" : 987654321);
        }

        bool integer = type == "integer";
        double step = integer ? 1 : 0.5;
        JsonNode Num(double v) => integer ? JsonValue.Create((long)v) : JsonValue.Create(v);
        if (s["minimum"] is JsonValue min && min.GetValueKind() == JsonValueKind.Number)
        {
            yield return P("minimum", Num(min.GetValue<double>()));
            yield return P("minimum", Num(min.GetValue<double>() - step));
        }

        if (s["maximum"] is JsonValue max && max.GetValueKind() == JsonValueKind.Number)
        {
            yield return P("maximum", Num(max.GetValue<double>()));
            yield return P("maximum", Num(max.GetValue<double>() + step));
        }

        if (s["exclusiveMinimum"] is JsonValue xmin && xmin.GetValueKind() == JsonValueKind.Number)
        {
            yield return P("exclusiveMinimum", Num(xmin.GetValue<double>()));
            yield return P("exclusiveMinimum", Num(xmin.GetValue<double>() + step));
        }

        if (s["exclusiveMaximum"] is JsonValue xmax && xmax.GetValueKind() == JsonValueKind.Number)
        {
            yield return P("exclusiveMaximum", Num(xmax.GetValue<double>()));
            yield return P("exclusiveMaximum", Num(xmax.GetValue<double>() - step));
        }

        if (s["maxLength"] is JsonValue maxLength)
        {
            yield return P("maxLength", Text(s, maxLength.GetValue<int>()));
            yield return P("maxLength", Text(s, maxLength.GetValue<int>() + 1));
        }

        if (s["minLength"] is JsonValue minLength && minLength.GetValue<int>() > 0)
        {
            // A URI of one character does not exist: NJsonSchema asserts format, which JSON Schema leaves optional
            // (draft 4 to 7) or makes an annotation (2019-09 on), so such a probe would test format, not length.
            foreach (int length in new[] { minLength.GetValue<int>(), minLength.GetValue<int>() - 1 })
            {
                if (!HasFormat(s) || length >= 20)
                {
                    yield return P("minLength", Text(s, length));
                }
            }
        }

        if (s["maxItems"] is JsonValue maxItems && maxItems.GetValue<int>() < 64)
        {
            JsonNode? item = Sample(target, s["items"], 2);
            foreach (int count in new[] { maxItems.GetValue<int>(), maxItems.GetValue<int>() + 1 })
            {
                yield return P("maxItems", new JsonArray(Enumerable.Range(0, count).Select(_ => item?.DeepClone()).ToArray()));
            }
        }

        if (s["pattern"] is not null)
        {
            foreach (JsonNode? example in (s["examples"] as JsonArray ?? new JsonArray()).Take(3))
            {
                yield return P("pattern", example?.DeepClone());
            }

            yield return P("pattern", "1:1\n");
        }

        if (s["nullable"] is JsonValue nullable && nullable.GetValueKind() == JsonValueKind.True)
        {
            yield return P("nullable", null);
        }

        switch (type)
        {
            case "integer":
                yield return P("type", 1.5);
                yield return P("type", "1");
                break;
            case "number":
                yield return P("type", "1.5");
                break;
            case "string" when s["enum"] == null:
                yield return P("type", 5);
                break;
            case "boolean":
                yield return P("type", "true");
                yield return P("type", false);
                break;
        }
    }

    /// <summary>A string of exactly <paramref name="length"/> characters that keeps the schema's format where it can (a URI stays a URI), so only the length is tested.</summary>
    private static string Text(JsonObject s, int length)
    {
        string format = s["format"]?.GetValue<string>() ?? string.Empty;
        string prefix = format is "uri" or "url" or "uri-reference" ? "https://example.com/" : string.Empty;
        return length >= prefix.Length ? prefix + new string('a', length - prefix.Length) : new string('a', length);
    }

    private static bool HasFormat(JsonObject s) => s["format"]?.GetValue<string>() is "uri" or "url" or "uri-reference";

    private static string Shorten(string text) => text.Length > 160 ? text.Substring(0, 157) + "..." : text;
}

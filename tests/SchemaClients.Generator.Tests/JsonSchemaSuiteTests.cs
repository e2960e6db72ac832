using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.CodeAnalysis;
using SchemaClients.Generator.Tests.Infrastructure;
using SchemaClients.Validation;
using SchemaClients.Testing;
using Xunit;
using Xunit.Abstractions;

namespace SchemaClients.Generator.Tests;

/// <summary>
/// The official JSON Schema Test Suite (draft2020-12 and draft4): for every case whose schema uses only
/// supported keywords, the generated JSON validator's verdict equals the suite's. Groups that use other
/// keywords are skipped and counted, each with its reason.
/// </summary>
public sealed class JsonSchemaSuiteTests(ITestOutputHelper output)
{
    /// <summary>Keywords whose value is one subschema.</summary>
    private static readonly HashSet<string> SubschemaKeywords = new() { "additionalProperties", "items", "not" };

    /// <summary>Keywords whose value is a list of subschemas.</summary>
    private static readonly HashSet<string> SubschemaListKeywords = new() { "allOf", "anyOf", "oneOf" };

    /// <summary>Keywords whose value is a map of name to subschema.</summary>
    private static readonly HashSet<string> SubschemaMapKeywords = new() { "properties", "$defs", "definitions" };

    /// <summary>Keywords that validate a value without subschemas, or annotate it.</summary>
    private static readonly HashSet<string> PlainKeywords = new()
    {
        "type", "enum", "const", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
        "minLength", "maxLength", "pattern", "minItems", "maxItems", "uniqueItems", "required",
        "title", "description", "default", "examples", "$comment", "format", "$schema", "$ref",
    };

    public static IEnumerable<object[]> KeywordFiles()
    {
        string root = Path.Combine(TestPaths.Shared, "json-schema-test-suite");
        if (!Directory.Exists(root))
        {
            return new[] { new object[] { "(shared missing)", "(shared missing)" } };
        }

        // Drafts 6 and 7 come from the full suite, for the keywords the other two drafts are tested on plus const,
        // not and the exclusive bounds (numbers there, booleans in draft 4).
        string full = Path.Combine(TestPaths.Shared, "json-schema-test-suite-full", "tests");
        string[] later = { "allOf", "anyOf", "const", "enum", "exclusiveMaximum", "exclusiveMinimum", "items", "maxItems", "maxLength", "maximum",
            "minItems", "minLength", "minimum", "multipleOf", "not", "oneOf", "pattern", "properties", "ref", "required", "type", "uniqueItems" };
        return new[] { "draft2020-12", "draft4" }
            .SelectMany(draft => Directory.GetFiles(Path.Combine(root, draft), "*.json").OrderBy(p => p, StringComparer.Ordinal)
            .Select(file => new object[] { draft, Path.GetFileNameWithoutExtension(file) }))
            .Concat(new[] { "draft6", "draft7" }
                .Where(draft => Directory.Exists(Path.Combine(full, draft)))
                .SelectMany(draft => later.Where(k => File.Exists(Path.Combine(full, draft, k + ".json"))).Select(k => new object[] { draft, k })));
    }

    /// <summary>Why a schema cannot be run, or null when every keyword it uses is supported.</summary>
    internal static string? UnsupportedReason(JsonNode? schema)
    {
        switch (schema)
        {
            case JsonValue value when value.GetValueKind() is JsonValueKind.True or JsonValueKind.False:
                return null;
            case JsonObject obj:
                foreach ((string key, JsonNode? value) in obj)
                {
                    if (key == "$ref")
                    {
                        string reference = value!.GetValue<string>();
                        if (!reference.StartsWith('#'))
                        {
                            return "remote or relative $ref";
                        }

                        if (reference.Length > 1 && reference[1] != '/')
                        {
                            return "$ref to an anchor";
                        }
                    }
                    else if (key == "items" && value is JsonArray)
                    {
                        return "items as an array (tuple form)";
                    }
                    else if (SubschemaKeywords.Contains(key))
                    {
                        if (UnsupportedReason(value) is { } reason)
                        {
                            return reason;
                        }
                    }
                    else if (SubschemaListKeywords.Contains(key))
                    {
                        foreach (JsonNode? item in value!.AsArray())
                        {
                            if (UnsupportedReason(item) is { } reason)
                            {
                                return reason;
                            }
                        }
                    }
                    else if (SubschemaMapKeywords.Contains(key))
                    {
                        foreach ((string _, JsonNode? item) in value!.AsObject())
                        {
                            if (UnsupportedReason(item) is { } reason)
                            {
                                return reason;
                            }
                        }
                    }
                    else if (!PlainKeywords.Contains(key))
                    {
                        return "keyword '" + key + "'";
                    }
                }

                return null;
            default:
                return "schema is not an object or boolean";
        }
    }

    [SharedTheory]
    [MemberData(nameof(KeywordFiles))]
    public void GeneratedValidatorAgreesWithTheSuite(string draft, string keyword)
    {
        string path = draft is "draft6" or "draft7"
            ? Path.Combine(TestPaths.Shared, "json-schema-test-suite-full", "tests", draft, keyword + ".json")
            : Path.Combine(TestPaths.Shared, "json-schema-test-suite", draft, keyword + ".json");
        JsonArray groups = JsonNode.Parse(File.ReadAllText(path))!.AsArray();
        var files = new List<AdditionalText>();
        var runnable = new List<(int Index, JsonObject Group)>();
        var skipped = new Dictionary<string, int>();
        int skippedCases = 0;
        for (int i = 0; i < groups.Count; i++)
        {
            JsonObject group = groups[i]!.AsObject();
            JsonNode schema = group["schema"]!;
            string? reason = schema is JsonObject ? UnsupportedReason(schema) : "boolean schema as the whole document (a schema file must be an object)";
            if (reason != null)
            {
                skipped[reason] = skipped.GetValueOrDefault(reason) + group["tests"]!.AsArray().Count;
                skippedCases += group["tests"]!.AsArray().Count;
                continue;
            }

            JsonObject document = schema.DeepClone().AsObject();
            if (!document.ContainsKey("$schema"))
            {
                document["$schema"] = draft switch
                {
                    "draft4" => "http://json-schema.org/draft-04/schema#",
                    "draft6" => "http://json-schema.org/draft-06/schema#",
                    "draft7" => "http://json-schema.org/draft-07/schema#",
                    _ => "https://json-schema.org/draft/2020-12/schema",
                };
            }

            document.Remove("title"); // the model name comes from the file name, g{index}
            files.Add(GeneratorHarness.SchemaText("suite", "g" + i + ".json", document.ToJsonString()));
            runnable.Add((i, group));
        }

        int run = 0;
        var failures = new List<string>();
        if (runnable.Count > 0)
        {
            GeneratorHarness.Run result = GeneratorHarness.RunGenerator(files);
            Assert.DoesNotContain(result.GeneratorDiagnostics, d => d.Id is "CS8785" or "SCG0014");
            Assembly assembly = CompiledOutput.Load(result.Output);
            foreach ((int index, JsonObject group) in runnable)
            {
                Type validator = assembly.GetType(GeneratorHarness.RootNamespace + ".Suite.G" + index + ".SchemaValidator", throwOnError: true)!;
                MethodInfo validate = validator.GetMethod("ValidateJson")!;
                foreach (JsonNode? test in group["tests"]!.AsArray())
                {
                    run++;
                    using JsonDocument data = JsonDocument.Parse(test!["data"]?.ToJsonString() ?? "null");
                    var verdict = (ValidationResult)validate.Invoke(null, new object[] { data.RootElement })!;
                    bool expected = test["valid"]!.GetValue<bool>();
                    if (verdict.IsValid != expected)
                    {
                        failures.Add($"{group["description"]} / {test["description"]}: expected {(expected ? "valid" : "invalid")}, got {verdict}");
                    }
                }
            }
        }

        var report = new StringBuilder();
        report.Append($"{draft}/{keyword}: run {run}, passed {run - failures.Count}, skipped {skippedCases}");
        foreach (KeyValuePair<string, int> skip in skipped.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            report.Append($"; skipped {skip.Value} ({skip.Key})");
        }

        output.WriteLine(report.ToString());
        File.WriteAllText(Path.Combine(TestPaths.ReportDirectory, "json-schema-suite-" + draft + "-" + keyword + ".txt"), report + Environment.NewLine);
        Assert.True(failures.Count == 0, report + Environment.NewLine + string.Join(Environment.NewLine, failures));
    }
}

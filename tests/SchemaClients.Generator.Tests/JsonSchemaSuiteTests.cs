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
using SchemaClients.Generator.Tests.Infrastructure;
using SchemaClients.Testing;
using SchemaClients.Validation;
using Xunit;
using Xunit.Abstractions;

namespace SchemaClients.Generator.Tests;

/// <summary>
/// The official JSON Schema Test Suite, every required file of drafts 4, 6, 7, 2019-09 and 2020-12, with no skip
/// list: each group's schema becomes a schema file, the suite's remotes/ are the other files remote references
/// resolve to (by their http://localhost:1234/ URLs), and the generated <c>ValidateJson</c>'s verdict must equal the
/// suite's for every case. <c>format</c> is an annotation, as the drafts say by default.
/// </summary>
public sealed class JsonSchemaSuiteTests(ITestOutputHelper output)
{
    private const string RemoteRoot = "http://localhost:1234/";

    private static readonly string[] Drafts = { "draft4", "draft6", "draft7", "draft2019-09", "draft2020-12" };

    /// <summary>Per draft: cases run and failed so far in this test run, for the summary report.</summary>
    private static readonly Dictionary<string, (int Run, int Failed, int Refused, int Files)> Totals = new(StringComparer.Ordinal);

    private static string Full => Path.Combine(TestPaths.Shared, "json-schema-test-suite-full");

    public static IEnumerable<object[]> KeywordFiles()
    {
        string tests = Path.Combine(Full, "tests");
        if (!Directory.Exists(tests))
        {
            return new[] { new object[] { "(shared missing)", "(shared missing)" } };
        }

        return Drafts.Where(d => Directory.Exists(Path.Combine(tests, d)))
            .SelectMany(draft => Directory.GetFiles(Path.Combine(tests, draft), "*.json").OrderBy(p => p, StringComparer.Ordinal)
            .Select(file => new object[] { draft, Path.GetFileNameWithoutExtension(file) }));
    }

    /// <summary>The suite's remotes/, as additional files known by the URLs the suite's schemas use for them.</summary>
    private static (List<AdditionalText> Files, Dictionary<string, string> Uris) Remotes()
    {
        string root = Path.Combine(Full, "remotes");
        var files = new List<AdditionalText>();
        var uris = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string path in Directory.GetFiles(root, "*.json", SearchOption.AllDirectories).OrderBy(p => p, StringComparer.Ordinal))
        {
            string relative = Path.GetRelativePath(root, path).Replace('\\', '/');
            string virtualPath = "/suite-remotes/" + relative; // outside schemas/: resolvable, not generated
            files.Add(new GeneratorHarness.InMemoryText(virtualPath, Microsoft.CodeAnalysis.Text.SourceText.From(File.ReadAllText(path), Encoding.UTF8)));
            uris[virtualPath] = RemoteRoot + relative;
        }

        return (files, uris);
    }

    private static string SchemaUri(string draft) => draft switch
    {
        "draft4" => "http://json-schema.org/draft-04/schema#",
        "draft6" => "http://json-schema.org/draft-06/schema#",
        "draft7" => "http://json-schema.org/draft-07/schema#",
        "draft2019-09" => "https://json-schema.org/draft/2019-09/schema",
        _ => "https://json-schema.org/draft/2020-12/schema",
    };

    [SharedTheory]
    [MemberData(nameof(KeywordFiles))]
    public void GeneratedValidatorAgreesWithTheSuite(string draft, string keyword)
    {
        string path = Path.Combine(Full, "tests", draft, keyword + ".json");
        JsonArray groups = JsonNode.Parse(File.ReadAllText(path))!.AsArray();
        (List<AdditionalText> files, Dictionary<string, string> uris) = Remotes();
        for (int i = 0; i < groups.Count; i++)
        {
            JsonNode schema = groups[i]!["schema"]!;
            string text;
            if (schema is JsonObject obj)
            {
                JsonObject document = obj.DeepClone().AsObject();
                if (!document.ContainsKey("$schema"))
                {
                    document["$schema"] = SchemaUri(draft);
                }

                document.Remove("title"); // the model name comes from the file name, g{index}
                text = document.ToJsonString();
            }
            else
            {
                text = schema.ToJsonString(); // true or false: a whole schema
            }

            files.Add(GeneratorHarness.SchemaText("suite", "g" + i + ".json", text));
        }

        GeneratorHarness.Run result = GeneratorHarness.RunGenerator(files, fileUris: uris);
        Assert.DoesNotContain(result.GeneratorDiagnostics, d => d.Id is "CS8785" or "SCG0014");
        Assembly assembly = CompiledOutput.Load(result.Output);
        int run = 0;
        var failures = new List<string>();
        var refusedCases = new List<string>();
        for (int i = 0; i < groups.Count; i++)
        {
            JsonObject group = groups[i]!.AsObject();
            Type? validator = assembly.GetType(GeneratorHarness.RootNamespace + ".Suite.G" + i.ToString(CultureInfo.InvariantCulture) + ".SchemaValidator");
            MethodInfo? validate = validator?.GetMethod("ValidateJson");
            // What the generator said about this group's file: shown with a failure (an unresolved $ref, a keyword it reports).
            string said = string.Join("; ", result.GeneratorDiagnostics
                .Where(d => d.Location.GetLineSpan().Path.EndsWith("/g" + i + ".json", StringComparison.Ordinal) && d.Id.StartsWith("SCG", StringComparison.Ordinal))
                .Select(d => d.Id + " " + d.GetMessage(CultureInfo.InvariantCulture)));
            // A reference to a draft's own meta-schema cannot resolve here: those documents are neither in ../shared nor
            // fetched (references never go to the network). The generator refuses the file with SCG0005, an error that
            // fails the user's build; such a case is counted as refused, never as passed.
            bool refused = result.GeneratorDiagnostics.Any(d => d.Id == "SCG0005" && d.Descriptor.DefaultSeverity == DiagnosticSeverity.Error
                && d.Location.GetLineSpan().Path.EndsWith("/g" + i + ".json", StringComparison.Ordinal)
                && d.GetMessage(CultureInfo.InvariantCulture).Contains("json-schema.org/", StringComparison.Ordinal));
            foreach (JsonNode? test in group["tests"]!.AsArray())
            {
                run++;
                if (refused)
                {
                    refusedCases.Add($"{group["description"]} / {test!["description"]}");
                    continue;
                }

                bool expected = test!["valid"]!.GetValue<bool>();
                if (validate == null)
                {
                    failures.Add($"{group["description"]} / {test["description"]}: no validator was generated ({said})");
                    continue;
                }

                using JsonDocument data = JsonDocument.Parse(test["data"]?.ToJsonString() ?? "null");
                var verdict = (ValidationResult)validate.Invoke(null, new object[] { data.RootElement })!;
                if (verdict.IsValid != expected)
                {
                    failures.Add($"{group["description"]} / {test["description"]}: expected {(expected ? "valid" : "invalid")}, got {verdict}" + (said.Length > 0 ? " (" + said + ")" : string.Empty));
                }
            }
        }

        string report = $"{draft}/{keyword}: run {run}, passed {run - failures.Count - refusedCases.Count}, failed {failures.Count}"
            + (refusedCases.Count > 0 ? $", refused {refusedCases.Count} (SCG0005: a draft meta-schema, not available offline: {string.Join("; ", refusedCases.Distinct())})" : string.Empty);
        output.WriteLine(report);
        File.WriteAllText(Path.Combine(TestPaths.ReportDirectory, "json-schema-suite-" + draft + "-" + keyword + ".txt"), report + Environment.NewLine);
        WriteTotals(draft, run, failures.Count, refusedCases.Count);
        Assert.True(failures.Count == 0, report + Environment.NewLine + string.Join(Environment.NewLine, failures));
    }

    /// <summary>The per-draft summary (cases run, passed, failed), rewritten after each file so the last one is complete.</summary>
    private static void WriteTotals(string draft, int run, int failed, int refused)
    {
        lock (Totals)
        {
            (int r, int f, int x, int n) = Totals.GetValueOrDefault(draft);
            Totals[draft] = (r + run, f + failed, x + refused, n + 1);
            var text = new StringBuilder("JSON Schema Test Suite, required files, no skip list:").AppendLine();
            foreach (string d in Drafts.Where(Totals.ContainsKey))
            {
                (int dr, int df, int dx, int dn) = Totals[d];
                text.Append(CultureInfo.InvariantCulture, $"  {d}: {dn} files, {dr} cases run, {dr - df - dx} passed, {df} failed, {dx} refused (SCG0005: they reference the draft's own meta-schema, which is not available offline)").AppendLine();
            }

            File.WriteAllText(Path.Combine(TestPaths.ReportDirectory, "json-schema-suite-totals.txt"), text.ToString());
        }
    }
}

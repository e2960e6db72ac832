using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using SchemaClients.Generator.Reading;
using SchemaClients.Generator.Tests.Infrastructure;
using SchemaClients.Testing;
using Xunit;
using Xunit.Abstractions;

namespace SchemaClients.Generator.Tests;

/// <summary>
/// The generator's JSON reader against JSONTestSuite: every y_ file accepted, every n_ file rejected,
/// every i_ file decided as written in JsonTestSuite.i-decisions.txt.
/// </summary>
public sealed class JsonReaderTests(ITestOutputHelper output)
{
    private static string TestParsing => Path.Combine(TestPaths.Shared, "json-test-suite", "test_parsing");

    private static string DecisionsFile => Path.Combine(TestPaths.RepositoryRoot, "tests", "SchemaClients.Generator.Tests", "JsonTestSuite.i-decisions.txt");

    /// <summary>Decodes a file as a compiler host hands it over: UTF-8 with replacement characters, byte order mark removed.</summary>
    internal static string Decode(byte[] bytes)
    {
        string text = new UTF8Encoding(false, false).GetString(bytes);
        return text.Length > 0 && text[0] == '\uFEFF' ? text.Substring(1) : text;
    }

    private static IEnumerable<string> Files(string prefix) =>
        Directory.GetFiles(TestParsing, prefix + "*.json").OrderBy(p => p, StringComparer.Ordinal);

    [SharedFact]
    public void AcceptsEveryYFile()
    {
        string[] rejected = Files("y_").Where(f => JsonReader.Read(Decode(File.ReadAllBytes(f))).Root == null)
            .Select(f => Path.GetFileName(f) + ": " + JsonReader.Read(Decode(File.ReadAllBytes(f))).Error).ToArray();
        output.WriteLine($"y_ files: {Files("y_").Count()}, rejected: {rejected.Length}");
        Assert.True(Files("y_").Count() > 90, "the y_ files were not found");
        Assert.True(rejected.Length == 0, string.Join(Environment.NewLine, rejected));
    }

    [SharedFact]
    public void RejectsEveryNFile()
    {
        string[] accepted = Files("n_").Where(f => JsonReader.Read(Decode(File.ReadAllBytes(f))).Root != null).Select(Path.GetFileName).ToArray()!;
        output.WriteLine($"n_ files: {Files("n_").Count()}, accepted: {accepted.Length}");
        Assert.True(Files("n_").Count() > 180, "the n_ files were not found");
        Assert.True(accepted.Length == 0, string.Join(Environment.NewLine, accepted));
    }

    [SharedFact]
    public void DecidesEveryIFileAsDocumented()
    {
        Dictionary<string, string> decisions = File.ReadAllLines(DecisionsFile)
            .Where(l => l.StartsWith("i_", StringComparison.Ordinal))
            .Select(l => l.Split('\t'))
            .ToDictionary(p => p[0], p => p[1]);
        var mismatches = new List<string>();
        foreach (string file in Files("i_"))
        {
            string name = Path.GetFileName(file);
            string actual = JsonReader.Read(Decode(File.ReadAllBytes(file))).Root != null ? "accept" : "reject";
            if (!decisions.TryGetValue(name, out string? expected))
            {
                mismatches.Add(name + ": no decision written down (reader says " + actual + ")");
            }
            else if (expected != actual)
            {
                mismatches.Add(name + ": documented " + expected + ", reader says " + actual);
            }
        }

        Assert.True(mismatches.Count == 0, string.Join(Environment.NewLine, mismatches));
    }

    [Fact]
    public void ErrorsPointAtTheOffendingCharacter()
    {
        JsonReadResult result = JsonReader.Read("{\n  \"a\": [1, 2,,]\n}");
        Assert.Null(result.Root);
        Assert.Equal(15, result.ErrorOffset);
        Assert.Contains("','", result.Error);
    }

    [Fact]
    public void SpansCoverTheValue()
    {
        JsonReadResult result = JsonReader.Read("{ \"minimum\" : 64.0 }");
        JsonSyntax value = result.Root!.Get("minimum")!;
        Assert.Equal((14, 18), (value.Start, value.End));
        Assert.Equal("64.0", value.NumberText);
        Assert.Equal(2, result.Root!.GetMember("minimum")!.NameStart);
    }

    [SharedFact]
    public void EveryTestParsingFileAsASchemaGivesOutputOrDiagnosticsAndNeverAnException()
    {
        int withOutput = 0;
        int withDiagnosticsOnly = 0;
        var failures = new List<string>();
        foreach (string file in Directory.GetFiles(TestParsing, "*.json").OrderBy(p => p, StringComparer.Ordinal))
        {
            AdditionalText text = GeneratorHarness.SchemaBytes("parsing", Path.GetFileName(file), File.ReadAllBytes(file));
            GeneratorHarness.Run run = GeneratorHarness.RunGenerator(new[] { text });
            Diagnostic[] crashes = run.GeneratorDiagnostics.Where(d => d.Id is "CS8785" or "SCG0014").ToArray();
            bool documentOutput = run.Result.GeneratedTrees.Length > 1; // more than the JSON context
            bool schemaDiagnostics = run.GeneratorDiagnostics.Any(d => d.Id.StartsWith("SCG", StringComparison.Ordinal));
            if (crashes.Length > 0 || (!documentOutput && !schemaDiagnostics))
            {
                failures.Add(Path.GetFileName(file) + ": " + (crashes.Length > 0 ? string.Join("; ", crashes.Select(GeneratorHarness.Format)) : "neither output nor a diagnostic"));
            }
            else if (documentOutput)
            {
                withOutput++;
            }
            else
            {
                withDiagnosticsOnly++;
            }
        }

        output.WriteLine($"test_parsing files as schemas: {withOutput} generated code, {withDiagnosticsOnly} gave only diagnostics, {failures.Count} failed");
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        Assert.Equal(318, withOutput + withDiagnosticsOnly);
    }
}

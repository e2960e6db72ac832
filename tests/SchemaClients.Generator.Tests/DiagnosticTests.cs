using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using SchemaClients.Generator.Tests.Infrastructure;
using Xunit;

namespace SchemaClients.Generator.Tests;

/// <summary>Every schema problem becomes a diagnostic at the line and column of the JSON that caused it.</summary>
public sealed class DiagnosticTests
{
    /// <summary>One-based line and column of the first occurrence of <paramref name="marker"/>.</summary>
    private static (int Line, int Column) Find(string text, string marker, int occurrence = 1)
    {
        int index = -1;
        for (int i = 0; i < occurrence; i++)
        {
            index = text.IndexOf(marker, index + 1, StringComparison.Ordinal);
        }

        Assert.True(index >= 0, "marker not found: " + marker);
        string before = text.Substring(0, index);
        int line = before.Count(c => c == '\n') + 1;
        int column = index - (before.LastIndexOf('\n') + 1) + 1;
        return (line, column);
    }

    private static Diagnostic Single(GeneratorHarness.Run run, string id)
    {
        Diagnostic[] matches = run.GeneratorDiagnostics.Where(d => d.Id == id).ToArray();
        Assert.True(matches.Length == 1, $"expected one {id}, got: " + string.Join(Environment.NewLine, run.GeneratorDiagnostics.Select(GeneratorHarness.Format)));
        return matches[0];
    }

    private static void AssertAt(Diagnostic diagnostic, (int Line, int Column) expected, string file)
    {
        FileLinePositionSpan span = diagnostic.Location.GetLineSpan();
        Assert.EndsWith(file, span.Path, StringComparison.Ordinal);
        Assert.Equal(expected, (span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1));
    }

    /// <summary>Runs the generator on one schema beside a valid one; the valid one must still generate and everything must compile.</summary>
    private static GeneratorHarness.Run RunWithNeighbour(string text)
    {
        GeneratorHarness.Run run = GeneratorHarness.RunGenerator(new[]
        {
            GeneratorHarness.SchemaText("tests", "subject.json", text),
            GeneratorHarness.SchemaText("tests", "neighbour.json", """{ "title": "Neighbour", "type": "object", "properties": { "a": { "type": "integer", "maximum": 3 } } }"""),
        });
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id == "CS8785");
        Assert.Contains(run.Result.GeneratedSources(), s => s.HintName.StartsWith("Tests.Neighbour.", StringComparison.Ordinal));
        string[] errors = run.CompileDiagnostics.Select(GeneratorHarness.Format).ToArray();
        Assert.True(errors.Length == 0, string.Join(Environment.NewLine, errors));
        return run;
    }

    [Fact]
    public void MalformedJsonIsReportedWhereTheReaderStopped()
    {
        const string text = "{\n  \"type\": \"object\",\n  \"properties\": { \"a\": }\n}";
        Diagnostic d = Single(RunWithNeighbour(text), "SCG0001");
        Assert.Equal(DiagnosticSeverity.Error, d.DefaultSeverity);
        Assert.Contains("subject.json", d.GetMessage());
    }

    [Fact]
    public void UnsupportedTypeIsReportedAtTheTypeValue()
    {
        const string text = """
            {
              "type": "object",
              "properties": {
                "steps": { "type": "int" }
              }
            }
            """;
        Diagnostic d = Single(RunWithNeighbour(text), "SCG0004");
        Assert.Contains("'int'", d.GetMessage());
    }

    [Fact]
    public void UnresolvableReferenceIsReportedAtTheReference()
    {
        const string text = """
            {
              "type": "object",
              "properties": {
                "size": { "$ref": "#/$defs/Missing" }
              }
            }
            """;
        Diagnostic d = Single(RunWithNeighbour(text), "SCG0005");
        Assert.Contains("does not exist", d.GetMessage());
    }

    [Fact]
    public void CyclicReferenceIsReportedAndCut()
    {
        const string text = """
            {
              "$defs": {
                "A": { "$ref": "#/$defs/B" },
                "B": { "$ref": "#/$defs/A" }
              },
              "type": "object",
              "properties": { "x": { "$ref": "#/$defs/A" } }
            }
            """;
        Diagnostic d = Single(RunWithNeighbour(text), "SCG0006");
        Assert.Contains("->", d.GetMessage());
    }

    [Fact]
    public void PropertiesThatMapToTheSameNameAreReportedAndRenamed()
    {
        const string text = """
            {
              "type": "object",
              "properties": {
                "source_url": { "type": "string" },
                "sourceUrl": { "type": "string" }
              }
            }
            """;
        GeneratorHarness.Run run = RunWithNeighbour(text);
        Diagnostic d = Single(run, "SCG0007");
        string source = string.Concat(run.Result.GeneratedSources().Where(s => s.HintName.StartsWith("Tests.Subject.", StringComparison.Ordinal)).Select(s => s.SourceText.ToString()));
        Assert.Contains("public string? SourceUrl2 { get; init; }", source);
    }

    [Fact]
    public void KeywordsLeadingDigitsAndGeneratedMemberNamesAreReported()
    {
        const string text = """
            {
              "type": "object",
              "properties": {
                "class": { "type": "string" },
                "2x": { "type": "boolean" },
                "validate": { "type": "boolean" }
              }
            }
            """;
        GeneratorHarness.Run run = RunWithNeighbour(text);
        Diagnostic[] adjusted = run.GeneratorDiagnostics.Where(d => d.Id == "SCG0008").OrderBy(d => d.Location.SourceSpan.Start).ToArray();
        Assert.Equal(3, adjusted.Length);
        AssertAt(adjusted[0], Find(text, "\"class\""), "subject.json");
        AssertAt(adjusted[1], Find(text, "\"2x\""), "subject.json");
        AssertAt(adjusted[2], Find(text, "\"validate\""), "subject.json");
        Assert.Contains("C# keyword", adjusted[0].GetMessage());
        Assert.Contains("starts with a digit", adjusted[1].GetMessage());
        string source = string.Concat(run.Result.GeneratedSources().Where(s => s.HintName.StartsWith("Tests.Subject.", StringComparison.Ordinal)).Select(s => s.SourceText.ToString()));
        Assert.Contains("public string? Class { get; init; }", source);
        Assert.Contains("public bool? _2x { get; init; }", source);
        Assert.Contains("public bool? ValidateValue { get; init; }", source);
    }

    [Fact]
    public void EnumValuesThatCollideAreReportedAndKeepTheirWireValues()
    {
        const string text = """{ "type": "object", "properties": { "mode": { "type": "string", "enum": ["fast-mode", "fast_mode"] } } }""";
        GeneratorHarness.Run run = RunWithNeighbour(text);
        Diagnostic d = Single(run, "SCG0009");
        string source = string.Concat(run.Result.GeneratedSources().Where(s => s.HintName.StartsWith("Tests.Subject.", StringComparison.Ordinal)).Select(s => s.SourceText.ToString()));
        Assert.Contains("(\"fast_mode\", Mode.FastMode2)", source);
    }

    [Fact]
    public void DefaultOutsideItsOwnLimitsIsAWarningNotACrash()
    {
        const string text = """
            {
              "type": "object",
              "properties": {
                "width": { "anyOf": [ { "type": "integer", "minimum": 64.0 }, { "type": "null" } ], "default": 0 }
              }
            }
            """;
        Diagnostic d = Single(RunWithNeighbour(text), "SCG0010");
        Assert.Equal(DiagnosticSeverity.Warning, d.DefaultSeverity);
        Assert.Contains("minimum 64", d.GetMessage());
    }

    [Fact]
    public void AmbiguousUnionFallsBackToJsonElementAndIsStillValidated()
    {
        const string text = """{ "type": "object", "properties": { "v": { "oneOf": [ { "type": "integer" }, { "type": "number", "minimum": 5 } ] } } }""";
        GeneratorHarness.Run run = RunWithNeighbour(text);
        string source = string.Concat(run.Result.GeneratedSources().Where(s => s.HintName.StartsWith("Tests.Subject.", StringComparison.Ordinal)).Select(s => s.SourceText.ToString()));
        Assert.Contains("public global::System.Text.Json.JsonElement? V { get; init; }", source);
    }

    [Fact]
    public void AMetaSchemaThatCannotBeFoundIsReportedAtSchema()
    {
        const string text = """{ "$schema": "https://example.com/my-meta-schema", "type": "object" }""";
        Diagnostic d = Single(RunWithNeighbour(text), "SCG0013");
        Assert.Contains("https://example.com/my-meta-schema", d.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void FormerlyUnsupportedKeywordsAreCheckedAndNotReported()
    {
        const string text = """{ "type": "object", "patternProperties": { "^x": { "type": "integer" } }, "propertyNames": { "maxLength": 3 }, "if": { "required": ["a"] }, "then": { "minProperties": 2 } }""";
        Assert.DoesNotContain(RunWithNeighbour(text).GeneratorDiagnostics, d => d.Id == "SCG0013");
    }

    [Theory]
    [InlineData(false, false, true)] // a bare project reference: no props, no schema files
    [InlineData(true, false, false)] // the package with no schema yet: nothing to say
    [InlineData(false, true, false)] // a project reference with schema files added by hand: it generates
    public void AGeneratorWithoutItsPropsAndWithoutSchemasSaysSo(bool buildProps, bool withSchema, bool warned)
    {
        AdditionalText[] files = withSchema
            ? new[] { GeneratorHarness.SchemaText("a", "x.json", """{ "title": "X", "type": "object", "properties": { "a": { "type": "string" } } }""") }
            : Array.Empty<AdditionalText>();
        GeneratorDriver driver = GeneratorHarness.CreateDriver(files, buildProps: buildProps)
            .RunGeneratorsAndUpdateCompilation(GeneratorHarness.CreateCompilation(Array.Empty<string>()), out Compilation output, out var diagnostics);
        Assert.Equal(warned, diagnostics.Any(d => d.Id == "SCG0018"));
        Assert.Equal(withSchema, output.SyntaxTrees.Any(t => t.FilePath.Contains("X", StringComparison.Ordinal)));
    }

    [Fact]
    public void ALongRefChainStopsAtTheReferenceWhereTheDepthRunsOut()
    {
        // 300 definitions, each only a $ref to the next, one per line: the builder follows 200 hops, then reports.
        var text = new System.Text.StringBuilder("{\n\"properties\": { \"p\": { \"$ref\": \"#/$defs/D0\" } },\n\"$defs\": {\n");
        for (int i = 0; i < 300; i++)
        {
            text.Append("\"D").Append(i).Append("\": { \"$ref\": \"#/$defs/D").Append(i + 1).Append("\" },\n");
        }

        text.Append("\"D300\": { \"type\": \"integer\" }\n}\n}");
        GeneratorHarness.Run run = GeneratorHarness.RunGenerator(new[] { GeneratorHarness.SchemaText("deep", "chain.json", text.ToString()) });
        Diagnostic d = Single(run, "SCG0016");
        Assert.Contains("more than 200", d.GetMessage());
        FileLinePositionSpan span = d.Location.GetLineSpan();
        Assert.Equal("chain.json", System.IO.Path.GetFileName(span.Path));
        Assert.Matches("^\\$ref '#/\\$defs/D[0-9]+' at '#/\\$defs/D[0-9]+'", d.GetMessage());
        int hop = int.Parse(System.Text.RegularExpressions.Regex.Match(d.GetMessage(), "D([0-9]+)'").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(hop + 2, span.StartLinePosition.Line); // the $ref to D(hop) that was not followed sits in D(hop-1), on 0-based line hop+2
        Assert.Empty(run.CompileDiagnostics.Select(GeneratorHarness.Format)); // the rest of the document still generates and compiles
    }

    [Fact]
    public void RepeatedBranchesThatMultiplyAreCutAndReported()
    {
        // oneOf [D(i+1), D(i+1)] for 20 levels: a validator would apply 2^20 schemas to every value.
        var defs = string.Join(",\n", Enumerable.Range(0, 20).Select(i => "\"D" + i + "\": { \"oneOf\": [{ \"$ref\": \"#/$defs/D" + (i + 1) + "\" }, { \"$ref\": \"#/$defs/D" + (i + 1) + "\" }] }"));
        string text = "{ \"properties\": { \"p\": { \"$ref\": \"#/$defs/D0\", \"default\": 1 } },\n\"$defs\": {\n" + defs + ",\n\"D20\": { \"type\": \"integer\" } } }";
        var clock = System.Diagnostics.Stopwatch.StartNew();
        GeneratorHarness.Run run = GeneratorHarness.RunGenerator(new[] { GeneratorHarness.SchemaText("dag", "dag.json", text) });
        Diagnostic d = Single(run, "SCG0017");
        Assert.Contains("(the limit is 4,096)", d.GetMessage());
        int level = int.Parse(System.Text.RegularExpressions.Regex.Match(d.GetMessage(), "'#/\\$defs/D([0-9]+)'").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(level + 2, d.Location.GetLineSpan().StartLinePosition.Line); // D(level) is on 0-based line level+2
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "took " + clock.Elapsed);
        Assert.Empty(run.CompileDiagnostics.Select(GeneratorHarness.Format));
    }

    [Fact]
    public void TwoFilesForTheSameModelAreReported()
    {
        GeneratorHarness.Run run = GeneratorHarness.RunGenerator(new[]
        {
            GeneratorHarness.SchemaText("a", "x.json", """{ "title": "Same", "type": "object", "properties": { "a": { "type": "string" } } }"""),
            new[] { GeneratorHarness.SchemaText("a", "y.json", """{ "title": "Same", "type": "object", "properties": { "b": { "type": "string" } } }""") }.Single(),
        });
        Diagnostic d = Single(run, "SCG0015");
        Assert.Contains("Consumer.A.Same", d.GetMessage());
    }

    [Theory]
    [InlineData("https://docs.example.test/schemaclients/diagnostics", "https://docs.example.test/schemaclients/diagnostics/SCG0002.md")]
    [InlineData("file:///opt/packages/schemaclients.generator/0.1.0/docs/diagnostics/", "file:///opt/packages/schemaclients.generator/0.1.0/docs/diagnostics/SCG0002.md")]
    [InlineData(null, "")]
    public void HelpLinksAreThePageUnderSchemaClientsHelpLinkRootAndNoneWithout(string? root, string expected)
    {
        var properties = new System.Collections.Generic.Dictionary<string, string>();
        if (root != null)
        {
            properties["SchemaClientsHelpLinkRoot"] = root;
        }

        Microsoft.CodeAnalysis.CSharp.CSharpCompilation compilation = GeneratorHarness.CreateCompilation(Array.Empty<string>());
        GeneratorDriver driver = GeneratorHarness.CreateDriver(new[] { GeneratorHarness.SchemaText("a", "notes.json", """{ "name": "not a schema" }""") }, buildProperties: properties);
        driver.RunGeneratorsAndUpdateCompilation(compilation, out _, out System.Collections.Immutable.ImmutableArray<Diagnostic> diagnostics);
        Assert.Equal(expected, diagnostics.Single(d => d.Id == "SCG0002").Descriptor.HelpLinkUri);
    }

    [Fact]
    public void EveryDiagnosticIdHasADocumentationPage()
    {
        string[] ids = typeof(SchemaClientsGenerator).Assembly.GetType("SchemaClients.Generator.Diagnostics.DiagnosticDescriptors")!
            .GetProperty("All")!.GetValue(null) is System.Collections.Generic.IEnumerable<DiagnosticDescriptor> all
            ? all.Select(d => d.Id).ToArray()
            : Array.Empty<string>();
        Assert.Equal(25, ids.Length);
        foreach (string id in ids)
        {
            string page = System.IO.Path.Combine(TestPaths.RepositoryRoot, "docs", "diagnostics", id + ".md");
            Assert.True(System.IO.File.Exists(page), "missing " + page);
        }
    }
}

internal static class RunResultExtensions
{
    public static System.Collections.Generic.IEnumerable<GeneratedSourceResult> GeneratedSources(this GeneratorDriverRunResult result) => result.Results.Single().GeneratedSources;
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using SchemaClients.Generator.Tests.Infrastructure;
using SchemaClients.Validation;
using Xunit;
using Xunit.Abstractions;

namespace SchemaClients.Generator.Tests;

/// <summary>
/// One table of cases, built from the limits in each seed schema (each limit, just inside and just
/// outside), drives both the typed Validate() and ValidateJson(): their verdicts must be the same.
/// </summary>
public sealed class ValidationAgreementTests(ITestOutputHelper output)
{
    /// <summary>A request model of a seed schema: its generated type and where its properties are in the file.</summary>
    internal sealed record Model(string File, string Type, string ContextProperty, Func<JsonNode, JsonObject> Properties, JsonObject Minimal, string? NestedUnder = null, string? NestedType = null, string MinimalCSharp = "Prompt = \"p\"");

    private static readonly Model[] Models =
    {
        new("oxen/flux-2-flex.json", "Consumer.Oxen.Flux2Flex.Flux2FlexRequest", "OxenFlux2FlexFlux2FlexRequest", d => d["json_request_schema"]!["properties"]!.AsObject(), new JsonObject { ["prompt"] = "p" }),
        new("oxen/flux-2-pro.json", "Consumer.Oxen.Flux2Pro.Flux2ProRequest", "OxenFlux2ProFlux2ProRequest", d => d["json_request_schema"]!["properties"]!.AsObject(), new JsonObject { ["prompt"] = "p" }),
        new("fal/flux-2-flex.json", "Consumer.Fal.Flux2Flex.Flux2FlexInput", "FalFlux2FlexFlux2FlexInput", d => d["components"]!["schemas"]!["Flux2FlexInput"]!["properties"]!.AsObject(), new JsonObject { ["prompt"] = "p" }),
        new("fal/flux-2-flex.json", "Consumer.Fal.Flux2Flex.Flux2FlexInput", "FalFlux2FlexFlux2FlexInput", d => d["components"]!["schemas"]!["ImageSize"]!["properties"]!.AsObject(), new JsonObject { ["prompt"] = "p" }, "image_size", "Consumer.Fal.Flux2Flex.ImageSize"),
        new("apiframe/flux-2-flex.json", "Consumer.Apiframe.Flux2Flex.Flux2FlexGenerateRequest", "ApiframeFlux2FlexFlux2FlexGenerateRequest", d => d["components"]!["schemas"]!["Flux2FlexParams"]!["properties"]!.AsObject(), new JsonObject { ["prompt"] = "p", ["model"] = "flux-2-flex" }, "fluxParams", "Consumer.Apiframe.Flux2Flex.Flux2FlexParams", "Prompt = \"p\", Model = \"flux-2-flex\""),
        new("apiframe/flux-2-flex.json", "Consumer.Apiframe.Flux2Flex.Flux2FlexGenerateRequest", "ApiframeFlux2FlexFlux2FlexGenerateRequest", d => d["components"]!["schemas"]!["Flux2FlexGenerateRequest"]!["properties"]!.AsObject(), new JsonObject { ["prompt"] = "p", ["model"] = "flux-2-flex" }, MinimalCSharp: "Prompt = \"p\", Model = \"flux-2-flex\""),
    };

    /// <summary>A value for one property and whether the schema accepts it.</summary>
    internal sealed record Case(string Model, string Property, JsonNode Value, bool Valid, string Rule);

    /// <summary>The shared table: just inside and just outside every limit of every seed request property.</summary>
    internal static IEnumerable<(Model Model, Case Case)> Table()
    {
        foreach (Model model in Models)
        {
            JsonNode document = JsonNode.Parse(File.ReadAllText(Path.Combine(TestPaths.Schemas, model.File)))!;
            foreach ((string name, JsonNode? schemaNode) in model.Properties(document))
            {
                JsonObject schema = schemaNode!.AsObject();
                string type = schema["type"]?.GetValue<string>() ?? "";
                bool integer = type == "integer";
                double step = integer ? 1 : 0.5;
                foreach ((string keyword, bool inclusiveLow) in new[] { ("minimum", true), ("exclusiveMinimum", false) })
                {
                    if (schema[keyword] is JsonValue low && low.GetValueKind() == JsonValueKind.Number)
                    {
                        double limit = low.GetValue<double>();
                        yield return (model, new Case(model.Type, name, Number(inclusiveLow ? limit : limit + step, integer), true, keyword));
                        yield return (model, new Case(model.Type, name, Number(inclusiveLow ? limit - step : limit, integer), false, keyword));
                    }
                }

                if (schema["maximum"] is JsonValue high)
                {
                    double limit = high.GetValue<double>();
                    yield return (model, new Case(model.Type, name, Number(limit, integer), true, "maximum"));
                    yield return (model, new Case(model.Type, name, Number(limit + step, integer), false, "maximum"));
                }

                if (schema["maxItems"] is JsonValue maxItems)
                {
                    int limit = maxItems.GetValue<int>();
                    yield return (model, new Case(model.Type, name, new JsonArray(Enumerable.Range(0, limit).Select(i => (JsonNode)("https://example.com/u" + i)).ToArray()), true, "maxItems"));
                    yield return (model, new Case(model.Type, name, new JsonArray(Enumerable.Range(0, limit + 1).Select(i => (JsonNode)("https://example.com/u" + i)).ToArray()), false, "maxItems"));
                }

                if (schema["pattern"] is not null)
                {
                    foreach (JsonNode? example in schema["examples"]!.AsArray())
                    {
                        yield return (model, new Case(model.Type, name, example!.DeepClone(), true, "pattern"));
                    }

                    yield return (model, new Case(model.Type, name, "16 by 9", false, "pattern"));
                }

                if (schema["const"] is JsonNode constant)
                {
                    yield return (model, new Case(model.Type, name, constant.DeepClone(), true, "const"));
                    yield return (model, new Case(model.Type, name, constant.GetValue<string>() + "-x", false, "const"));
                }
            }
        }
    }

    private static JsonNode Number(double value, bool integer) => integer ? JsonValue.Create((long)value) : JsonValue.Create(value);

    private static JsonObject Payload(Model model, Case c)
    {
        JsonObject payload = model.Minimal.DeepClone().AsObject();
        if (model.NestedUnder != null)
        {
            payload[model.NestedUnder] = new JsonObject { [c.Property] = c.Value.DeepClone() };
        }
        else
        {
            payload[c.Property] = c.Value.DeepClone();
        }

        return payload;
    }

    /// <summary>The case as C# a user would write; returns the source and the span of the value.</summary>
    private static (string Source, int ValueStart, int ValueLength) CSharp(Model model, Case c, int index, GeneratorHarness.Run run)
    {
        string property = CsName(run, model, c.Property);
        string value = CSharpLiteral(c.Value);
        string minimal = string.Join(", ", model.MinimalCSharp.Split(", ").Where(a => model.NestedUnder != null || !a.StartsWith(property + " =", StringComparison.Ordinal)));
        string prefix = "    internal static object Case" + index + "() => new " + model.Type + " { " + minimal + ", ";
        string assignment;
        int offset;
        if (model.NestedUnder != null)
        {
            string outer = CsName(run, model, model.NestedUnder, nested: false);
            string head = outer + " = new " + model.NestedType + " { " + property + " = ";
            assignment = head + value + " } };";
            offset = head.Length;
        }
        else
        {
            string head = property + " = ";
            assignment = head + value + " };";
            offset = head.Length;
        }

        return (prefix + assignment + "\n", prefix.Length + offset, value.Length);
    }

    /// <summary>The C# property name the generator gave a JSON property, read from the generated source.</summary>
    private static string CsName(GeneratorHarness.Run run, Model model, string jsonName, bool nested = true)
    {
        string marker = "JsonPropertyName(\"" + jsonName + "\")]";
        foreach (var source in run.Result.Results.Single().GeneratedSources)
        {
            string text = source.SourceText.ToString();
            int at = text.IndexOf(marker, StringComparison.Ordinal);
            if (at >= 0 && text.Contains("namespace " + model.Type.Substring(0, model.Type.LastIndexOf('.')), StringComparison.Ordinal))
            {
                string after = text.Substring(at);
                string declaration = after.Split('\n').First(l => l.TrimStart().StartsWith("public ", StringComparison.Ordinal));
                return declaration.Trim().Split(' ').Reverse().Skip(4).First();
            }
        }

        throw new InvalidOperationException("no generated property for " + jsonName);
    }

    private static string CSharpLiteral(JsonNode value) => value switch
    {
        JsonArray array => "[" + string.Join(", ", array.Select(item => CSharpLiteral(item!))) + "]",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(v.GetValue<string>(), quote: true),
        _ => value.ToJsonString(),
    };

    [Fact]
    public void TheAnalyzerGivesTheSameVerdictOnEveryCaseAtTheValue()
    {
        GeneratorHarness.Run generated = GeneratorHarness.RunGenerator(GeneratorHarness.RepositorySchemas());
        var cases = Table().ToArray();
        var source = new System.Text.StringBuilder("internal static class Cases\n{\n");
        var spans = new List<(int Start, int Length)>();
        for (int i = 0; i < cases.Length; i++)
        {
            (string line, int start, int length) = CSharp(cases[i].Model, cases[i].Case, i, generated);
            spans.Add((source.Length + start, length));
            source.Append(line);
        }

        source.Append("}\n");
        (Microsoft.CodeAnalysis.Compilation compiled, System.Collections.Immutable.ImmutableArray<Microsoft.CodeAnalysis.Diagnostic> diagnostics) = AnalyzerHarness.Run(source.ToString());
        string[] compileErrors = compiled.GetDiagnostics().Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error).Select(GeneratorHarness.Format).ToArray();
        Assert.True(compileErrors.Length == 0, string.Join(Environment.NewLine, compileErrors.Take(10)));

        var failures = new List<string>();
        for (int i = 0; i < cases.Length; i++)
        {
            Case c = cases[i].Case;
            var at = diagnostics.Where(d => d.Location.SourceSpan.Start == spans[i].Start && d.Location.SourceSpan.Length == spans[i].Length).ToArray();
            string expectedId = c.Valid ? "" : SchemaClients.Generator.Diagnostics.DiagnosticDescriptors.ForRule(c.Rule).Id;
            string actual = string.Join(",", at.Select(d => d.Id));
            if (actual != expectedId)
            {
                failures.Add($"{c.Model}.{c.Property} = {c.Value.ToJsonString()}: expected [{expectedId}] at the value, got [{actual}]");
            }
        }

        int reported = diagnostics.Length;
        Assert.Equal(cases.Count(x => !x.Case.Valid), reported);
        output.WriteLine($"analyzer: {cases.Length} cases, {reported} diagnostics, all at the value's span: {failures.Count == 0}");
        File.WriteAllText(Path.Combine(TestPaths.ReportDirectory, "analyzer-agreement.txt"), $"analyzer over the same table: {cases.Length} cases, {reported} diagnostics, mismatches: {failures.Count}{Environment.NewLine}");
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public void TypedAndJsonValidationGiveTheSameVerdictOnEveryCase()
    {
        GeneratorHarness.Run run = GeneratorHarness.RunGenerator(GeneratorHarness.RepositorySchemas());
        Assembly assembly = CompiledOutput.Load(run.Output);
        Type contextType = assembly.GetType("Consumer.SchemaClientsJsonContext", throwOnError: true)!;
        object context = contextType.GetProperty("Default")!.GetValue(null)!;
        var cases = Table().ToArray();
        var failures = new List<string>();
        foreach ((Model model, Case c) in cases)
        {
            string json = Payload(model, c).ToJsonString();
            Type type = assembly.GetType(model.Type, throwOnError: true)!;
            var typeInfo = (JsonTypeInfo)contextType.GetProperty(model.ContextProperty)!.GetValue(context)!;
            object request = JsonSerializer.Deserialize(json, typeInfo)!;
            var typed = (ValidationResult)type.GetMethod("Validate")!.Invoke(request, null)!;
            using JsonDocument document = JsonDocument.Parse(json);
            var raw = (ValidationResult)type.GetMethod("ValidateJson")!.Invoke(null, new object[] { document.RootElement })!;
            string Verdict(ValidationResult r) => string.Join(";", r.Violations.Select(v => v.Path + " " + v.Rule));
            string expected = c.Valid ? string.Empty : (model.NestedUnder != null ? "$." + model.NestedUnder + "." : "$.") + c.Property + " " + c.Rule;
            if (Verdict(typed) != expected || Verdict(raw) != expected)
            {
                failures.Add($"{model.Type} {json}: expected [{expected}], Validate() gave [{Verdict(typed)}], ValidateJson() gave [{Verdict(raw)}]");
            }
        }

        string report = $"validation agreement: {cases.Length} cases ({cases.Count(x => x.Case.Valid)} inside, {cases.Count(x => !x.Case.Valid)} outside a limit) over {cases.Select(x => x.Model.Type).Distinct().Count()} request types; rules: {string.Join(", ", cases.Select(x => x.Case.Rule).Distinct())}; disagreements: {failures.Count}";
        output.WriteLine(report);
        File.WriteAllText(Path.Combine(TestPaths.ReportDirectory, "validation-agreement.txt"), report + Environment.NewLine);
        Assert.True(cases.Length > 40, "the table has only " + cases.Length + " cases");
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }
}

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
    internal sealed record Model(string File, string Type, string ContextProperty, Func<JsonNode, JsonObject> Properties, JsonObject Minimal, string? NestedUnder = null);

    private static readonly Model[] Models =
    {
        new("oxen/flux-2-flex.json", "Consumer.Oxen.Flux2Flex.Flux2FlexRequest", "OxenFlux2FlexFlux2FlexRequest", d => d["json_request_schema"]!["properties"]!.AsObject(), new JsonObject { ["prompt"] = "p" }),
        new("oxen/flux-2-pro.json", "Consumer.Oxen.Flux2Pro.Flux2ProRequest", "OxenFlux2ProFlux2ProRequest", d => d["json_request_schema"]!["properties"]!.AsObject(), new JsonObject { ["prompt"] = "p" }),
        new("fal/flux-2-flex.json", "Consumer.Fal.Flux2Flex.Flux2FlexInput", "FalFlux2FlexFlux2FlexInput", d => d["components"]!["schemas"]!["Flux2FlexInput"]!["properties"]!.AsObject(), new JsonObject { ["prompt"] = "p" }),
        new("fal/flux-2-flex.json", "Consumer.Fal.Flux2Flex.Flux2FlexInput", "FalFlux2FlexFlux2FlexInput", d => d["components"]!["schemas"]!["ImageSize"]!["properties"]!.AsObject(), new JsonObject { ["prompt"] = "p" }, "image_size"),
        new("apiframe/flux-2-flex.json", "Consumer.Apiframe.Flux2Flex.Flux2FlexGenerateRequest", "ApiframeFlux2FlexFlux2FlexGenerateRequest", d => d["components"]!["schemas"]!["Flux2FlexParams"]!["properties"]!.AsObject(), new JsonObject { ["prompt"] = "p", ["model"] = "flux-2-flex" }, "fluxParams"),
        new("apiframe/flux-2-flex.json", "Consumer.Apiframe.Flux2Flex.Flux2FlexGenerateRequest", "ApiframeFlux2FlexFlux2FlexGenerateRequest", d => d["components"]!["schemas"]!["Flux2FlexGenerateRequest"]!["properties"]!.AsObject(), new JsonObject { ["prompt"] = "p", ["model"] = "flux-2-flex" }),
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
                    yield return (model, new Case(model.Type, name, new JsonArray(Enumerable.Range(0, limit).Select(i => (JsonNode)("u" + i)).ToArray()), true, "maxItems"));
                    yield return (model, new Case(model.Type, name, new JsonArray(Enumerable.Range(0, limit + 1).Select(i => (JsonNode)("u" + i)).ToArray()), false, "maxItems"));
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

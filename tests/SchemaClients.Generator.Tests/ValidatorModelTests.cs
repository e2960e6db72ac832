using System;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using SchemaClients.Generator.Tests.Infrastructure;
using SchemaClients.Validation;
using Xunit;

namespace SchemaClients.Generator.Tests;

/// <summary>Corners of the validator model the official suite does not reach: each once found by reading the code.</summary>
public sealed class ValidatorModelTests
{
    private static MethodInfo Validator(string text, string? expectedError = null)
    {
        GeneratorHarness.Run run = GeneratorHarness.RunGenerator(new[] { GeneratorHarness.SchemaText("model", "subject.json", text) });
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => (d.Severity == DiagnosticSeverity.Error && d.Id != expectedError) || d.Id == "CS8785");
        if (expectedError != null)
        {
            Assert.Contains(run.GeneratorDiagnostics, d => d.Id == expectedError);
        }

        Assembly assembly = CompiledOutput.Load(run.Output);
        Type type = assembly.GetTypes().Single(t => t.Name == "SchemaValidator");
        return type.GetMethod("ValidateJson")!;
    }

    private static bool Valid(MethodInfo validate, string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        return ((ValidationResult)validate.Invoke(null, new object[] { document.RootElement })!).IsValid;
    }

    [Fact]
    public async Task ALoopThroughTheDynamicScopeIsCutSoValidationEnds()
    {
        // Statically there is no loop: hop's $dynamicRef goes to inner. At run time the outermost "x" is the root,
        // whose anyOf leads back to hop: without the cut, 2^85 paths before the depth limit. The loop is reported
        // (SCG0006, an error: no validator could finish it) and cut, so what is generated still ends.
        MethodInfo validate = Validator(expectedError: "SCG0006", text: """
            {"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"https://e.test/root","$dynamicAnchor":"x",
             "anyOf":[{"$ref":"inner#/$defs/hop"},{"$ref":"inner#/$defs/hop"}],
             "$defs":{"inner":{"$id":"inner","$dynamicAnchor":"x","$defs":{"hop":{"$dynamicRef":"#x"}}}}}
            """);
        Task<bool> check = Task.Run(() => Valid(validate, "{}"));
        Assert.True(await Task.WhenAny(check, Task.Delay(TimeSpan.FromSeconds(30))) == check, "validation did not end in 30 s");
        Assert.True(await check);
    }

    [Theory]
    [InlineData("https://json-schema.org/draft/2019-09/schema", false)] // 2019-09: contains does not evaluate items
    [InlineData("https://json-schema.org/draft/2020-12/schema", true)] // 2020-12: the items it matched are evaluated
    public void WhatContainsMatchedCountsForUnevaluatedItemsFrom2020On(string draft, bool valid)
    {
        MethodInfo validate = Validator("{\"$schema\":\"" + draft + "\",\"contains\":{\"type\":\"string\"},\"unevaluatedItems\":false}");
        Assert.Equal(valid, Valid(validate, """["a"]"""));
    }

    [Fact]
    public void AnAnchorOnAnOpenApiComponentResolves()
    {
        const string openApi = """
            {
              "openapi": "3.1.0", "info": { "title": "t", "version": "1" },
              "paths": { "/pets": { "post": { "operationId": "addPet",
                "requestBody": { "content": { "application/json": { "schema": { "$ref": "#pet" } } } },
                "responses": { "200": { "description": "ok" } } } } },
              "components": { "schemas": { "Pet": { "$anchor": "pet", "type": "object", "properties": { "legs": { "type": "integer", "maximum": 4 } } } } }
            }
            """;
        GeneratorHarness.Run run = GeneratorHarness.RunGenerator(new[] { GeneratorHarness.SchemaText("pets", "pets.json", openApi) });
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id == "SCG0005");
    }

    [Fact]
    public void AnExplicitAdditionalPropertiesTrueCountsForAnUnevaluatedPropertiesInAnotherFile()
    {
        // main's node for /properties/a is built before other.json is read; whether its explicit true counts as
        // evaluating every member must not depend on that order.
        GeneratorHarness.Run run = GeneratorHarness.RunGenerator(new[]
        {
            GeneratorHarness.SchemaText("order", "main.json", """{ "title": "Main", "type": "object", "properties": { "a": { "type": "object", "additionalProperties": true }, "b": { "$ref": "other.json" } } }"""),
            GeneratorHarness.SchemaText("order", "other.json", """{ "$ref": "main.json#/properties/a", "unevaluatedProperties": false }"""),
        });
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Severity == DiagnosticSeverity.Error || d.Id == "CS8785");
        Assembly assembly = CompiledOutput.Load(run.Output);
        MethodInfo validate = assembly.GetType("Consumer.Order.Main.SchemaValidator", throwOnError: true)!.GetMethod("ValidateJson")!;
        Assert.True(Valid(validate, """{ "b": { "x": 1 } }"""));
    }

    [Theory]
    [InlineData("""[{"patternProperties":[["^a","^a"]]}]""")] // an entry is [pattern, regex, node]
    [InlineData("""[true,{"dynamicAnchors":[{"x":999}]}]""")] // an anchor past the nodes
    [InlineData("""[true,{"dynamicAnchors":[{"x":-1}]}]""")]
    [InlineData("""[{"$dynamicRef":[7,"x"]}]""")]
    public void AMalformedTableIsAFormatExceptionNotACrash(string table)
        => Assert.Throws<FormatException>(() => SchemaGraph.Load(Encoding.UTF8.GetBytes(table)));
}

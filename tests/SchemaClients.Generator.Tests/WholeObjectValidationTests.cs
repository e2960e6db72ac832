using System.Linq;
using System.Reflection;
using SchemaClients.Generator.Tests.Infrastructure;
using SchemaClients.Validation;
using Xunit;

namespace SchemaClients.Generator.Tests;

/// <summary>
/// A record keeps its typed properties when its schema also has keywords about the object as a whole
/// (dependentRequired, if/then/else, patternProperties, minProperties): its typed <c>Validate()</c> and
/// <c>IsValid()</c> still enforce them, agreeing with <c>ValidateJson</c>; and where the schema gives other members
/// rules of their own (patternProperties), the record keeps such members, writes them and checks them.
/// </summary>
public sealed class WholeObjectValidationTests
{
    private const string Schema = """
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "title": "Order",
          "type": "object",
          "properties": {
            "size": { "type": "string" },
            "width": { "type": "integer" },
            "height": { "type": "integer" },
            "note": { "type": "string" }
          },
          "dependentRequired": { "width": ["height"] },
          "if": { "properties": { "size": { "const": "custom" } }, "required": ["size"] },
          "then": { "required": ["width"] },
          "patternProperties": { "^no": { "maxLength": 3 } },
          "minProperties": 1
        }
        """;

    /// <summary>A record whose only object-wide rule is in a property: a tuple's prefix.</summary>
    private const string Pairs = """
        { "title": "Pairs", "type": "object", "properties": { "pair": { "type": "array", "prefixItems": [{ "type": "integer", "maximum": 5 }, { "type": "string" }] } } }
        """;

    private const string Consumer = """
        namespace Consumer.Checks
        {
            /// <summary>The cases.</summary>
            public static class Cases
            {
                /// <summary>Typed Validate() of each.</summary>
                public static SchemaClients.Validation.ValidationResult[] All() => new[]
                {
                    new Consumer.Orders.Order.Order { Size = "square" }.Validate(),
                    new Consumer.Orders.Order.Order { Size = "custom" }.Validate(),
                    new Consumer.Orders.Order.Order { Size = "custom", Width = 10, Height = 5 }.Validate(),
                    new Consumer.Orders.Order.Order { Width = 10 }.Validate(),
                    new Consumer.Orders.Order.Order { Note = "long" }.Validate(),
                    new Consumer.Orders.Order.Order().Validate(),
                    new Consumer.Orders.Order.Order { Size = "square", AdditionalProperties = Extra("nop", "\"ab\"") }.Validate(),
                    new Consumer.Orders.Order.Order { Size = "square", AdditionalProperties = Extra("notes", "\"abcd\"") }.Validate(),
                    new Consumer.Orders.Pairs.Pairs { Pair = new[] { Json("9"), Json("\"x\"") } }.Validate(),
                    new Consumer.Orders.Pairs.Pairs { Pair = new[] { Json("3"), Json("\"x\"") } }.Validate(),
                };

                private static System.Text.Json.JsonElement Json(string json) => System.Text.Json.JsonDocument.Parse(json).RootElement.Clone();

                /// <summary>The JSON the record writes, kept members included.</summary>
                public static string Written() => System.Text.Json.JsonSerializer.Serialize(
                    new Consumer.Orders.Order.Order { Size = "square", AdditionalProperties = Extra("nop", "1") }, Consumer.SchemaClientsJsonContext.Default.OrdersOrderOrder);

                private static System.Collections.Generic.Dictionary<string, System.Text.Json.JsonElement> Extra(string name, string json)
                    => new() { [name] = System.Text.Json.JsonDocument.Parse(json).RootElement.Clone() };

                /// <summary>Typed IsValid() of two.</summary>
                public static bool[] Quiet() => new[]
                {
                    new Consumer.Orders.Order.Order { Size = "square" }.IsValid(),
                    new Consumer.Orders.Order.Order { Size = "custom" }.IsValid(),
                };
            }
        }
        """;

    [Fact]
    public void TypedValidateEnforcesKeywordsAboutTheWholeObject()
    {
        GeneratorHarness.Run run = GeneratorHarness.RunGenerator(new[] { GeneratorHarness.SchemaText("orders", "order.json", Schema), GeneratorHarness.SchemaText("orders", "pairs.json", Pairs) }, consumerSource: Consumer);
        Assert.Empty(run.CompileDiagnostics);
        Assembly assembly = CompiledOutput.Load(run.Output);
        var results = (ValidationResult[])CompiledOutput.Call(assembly, "Consumer.Checks.Cases", "All")!;
        Assert.Equal(new[] { true, false, true, false, false, false, true, false, false, true }, results.Select(r => r.IsValid).ToArray());
        Assert.Contains(results[8].Violations, v => v.Rule == "maximum" && v.Path == "$.pair[0]"); // a tuple's prefix, checked through the typed record
        Assert.Contains(results[7].Violations, v => v.Rule == "maxLength" && v.Path == "$.notes"); // a kept member, checked by patternProperties
        Assert.Equal("""{"size":"square","nop":1}""", (string)CompiledOutput.Call(assembly, "Consumer.Checks.Cases", "Written")!);
        Assert.Contains(results[1].Violations, v => v.Rule == "required" && v.Path == "$.width");
        Assert.Contains(results[3].Violations, v => v.Rule == "dependentRequired" && v.Path == "$.height");
        Assert.Contains(results[4].Violations, v => v.Rule == "maxLength" && v.Path == "$.note");
        Assert.Contains(results[5].Violations, v => v.Rule == "minProperties");
        Assert.Equal(new[] { true, false }, (bool[])CompiledOutput.Call(assembly, "Consumer.Checks.Cases", "Quiet")!);
    }
}

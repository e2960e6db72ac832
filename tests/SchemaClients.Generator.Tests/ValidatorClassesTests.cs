using System;
using System.Reflection;
using System.Text.Json;
using SchemaClients.Generator.Tests.Infrastructure;
using SchemaClients.Validation;
using Xunit;

namespace SchemaClients.Generator.Tests;

/// <summary>
/// Places where the generated validator once disagreed with JSON Schema and ECMA-262, one case per class, checked
/// through the generated <c>ValidateJson</c> of a compiled document.
/// </summary>
public sealed class ValidatorClassesTests
{
    private const string Schema = """
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "title": "Classes",
          "type": "object",
          "properties": {
            "ratio": { "type": "string", "pattern": "^[0-9]+:[0-9]+$" },
            "dragons": { "type": "string", "pattern": "^🐲*$" },
            "space": { "type": "string", "pattern": "^\\s$" },
            "count": { "type": "integer" },
            "short": { "type": "string", "maxLength": 1 },
            "huge": { "type": "number", "exclusiveMinimum": -1e400, "exclusiveMaximum": 1e400 },
            "tiny": { "type": "number", "multipleOf": 1e-30 },
            "none": { "type": "number", "exclusiveMinimum": 1e400 }
          }
        }
        """;

    private static readonly Lazy<MethodInfo> Validate = new(() =>
    {
        GeneratorHarness.Run run = GeneratorHarness.RunGenerator(new[] { GeneratorHarness.SchemaText("classes", "classes.json", Schema) });
        Assert.Empty(run.CompileDiagnostics);
        Assembly assembly = CompiledOutput.Load(run.Output);
        return assembly.GetType(GeneratorHarness.RootNamespace + ".Classes.Classes.SchemaValidator", throwOnError: true)!.GetMethod("ValidateJson")!;
    });

    private static ValidationResult Check(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        return (ValidationResult)Validate.Value.Invoke(null, new object[] { document.RootElement })!;
    }

    [Theory]
    [InlineData("""{"ratio": "16:9"}""", true)]
    [InlineData("""{"ratio": "1:1\n"}""", false)] // ECMA $ is the very end; .NET's $ also matches before a final \n
    [InlineData("""{"dragons": "🐲🐲"}""", true)] // the quantifier repeats the whole astral character, not its low surrogate
    [InlineData("""{"dragons": "🐲\udc32"}""", false)]
    [InlineData("""{"space": "\ufeff"}""", true)] // ECMA \s includes U+FEFF
    [InlineData("""{"space": "\u0085"}""", false)] // and not U+0085, which .NET's \s takes
    [InlineData("""{"count": 1e400}""", true)] // an integer past double's range is still an integer
    [InlineData("""{"count": 1.5e1}""", true)]
    [InlineData("""{"count": 1e-400}""", false)]
    [InlineData("""{"short": "\ud800"}""", true)] // a lone surrogate is legal JSON: one UTF-16 unit, reported or not, never thrown
    [InlineData("""{"short": "a\ud800"}""", false)]
    [InlineData("""{"huge": 5}""", true)] // limits past double's range once wrote Infinity into the schema table
    [InlineData("""{"none": 5}""", false)] // above 1e400: no number JSON carries here
    [InlineData("""{"tiny": 1}""", true)] // a multipleOf below decimal's 28 places once divided by zero
    [InlineData("""{"tiny": 0.5}""", true)]
    public void ValidateJsonFollowsJsonSchemaAndEcma262(string json, bool valid)
    {
        ValidationResult result = Check(json);
        Assert.True(valid == result.IsValid, json + ": " + result);
    }
}

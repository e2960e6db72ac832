using System.Collections.Generic;
using System.Text;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;
using Microsoft.CodeAnalysis.Text;
using SchemaClients.Generator.Tests.Infrastructure;
using Xunit;

namespace SchemaClients.Generator.Tests;

/// <summary>
/// Each generator diagnostic with a place in a schema file, asserted at its span there on the Roslyn testing framework:
/// the schema is an additional file with the span marked (<c>{|#0:...|}</c>), and the framework checks id, severity,
/// file, line and column, and that nothing else is reported (the generated code compiles). Messages and what the
/// generator does after each diagnostic are in DiagnosticTests.
/// </summary>
public sealed class GeneratorDiagnosticLocationTests
{
    private const string SubjectPath = "/0/schemas/tests/subject.json";

    public static IEnumerable<object[]> Cases() => new[]
    {
        new object[] { "SCG0001", DiagnosticSeverity.Error, "{\n  \"type\": \"object\",\n  \"properties\": { \"a\": {|#0:}|}\n}" },
        new object[] { "SCG0002", DiagnosticSeverity.Warning, "{|#0:{|} \"name\": \"not a schema\" }" },
        new object[] { "SCG0003", DiagnosticSeverity.Error, "{ \"swagger\": {|#0:\"2.0\"|}, \"paths\": {} }" },
        new object[] { "SCG0004", DiagnosticSeverity.Warning, "{ \"type\": \"object\", \"properties\": { \"steps\": { \"type\": {|#0:\"int\"|} } } }" },
        new object[] { "SCG0005", DiagnosticSeverity.Error, "{ \"type\": \"object\", \"properties\": { \"size\": { \"$ref\": {|#0:\"#/$defs/Missing\"|} } } }" },
        new object[] { "SCG0005", DiagnosticSeverity.Error, "{ \"properties\": { \"a\": { \"$ref\": {|#0:\"https://example.com/schema.json\"|} } } }" },
        new object[] { "SCG0006", DiagnosticSeverity.Error, "{ \"$defs\": { \"A\": { \"$ref\": \"#/$defs/B\" }, \"B\": { \"$ref\": {|#0:\"#/$defs/A\"|} } }, \"type\": \"object\", \"properties\": { \"x\": { \"$ref\": \"#/$defs/A\" } } }" },
        new object[] { "SCG0007", DiagnosticSeverity.Warning, "{ \"type\": \"object\", \"properties\": { \"source_url\": { \"type\": \"string\" }, {|#0:\"sourceUrl\"|}: { \"type\": \"string\" } } }" },
        new object[] { "SCG0008", DiagnosticSeverity.Info, "{ \"type\": \"object\", \"properties\": { {|#0:\"class\"|}: { \"type\": \"string\" } } }" },
        new object[] { "SCG0009", DiagnosticSeverity.Warning, "{ \"type\": \"object\", \"properties\": { \"mode\": { \"type\": \"string\", \"enum\": [\"fast-mode\", {|#0:\"fast_mode\"|}] } } }" },
        new object[] { "SCG0010", DiagnosticSeverity.Warning, "{ \"type\": \"object\", \"properties\": { \"width\": { \"anyOf\": [ { \"type\": \"integer\", \"minimum\": 64.0 }, { \"type\": \"null\" } ], \"default\": {|#0:0|} } } }" },
        new object[] { "SCG0011", DiagnosticSeverity.Info, "{ \"type\": \"object\", \"properties\": { \"v\": { \"oneOf\": {|#0:[ { \"type\": \"integer\" }, { \"type\": \"number\", \"minimum\": 5 } ]|} } } }" },
        new object[] { "SCG0012", DiagnosticSeverity.Warning, "{ \"type\": \"object\", \"properties\": { \"v\": { \"type\": \"string\", \"pattern\": {|#0:\"([a-z\"|} } } }" },
        new object[] { "SCG0013", DiagnosticSeverity.Info, "{ {|#0:\"$schema\"|}: \"https://example.com/my-meta-schema\", \"type\": \"object\" }" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public Task TheDiagnosticIsAtItsSpanInTheSchemaFile(string id, DiagnosticSeverity severity, string markedSchema)
    {
        var test = new GeneratorTest();
        test.TestState.Sources.Add("internal static class Marker { }");
        test.TestState.AdditionalFiles.Add((SubjectPath, SourceText.From(markedSchema, Encoding.UTF8)));
        test.ExpectedDiagnostics.Add(new DiagnosticResult(id, severity).WithLocation(0).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations));
        return test.RunAsync();
    }

    /// <summary>The second file is reported at its start, and generates nothing: the build shows that error alone, no duplicate types.</summary>
    [Fact]
    public Task TwoFilesForOneNamespaceAreReportedAtTheSecondFile()
    {
        var test = new GeneratorTest();
        test.TestState.Sources.Add("internal static class Marker { }");
        test.TestState.AdditionalFiles.Add(("/0/schemas/a/x.json", SourceText.From("{ \"title\": \"Same\", \"type\": \"object\", \"properties\": { \"a\": { \"type\": \"string\" } } }", Encoding.UTF8)));
        test.TestState.AdditionalFiles.Add(("/0/schemas/a/y.json", SourceText.From("{|#0:|}{ \"title\": \"Same\", \"type\": \"object\", \"properties\": { \"b\": { \"type\": \"string\" } } }", Encoding.UTF8)));
        test.ExpectedDiagnostics.Add(new DiagnosticResult("SCG0015", DiagnosticSeverity.Error).WithLocation(0).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations));
        return test.RunAsync();
    }

    /// <summary>The generator alone, as a user's project runs it, with the same build properties and references as the value tests.</summary>
    private sealed class GeneratorTest : CSharpSourceGeneratorTest<SchemaClientsGenerator, DefaultVerifier>
    {
        public GeneratorTest()
        {
            SchemaValueTest.Configure(TestState, includeRepositorySchemas: false);
            ReferenceAssemblies = new ReferenceAssemblies("net8.0");
            TestBehaviors |= TestBehaviors.SkipGeneratedSourcesCheck;
        }
    }
}

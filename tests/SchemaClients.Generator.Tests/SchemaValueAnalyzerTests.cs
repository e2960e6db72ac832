using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using SchemaClients.Generator.Tests.Infrastructure;
using Xunit;

namespace SchemaClients.Generator.Tests;

/// <summary>
/// Each value rule of the analyzer (SCG1001-SCG1007) reported where a value breaks it and silent at the limit, its code
/// fixes (one and all), the schema-file location and the severity from .editorconfig, on the Roslyn testing framework.
/// </summary>
public sealed class SchemaValueAnalyzerTests
{
    private static Task Verify(string body, string? fixedBody = null, params DiagnosticResult[] expected)
    {
        var test = new SchemaValueTest { TestCode = SchemaValueTest.Code(body) };
        if (fixedBody != null)
        {
            test.FixedCode = SchemaValueTest.Code(fixedBody);
        }

        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    private static DiagnosticResult At(string id, int location) => new DiagnosticResult(id, DiagnosticSeverity.Error).WithLocation(location).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations);

    [Theory]
    [InlineData("Width = {|#0:2080|}", "SCG1001")] // above maximum 2048
    [InlineData("Width = {|#0:32|}", "SCG1001")] // below minimum 64
    [InlineData("Width = {|#0:100|}", "SCG1002")] // not a multiple of 32
    [InlineData("Label = {|#0:\"a\"|}", "SCG1003")] // shorter than 2
    [InlineData("Label = {|#0:\"much too long\"|}", "SCG1003")] // longer than 8
    [InlineData("Ratio = {|#0:\"16:9\"|}", "SCG1004")] // two digits: the pattern takes one
    [InlineData("Mode = {|#0:\"slow\"|}", "SCG1005")] // not the const
    [InlineData("Tags = {|#0:[\"a\", \"b\", \"c\", \"d\"]|}", "SCG1006")] // more than 3 items
    public Task EachRuleIsReportedOnTheValueThatBreaksIt(string assignment, string id)
        => Verify("internal static class C { internal static object M() => new Limits.Limits { Name = \"n\", " + assignment + " }; }", null, At(id, 0));

    [Fact]
    public Task NullForARequiredMemberThatCannotBeNullIsReported()
        => Verify("internal static class C { internal static object M() => new Limits.Limits { Name = {|#0:null|}! }; }", null, At("SCG1007", 0));

    [Theory]
    [InlineData("Width = 2048")]
    [InlineData("Width = 64")]
    [InlineData("Width = 96")]
    [InlineData("Label = \"ab\"")]
    [InlineData("Label = \"12345678\"")]
    [InlineData("Ratio = \"1:9\"")]
    [InlineData("Mode = \"fast\"")]
    [InlineData("Tags = [\"a\", \"b\", \"c\"]")]
    public Task AValueAtTheLimitIsNotReported(string assignment)
        => Verify("internal static class C { internal static object M() => new Limits.Limits { Name = \"n\", " + assignment + " }; }");

    [Fact]
    public Task TheProvidersRangeIsCheckedOnTheirRequestsAndTheClampFixGivesTheLimit()
        => Verify(
            "internal static class C { internal static object M() => new Oxen.Flux2FlexRequest { Prompt = \"p\", NumInferenceSteps = {|#0:51|} }; }",
            "internal static class C { internal static object M() => new Oxen.Flux2FlexRequest { Prompt = \"p\", NumInferenceSteps = 50 }; }",
            At("SCG1001", 0));

    [Fact]
    public Task FixAllClampsEveryValueInTheDocument()
        => Verify(
            """
            internal static class C
            {
                internal static object A() => new Oxen.Flux2FlexRequest { Prompt = "p", NumInferenceSteps = {|#0:80|}, Guidance = {|#1:10.5|} };
                internal static object B() => new Oxen.Flux2FlexRequest { Prompt = "q", NumInferenceSteps = {|#2:0|}, OutputQuality = {|#3:101|} };
            }
            """,
            """
            internal static class C
            {
                internal static object A() => new Oxen.Flux2FlexRequest { Prompt = "p", NumInferenceSteps = 50, Guidance = 10.0 };
                internal static object B() => new Oxen.Flux2FlexRequest { Prompt = "q", NumInferenceSteps = 1, OutputQuality = 100 };
            }
            """,
            At("SCG1001", 0), At("SCG1001", 1), At("SCG1001", 2), At("SCG1001", 3));

    [Fact]
    public Task TheConstFixGivesTheAllowedValue()
        => Verify(
            "internal static class C { internal static object M() => new Apiframe.Flux2FlexGenerateRequest { Prompt = \"p\", Model = {|#0:\"flux-2-flx\"|} }; }",
            "internal static class C { internal static object M() => new Apiframe.Flux2FlexGenerateRequest { Prompt = \"p\", Model = \"flux-2-flex\" }; }",
            At("SCG1005", 0));

    [Fact]
    public Task NoFixIsOfferedWhereNoValueIsNearest()
    {
        const string body = "internal static class C { internal static object M() => new Apiframe.Flux2FlexParams { AspectRatio = {|#0:\"16 by 9\"|} }; }";
        return Verify(body, body, At("SCG1004", 0));
    }

    [Fact]
    public Task TheSecondLocationIsTheKeywordInTheSchemaFile()
    {
        string schema = System.IO.File.ReadAllText(System.IO.Path.Combine(TestPaths.Schemas, "oxen", "flux-2-flex.json"));
        (int line, int column) = SchemaValueTest.Keyword(schema, "\"num_inference_steps\"", "maximum");
        return Verify(
            "internal static class C { internal static object M() => new Oxen.Flux2FlexRequest { Prompt = \"p\", NumInferenceSteps = {|#0:51|} }; }",
            "internal static class C { internal static object M() => new Oxen.Flux2FlexRequest { Prompt = \"p\", NumInferenceSteps = 50 }; }",
            new DiagnosticResult("SCG1001", DiagnosticSeverity.Error).WithLocation(0).WithSpan("/0/schemas/oxen/flux-2-flex.json", line, column, line, column + "\"maximum\"".Length));
    }

    [Fact]
    public Task TheSeverityFromEditorconfigIsHonoured()
    {
        var test = new SchemaValueTest
        {
            TestCode = SchemaValueTest.Code("internal static class C { internal static object M() => new Oxen.Flux2FlexRequest { Prompt = \"p\", NumInferenceSteps = {|#0:51|}, Guidance = {|#1:11|} }; }"),
        };
        test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n\n[*.cs]\ndotnet_diagnostic.SCG1001.severity = warning\n"));
        test.ExpectedDiagnostics.Add(new DiagnosticResult("SCG1001", DiagnosticSeverity.Warning).WithLocation(0).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations));
        test.ExpectedDiagnostics.Add(new DiagnosticResult("SCG1001", DiagnosticSeverity.Warning).WithLocation(1).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations));
        test.FixedCode = SchemaValueTest.Code("internal static class C { internal static object M() => new Oxen.Flux2FlexRequest { Prompt = \"p\", NumInferenceSteps = 50, Guidance = 10.0 }; }");
        return test.RunAsync();
    }

    [Fact]
    public Task NonConstantValuesAreLeftToValidateAtRunTime()
        => Verify("""
            internal static class C
            {
                internal static object M(int steps, double guidance, string ratio, IReadOnlyList<global::SchemaClients.Files.ImageInput> images) => new Apiframe.Flux2FlexGenerateRequest
                {
                    Prompt = "p",
                    Model = ratio,
                    FluxParams = new Apiframe.Flux2FlexParams { Steps = steps, Guidance = guidance, AspectRatio = ratio, InputImages = images, Width = steps * 2 },
                };
            }
            """);

    [Fact]
    public Task ConstFieldsConstantExpressionsWithExpressionsAndNullAreChecked()
        => Verify("""
            internal static class C
            {
                private const int Steps = 80;
                private const double Low = -1;

                internal static object M(Oxen.Flux2FlexRequest request) => request with { NumInferenceSteps = {|#0:40 + 20|} };

                internal static object N() => new Oxen.Flux2FlexRequest { Prompt = {|#1:null|}!, NumInferenceSteps = {|#2:Steps|}, Guidance = {|#3:Low|}, OutputQuality = 100 };

                internal static object P() => new Apiframe.Flux2FlexParams { InputImages = {|#4:["http://a", "http://b", "http://c", "http://d", "http://e", "http://f", "http://g", "http://h", "http://i", "http://j", "http://k"]|}, AspectRatio = {|#5:"16x9"|} };
            }
            """, null, At("SCG1001", 0), At("SCG1007", 1), At("SCG1001", 2), At("SCG1001", 3), At("SCG1006", 4), At("SCG1004", 5));

    [Fact]
    public Task TheMessageNamesPropertyValueRuleProviderModelAndSchemaLine()
        => Verify(
            "internal static class C { internal static object M() => new Oxen.Flux2FlexRequest { Prompt = \"p\", NumInferenceSteps = {|#0:51|} }; }",
            null,
            At("SCG1001", 0).WithMessage("Flux2FlexRequest.NumInferenceSteps = 51 breaks maximum 50 of oxen model 'flux-2-flex' (flux-2-flex.json line 56)"));

    [Fact]
    public Task ItemsOfKnownCollectionsAreCheckedToo()
        => Verify(
            "internal static class C { internal static object M() => new Apiframe.Flux2FlexParams { InputImages = [\"http://a\", \"http://b\"], Width = 2048, Height = {|#0:2049|} }; }",
            null,
            At("SCG1001", 0));

    [Fact]
    public Task ASuppressedRuleReportsNothing()
    {
        var test = new SchemaValueTest
        {
            TestCode = SchemaValueTest.Code("internal static class C { internal static object M() => new Oxen.Flux2FlexRequest { Prompt = \"p\", NumInferenceSteps = 51 }; }"),
        };
        test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n\n[*.cs]\ndotnet_diagnostic.SCG1001.severity = none\n"));
        return test.RunAsync();
    }
}

using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using SchemaClients.Generator.CodeFixes;
using SchemaClients.Generator.Tests.Infrastructure;
using Xunit;

namespace SchemaClients.Generator.Tests;

/// <summary>The value analyzer on the forms users write, and its code fixes.</summary>
public sealed class AnalyzerTests
{
    private const string Usings = """
        using System.Collections.Generic;
        using Oxen = Consumer.Oxen.Flux2Flex;
        using Fal = Consumer.Fal.Flux2Flex;
        using Apiframe = Consumer.Apiframe.Flux2Flex;

        """;

    private static Diagnostic[] Analyze(string body)
    {
        (Compilation output, ImmutableArray<Diagnostic> diagnostics) = AnalyzerHarness.Run(Usings + body);
        string[] errors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(GeneratorHarness.Format).ToArray();
        Assert.True(errors.Length == 0, string.Join(Environment.NewLine, errors));
        return diagnostics.OrderBy(d => d.Location.SourceSpan.Start).ToArray();
    }

    private static string At(Diagnostic d) => d.Location.SourceTree!.GetText().ToString(d.Location.SourceSpan);

    [Fact]
    public void ValueDiagnosticsLinkToTheirPageUnderSchemaClientsHelpLinkRoot()
    {
        (_, ImmutableArray<Diagnostic> diagnostics) = AnalyzerHarness.Run(
            Usings + "internal static class C { internal static object M() => new Oxen.Flux2FlexRequest { Prompt = \"p\", NumInferenceSteps = 80 }; }",
            new Dictionary<string, string> { ["SchemaClientsHelpLinkRoot"] = "https://docs.example.test/d/" });
        Diagnostic found = Assert.Single(diagnostics);
        Assert.Equal("https://docs.example.test/d/" + found.Id + ".md", found.Descriptor.HelpLinkUri);
    }

    [Fact]
    public void NonConstantValuesAreLeftToValidateAtRunTime()
    {
        Diagnostic[] found = Analyze("""
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
        Assert.Empty(found);
    }

    [Fact]
    public void ConstFieldsConstantExpressionsWithExpressionsAndNullAreChecked()
    {
        Diagnostic[] found = Analyze("""
            internal static class C
            {
                private const int Steps = 80;
                private const double Low = -1;

                internal static object M(Oxen.Flux2FlexRequest request) => request with { NumInferenceSteps = 40 + 20 };

                internal static object N() => new Oxen.Flux2FlexRequest { Prompt = null!, NumInferenceSteps = Steps, Guidance = Low, OutputQuality = 100 };

                internal static object P() => new Apiframe.Flux2FlexParams { InputImages = ["http://a", "http://b", "http://c", "http://d", "http://e", "http://f", "http://g", "http://h", "http://i", "http://j", "http://k"], AspectRatio = "16x9" };
            }
            """);
        Assert.Equal(
            new[] { "SCG1001:40 + 20", "SCG1007:null", "SCG1001:Steps", "SCG1001:Low", "SCG1006:[\"http://a\", \"http://b\", \"http://c\", \"http://d\", \"http://e\", \"http://f\", \"http://g\", \"http://h\", \"http://i\", \"http://j\", \"http://k\"]", "SCG1004:\"16x9\"" },
            found.Select(d => d.Id + ":" + At(d)).ToArray());
    }

    [Fact]
    public void TheMessageNamesPropertyValueRuleProviderModelAndPointsAtTheSchemaLine()
    {
        Diagnostic d = Analyze("""
            internal static class C
            {
                internal static object M() => new Oxen.Flux2FlexRequest { Prompt = "p", NumInferenceSteps = 51 };
            }
            """).Single();
        Assert.Equal("SCG1001", d.Id);
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Equal("Flux2FlexRequest.NumInferenceSteps = 51 breaks maximum 50 of oxen model 'flux-2-flex' (flux-2-flex.json line 56)", d.GetMessage());
        Location schema = d.AdditionalLocations.Single();
        Assert.EndsWith("schemas/oxen/flux-2-flex.json", schema.GetLineSpan().Path, StringComparison.Ordinal);
        string line = File.ReadAllLines(Path.Combine(TestPaths.Schemas, "oxen", "flux-2-flex.json"))[schema.GetLineSpan().StartLinePosition.Line];
        Assert.Contains("\"maximum\": 50", line); // the keyword the value breaks, not the property's first line
        Assert.Equal(8, schema.GetLineSpan().StartLinePosition.Character); // its column: the keyword's opening quote
    }

    [Fact]
    public void ItemsOfKnownCollectionsAreCheckedToo()
    {
        Diagnostic[] found = Analyze("""
            internal static class C
            {
                internal static object M() => new Apiframe.Flux2FlexParams { InputImages = ["http://a", "http://b"], Width = 2048, Height = 2049 };
            }
            """);
        Assert.Equal(new[] { "SCG1001:2049" }, found.Select(d => d.Id + ":" + At(d)).ToArray());
    }

    [Fact]
    public void SeverityCanBeChangedPerIdAsEditorconfigDoes()
    {
        const string body = "internal static class C { internal static object M() => new Oxen.Flux2FlexRequest { Prompt = \"p\", NumInferenceSteps = 51, Guidance = 11 }; }";
        AdditionalText[] files = GeneratorHarness.RepositorySchemas().ToArray();
        GeneratorHarness.Run run = GeneratorHarness.RunGenerator(files, consumerSource: Usings + body);

        // dotnet_diagnostic.SCG1001.severity = warning  and  ... = none reach the compiler as these options.
        Compilation warn = run.Output.WithOptions(run.Output.Options.WithSpecificDiagnosticOptions(ImmutableDictionary<string, ReportDiagnostic>.Empty.Add("SCG1001", ReportDiagnostic.Warn)));
        Assert.All(AnalyzerHarness.Analyze(warn, files), d => Assert.Equal(DiagnosticSeverity.Warning, d.Severity));
        Assert.Equal(2, AnalyzerHarness.Analyze(warn, files).Length);

        Compilation off = run.Output.WithOptions(run.Output.Options.WithSpecificDiagnosticOptions(ImmutableDictionary<string, ReportDiagnostic>.Empty.Add("SCG1001", ReportDiagnostic.Suppress)));
        Assert.Empty(AnalyzerHarness.Analyze(off, files));
    }

    [Theory]
    [InlineData("NumInferenceSteps = 51", "NumInferenceSteps = 50")]
    [InlineData("NumInferenceSteps = 0", "NumInferenceSteps = 1")]
    [InlineData("Guidance = 10.5", "Guidance = 10.0")]
    [InlineData("Guidance = -3", "Guidance = 0.0")]
    [InlineData("OutputQuality = 101", "OutputQuality = 100")]
    public void ClampFixProducesCodeThatCompilesAndPassesTheAnalyzer(string before, string after)
    {
        string source = Usings + "internal static class C { internal static object M() => new Oxen.Flux2FlexRequest { Prompt = \"p\", " + before + " }; }";
        string fixedSource = ApplyFirstFix(source, out int offered);
        Assert.Equal(1, offered);
        Assert.Contains(after, fixedSource);
        Assert.Empty(Analyze(fixedSource.Substring(Usings.Length)));
    }

    [Fact]
    public void ConstFixOffersTheAllowedValue()
    {
        string source = Usings + "internal static class C { internal static object M() => new Apiframe.Flux2FlexGenerateRequest { Prompt = \"p\", Model = \"flux-2-flx\" }; }";
        string fixedSource = ApplyFirstFix(source, out int offered);
        Assert.Equal(1, offered);
        Assert.Contains("Model = \"flux-2-flex\"", fixedSource);
        Assert.Empty(Analyze(fixedSource.Substring(Usings.Length)));
    }

    [Fact]
    public void NoFixIsOfferedWhereNoValueIsNearest()
    {
        string source = Usings + "internal static class C { internal static object M() => new Apiframe.Flux2FlexParams { AspectRatio = \"16 by 9\" }; }";
        ApplyFirstFix(source, out int offered);
        Assert.Equal(0, offered);
    }

    /// <summary>Runs the analyzer, asks the code fix provider for fixes of the first diagnostic, and applies the first one.</summary>
    private static string ApplyFirstFix(string source, out int offered)
    {
        AdditionalText[] files = GeneratorHarness.RepositorySchemas().ToArray();
        GeneratorHarness.Run run = GeneratorHarness.RunGenerator(files, consumerSource: source);

        using var workspace = new AdhocWorkspace();
        ProjectId projectId = ProjectId.CreateNewId();
        Solution solution = workspace.CurrentSolution.AddProject(ProjectInfo.Create(
            projectId, VersionStamp.Default, "Consumer", "Consumer", LanguageNames.CSharp,
            compilationOptions: run.Output.Options,
            parseOptions: GeneratorHarness.ParseOptions(TargetFramework.Net10),
            metadataReferences: GeneratorHarness.ReferencesFor(TargetFramework.Net10)));
        DocumentId consumerId = DocumentId.CreateNewId(projectId);
        solution = solution.AddDocument(consumerId, "Consumer.cs", SourceText.From(source));
        foreach (GeneratedSourceResult generated in run.Result.Results.Single().GeneratedSources)
        {
            solution = solution.AddDocument(DocumentId.CreateNewId(projectId), generated.HintName, generated.SourceText);
        }

        Document document = solution.GetDocument(consumerId)!;
        Compilation compilation = document.Project.GetCompilationAsync().GetAwaiter().GetResult()!;
        Diagnostic diagnostic = AnalyzerHarness.Analyze(compilation, files).Single(d => d.Location.SourceTree!.FilePath == document.FilePath || d.Location.SourceTree == compilation.SyntaxTrees.First(t => t.FilePath == document.FilePath || t.ToString() == source));

        var actions = new List<CodeAction>();
        var context = new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None);
        new SchemaValueCodeFixProvider().RegisterCodeFixesAsync(context).GetAwaiter().GetResult();
        offered = actions.Count;
        if (actions.Count == 0)
        {
            return source;
        }

        ImmutableArray<CodeActionOperation> operations = actions[0].GetOperationsAsync(CancellationToken.None).GetAwaiter().GetResult();
        Solution changed = operations.OfType<ApplyChangesOperation>().Single().ChangedSolution;
        return changed.GetDocument(consumerId)!.GetTextAsync().GetAwaiter().GetResult().ToString();
    }
}

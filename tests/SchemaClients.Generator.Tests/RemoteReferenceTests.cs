using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using System.Text.Json;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using SchemaClients.Generator.Tests.Infrastructure;
using SchemaClients.Validation;
using Xunit;

namespace SchemaClients.Generator.Tests;

/// <summary>
/// References between schema files: a relative <c>$ref</c> resolves against the file's own URI, an absolute one to
/// the file the build names with <c>SchemaClientsUri</c>; nothing goes to the network, and a document that
/// references no other file is not parsed again when another file changes.
/// </summary>
public sealed class RemoteReferenceTests
{
    private const string Common = """
        { "$defs": { "Steps": { "type": "integer", "minimum": 1, "maximum": 50 } } }
        """;

    private const string UsesCommon = """
        { "title": "Job", "type": "object", "properties": { "steps": { "$ref": "../common/defs.json#/$defs/Steps" } } }
        """;

    /// <summary>ParsedDocument.Spec.FilePath of a Documents step output (internal types, read by reflection).</summary>
    private static string FilePathOf(object parsed)
    {
        object spec = parsed.GetType().GetProperty("Spec")!.GetValue(parsed)!;
        return (string)spec.GetType().GetProperty("FilePath")!.GetValue(spec)!;
    }

    private static bool Valid(Assembly assembly, string type, string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        MethodInfo validate = assembly.GetType(type, throwOnError: true)!.GetMethod("ValidateJson")!;
        return ((ValidationResult)validate.Invoke(null, new object[] { document.RootElement })!).IsValid;
    }

    [Fact]
    public void ARelativeRefResolvesToTheOtherSchemaFileBesideIt()
    {
        GeneratorHarness.Run run = GeneratorHarness.RunGenerator(new[]
        {
            GeneratorHarness.SchemaText("common", "defs.json", Common),
            GeneratorHarness.SchemaText("jobs", "job.json", UsesCommon),
        });
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Severity >= DiagnosticSeverity.Warning);
        Assembly assembly = CompiledOutput.Load(run.Output);
        Assert.True(Valid(assembly, "Consumer.Jobs.Job.SchemaValidator", """{ "steps": 28 }"""));
        Assert.False(Valid(assembly, "Consumer.Jobs.Job.SchemaValidator", """{ "steps": 80 }"""));
    }

    [Fact]
    public void AnAbsoluteRefResolvesToTheFileTheBuildGivesThatUriAndThatFileGeneratesNothing()
    {
        const string path = "/repo/shared-schemas/size.json"; // outside schemas/: there only to be referenced
        var files = new[]
        {
            new GeneratorHarness.InMemoryText(path, Microsoft.CodeAnalysis.Text.SourceText.From("""{ "type": "integer", "multipleOf": 64 }""", System.Text.Encoding.UTF8)),
            GeneratorHarness.SchemaText("jobs", "image.json", """{ "title": "Image", "type": "object", "properties": { "width": { "$ref": "https://schemas.example.test/size.json" } } }"""),
        };
        GeneratorHarness.Run run = GeneratorHarness.RunGenerator(files, fileUris: new Dictionary<string, string> { [path] = "https://schemas.example.test/size.json" });
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Severity >= DiagnosticSeverity.Warning);
        Assert.DoesNotContain(run.Result.GeneratedSources(), s => s.HintName.Contains("Size", StringComparison.OrdinalIgnoreCase));
        Assembly assembly = CompiledOutput.Load(run.Output);
        Assert.True(Valid(assembly, "Consumer.Jobs.Image.SchemaValidator", """{ "width": 1024 }"""));
        Assert.False(Valid(assembly, "Consumer.Jobs.Image.SchemaValidator", """{ "width": 1000 }"""));
    }

    [Fact]
    public void ARefToAUriNoFileHasIsAnErrorThatSaysReferencesNeverGoToTheNetwork()
    {
        GeneratorHarness.Run run = GeneratorHarness.RunGenerator(new[]
        {
            GeneratorHarness.SchemaText("jobs", "image.json", """{ "title": "Image", "type": "object", "properties": { "width": { "$ref": "https://schemas.example.test/missing.json" } } }"""),
        });
        Diagnostic d = Assert.Single(run.GeneratorDiagnostics, x => x.Id == "SCG0005");
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Contains("https://schemas.example.test/missing.json", d.GetMessage(), StringComparison.Ordinal);
        Assert.Contains("never go to the network", d.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void EditingAFileReparsesTheDocumentsThatReferenceOtherFilesAndNoOther()
    {
        AdditionalText common = GeneratorHarness.SchemaText("common", "defs.json", Common);
        AdditionalText[] files =
        {
            common,
            GeneratorHarness.SchemaText("jobs", "job.json", UsesCommon),
            GeneratorHarness.SchemaText("jobs", "plain.json", """{ "title": "Plain", "type": "object", "properties": { "a": { "type": "string" } } }"""),
        };
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(Array.Empty<string>());
        GeneratorDriver driver = GeneratorHarness.CreateDriver(files).RunGenerators(compilation);
        driver = driver.ReplaceAdditionalText(common, GeneratorHarness.SchemaText("common", "defs.json", Common.Replace("50", "40", StringComparison.Ordinal))).RunGenerators(compilation);

        ImmutableArray<IncrementalGeneratorRunStep> documents = driver.GetRunResult().Results.Single().TrackedSteps["Documents"];
        var reasons = documents.SelectMany(step => step.Outputs.Select(o => (Path: FilePathOf(o.Value), o.Reason))).ToDictionary(p => p.Path, p => p.Reason);
        Assert.Equal(IncrementalStepRunReason.Modified, reasons["/repo/schemas/common/defs.json"]);
        Assert.Equal(IncrementalStepRunReason.Modified, reasons["/repo/schemas/jobs/job.json"]); // its $ref target changed
        // Cached, not Unchanged: the parse did not run again at all (Unchanged would mean it ran and came out equal).
        Assert.True(reasons["/repo/schemas/jobs/plain.json"] == IncrementalStepRunReason.Cached, "plain.json was " + reasons["/repo/schemas/jobs/plain.json"]);
    }
}

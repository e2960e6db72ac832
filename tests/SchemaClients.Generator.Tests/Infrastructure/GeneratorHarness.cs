using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace SchemaClients.Generator.Tests.Infrastructure;

/// <summary>Which reference assemblies a consumer compilation is built against.</summary>
public enum TargetFramework
{
    Net10,
    Net8,
}

/// <summary>Drives the generator with <see cref="CSharpGeneratorDriver"/> directly, as a build would.</summary>
internal static class GeneratorHarness
{
    public const string RootNamespace = "Consumer";

    private static readonly Dictionary<TargetFramework, ImmutableArray<MetadataReference>> References = new();

    public static ImmutableArray<MetadataReference> ReferencesFor(TargetFramework framework)
    {
        lock (References)
        {
            if (!References.TryGetValue(framework, out ImmutableArray<MetadataReference> refs))
            {
                string dir = framework == TargetFramework.Net8 ? TestPaths.Net8References : TestPaths.Net10References;
                refs = Directory.GetFiles(dir, "*.dll")
                    .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
                    .Concat(TestPaths.ExtensionsReferences(framework == TargetFramework.Net8 ? "net8.0" : "net10.0").Select(path => (MetadataReference)MetadataReference.CreateFromFile(path)))
                    .Append(MetadataReference.CreateFromFile(typeof(SchemaClients.Validation.ValidationResult).Assembly.Location))
                    .ToImmutableArray();
                References[framework] = refs;
            }

            return refs;
        }
    }

    public static CSharpParseOptions ParseOptions(TargetFramework framework) =>
        new(framework == TargetFramework.Net8 ? LanguageVersion.CSharp12 : LanguageVersion.Preview, DocumentationMode.Diagnose);

    public static CSharpCompilation CreateCompilation(IEnumerable<string> sources, TargetFramework framework = TargetFramework.Net10, string assemblyName = "Consumer")
    {
        CSharpParseOptions parse = ParseOptions(framework);
        return CSharpCompilation.Create(
            assemblyName,
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, parse, path: "Source" + i + ".cs")),
            ReferencesFor(framework),
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                generalDiagnosticOption: ReportDiagnostic.Error,
                specificDiagnosticOptions: new Dictionary<string, ReportDiagnostic>
                {
                    // CS1701/CS1702: binding redirects between reference assembly versions, not code warnings.
                    ["CS1701"] = ReportDiagnostic.Suppress,
                    ["CS1702"] = ReportDiagnostic.Suppress,
                },
                deterministic: true));
    }

    public static GeneratorDriver CreateDriver(IEnumerable<AdditionalText> files, TargetFramework framework = TargetFramework.Net10, bool trackSteps = true, bool buildProps = true, string? schemaNamespace = null, IReadOnlyDictionary<string, string>? buildProperties = null, IReadOnlyDictionary<string, string>? fileUris = null)
    {
        return CSharpGeneratorDriver.Create(
            new[] { new SchemaClientsGenerator().AsSourceGenerator() },
            files,
            ParseOptions(framework),
            OptionsProvider(buildProps, schemaNamespace, buildProperties, fileUris),
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));
    }

    /// <summary>The options a project gets from the package's props; without <paramref name="buildProps"/>, as a bare project reference would.</summary>
    public static AnalyzerConfigOptionsProvider OptionsProvider(bool buildProps = true, string? schemaNamespace = null, IReadOnlyDictionary<string, string>? buildProperties = null, IReadOnlyDictionary<string, string>? fileUris = null)
    {
        var global = new Dictionary<string, string> { ["build_property.RootNamespace"] = RootNamespace };
        foreach (KeyValuePair<string, string> property in buildProperties ?? new Dictionary<string, string>())
        {
            global["build_property." + property.Key] = property.Value;
        }

        if (schemaNamespace != null)
        {
            global["build_property.SchemaClientsNamespace"] = schemaNamespace;
        }

        if (buildProps)
        {
            global["build_property.ProjectDir"] = "/repo/";
            global["build_property.SchemaClientsBuildProps"] = "true";
        }

        return new TestOptionsProvider(global, fileUris);
    }

    public sealed record Run(GeneratorDriver Driver, GeneratorDriverRunResult Result, Compilation Output, ImmutableArray<Diagnostic> GeneratorDiagnostics)
    {
        public IEnumerable<Diagnostic> CompileDiagnostics => Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning);
    }

    /// <param name="fileUris">SchemaClientsUri metadata by additional file path (the URI other files' $refs use).</param>
    public static Run RunGenerator(IEnumerable<AdditionalText> files, TargetFramework framework = TargetFramework.Net10, string? consumerSource = null, IReadOnlyDictionary<string, string>? fileUris = null)
    {
        CSharpCompilation compilation = CreateCompilation(consumerSource != null ? new[] { consumerSource } : Array.Empty<string>(), framework);
        GeneratorDriver driver = CreateDriver(files, framework, fileUris: fileUris);
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        return new Run(driver, driver.GetRunResult(), output, diagnostics);
    }

    /// <summary>A schema file as the build would pass it: under a 'schemas' folder of the project.</summary>
    public static AdditionalText SchemaText(string provider, string fileName, string content) =>
        new InMemoryText("/repo/schemas/" + provider + "/" + fileName, SourceText.From(content, Encoding.UTF8));

    public static AdditionalText SchemaBytes(string provider, string fileName, byte[] content)
    {
        using var stream = new MemoryStream(content);
        return new InMemoryText("/repo/schemas/" + provider + "/" + fileName, SourceText.From(stream, Encoding.UTF8, throwIfBinaryDetected: false));
    }

    public static AdditionalText FromDisk(string path, string provider) =>
        new InMemoryText("/repo/schemas/" + provider + "/" + Path.GetFileName(path), SourceText.From(File.ReadAllText(path), Encoding.UTF8));

    public static IEnumerable<AdditionalText> RepositorySchemas() =>
        Directory.GetFiles(TestPaths.Schemas, "*.json", SearchOption.AllDirectories)
            .Where(p => Path.GetFileName(p) != "manifest.json")
            .OrderBy(p => p, StringComparer.Ordinal)
            .Select(p => FromDisk(p, Path.GetFileName(Path.GetDirectoryName(p)!)));

    public static IEnumerable<string> CorpusFiles() =>
        Directory.GetFiles(Path.Combine(TestPaths.Shared, "schema-corpus"), "*.json", SearchOption.AllDirectories).OrderBy(p => p, StringComparer.Ordinal);

    public static string Format(Diagnostic d)
    {
        FileLinePositionSpan span = d.Location.GetLineSpan();
        return $"{Path.GetFileName(span.Path)}({span.StartLinePosition.Line + 1},{span.StartLinePosition.Character + 1}): {d.Severity} {d.Id}: {d.GetMessage()}";
    }

    internal sealed class InMemoryText(string path, SourceText text) : AdditionalText
    {
        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => text;
    }

    private sealed class TestOptionsProvider(Dictionary<string, string> global, IReadOnlyDictionary<string, string>? fileUris = null) : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions { get; } = new Options(global);

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => new Options(new());

        /// <summary>An additional file's metadata: SchemaClientsUri, as the props make it visible, when the test gives one.</summary>
        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile)
            => fileUris != null && fileUris.TryGetValue(textFile.Path, out string? uri)
                ? new Options(new() { ["build_metadata.AdditionalFiles.SchemaClientsUri"] = uri })
                : new Options(new());

        private sealed class Options(Dictionary<string, string> values) : AnalyzerConfigOptions
        {
            public override bool TryGetValue(string key, out string value) => values.TryGetValue(key, out value!);
        }
    }
}

/// <summary>Compiles a generator run's output and loads it, so tests can call the generated code.</summary>
internal static class CompiledOutput
{
    public static System.Reflection.Assembly Load(Compilation compilation)
    {
        using var stream = new MemoryStream();
        Microsoft.CodeAnalysis.Emit.EmitResult result = compilation.Emit(stream);
        if (!result.Success)
        {
            throw new InvalidOperationException("The generated code does not compile:" + Environment.NewLine
                + string.Join(Environment.NewLine, result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(20).Select(GeneratorHarness.Format)));
        }

        stream.Position = 0;
        var context = new System.Runtime.Loader.AssemblyLoadContext(compilation.AssemblyName, isCollectible: true);
        return context.LoadFromStream(stream);
    }

    public static object? Call(System.Reflection.Assembly assembly, string type, string method, params object?[] args) =>
        assembly.GetType(type, throwOnError: true)!.GetMethod(method)!.Invoke(null, args);
}

/// <summary>Runs the value analyzer over a compilation, with the schema files as the build would pass them.</summary>
internal static class AnalyzerHarness
{
    public static ImmutableArray<Diagnostic> Analyze(Compilation compilation, IEnumerable<AdditionalText> schemaFiles, IReadOnlyDictionary<string, string>? buildProperties = null)
    {
        var options = new AnalyzerOptions(schemaFiles.ToImmutableArray(), GeneratorHarness.OptionsProvider(buildProperties: buildProperties));
        var analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(new SchemaClients.Generator.Analysis.SchemaValueAnalyzer());
        return compilation.WithAnalyzers(analyzers, options).GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
    }

    /// <summary>The generator's output for the repository schemas plus the given consumer code, then the analyzer over it.</summary>
    public static (Compilation Output, ImmutableArray<Diagnostic> Diagnostics) Run(string consumerSource, IReadOnlyDictionary<string, string>? buildProperties = null)
    {
        AdditionalText[] files = GeneratorHarness.RepositorySchemas().ToArray();
        GeneratorHarness.Run run = GeneratorHarness.RunGenerator(files, consumerSource: consumerSource);
        return (run.Output, Analyze(run.Output, files, buildProperties));
    }
}

using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using SchemaClients.Generator;

namespace SchemaClients.Benchmarks;

/// <summary>
/// Generator cost per schema document over schemas/ plus the shared corpus.
///   dotnet run -c Release --project build/SchemaClients.Benchmarks                 BenchmarkDotNet, all documents per operation
///   dotnet run -c Release --project build/SchemaClients.Benchmarks -- --per-document   first run in a fresh process, then warm median per document
///   dotnet run -c Release --project build/SchemaClients.Benchmarks -- --analyzer       compile 1,000 request initializations with and without the value analyzer
///   dotnet run -c Release --project build/SchemaClients.Benchmarks -- --output-size    characters of C# emitted per document, and what the BFL document's are spent on
///   dotnet run -c Release --project build/SchemaClients.Benchmarks -- --versus-parse   generator time and allocation per document against JsonDocument.Parse of the same bytes
///   dotnet run -c Release --project build/SchemaClients.Benchmarks -- --stages         time and allocation per document of each generator stage, and of Roslyn parsing the output
///   dotnet run -c Release --project build/SchemaClients.Benchmarks -- --compile N      generate N documents (copies of the 84 in distinct folders) and emit the assembly: time, errors, peak memory; --warm R compiles again R times
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Contains("--per-document"))
        {
            return PerDocument.Run();
        }

        if (args.Contains("--large"))
        {
            return LargeDocuments.Run();
        }

        if (args.Contains("--output-size"))
        {
            return OutputSize.Run();
        }

        if (Array.IndexOf(args, "--stages-loop") is int loop and >= 0)
        {
            return Stages.Loop(loop + 1 < args.Length && double.TryParse(args[loop + 1], out double seconds) ? seconds : 10);
        }

        if (args.Contains("--stages"))
        {
            return Stages.Run();
        }

        if (args.Contains("--versus-parse"))
        {
            return VersusParse.Run();
        }

        if (Array.IndexOf(args, "--compile") is int at and >= 0)
        {
            if (at + 1 >= args.Length || !int.TryParse(args[at + 1], out int count) || count < 1)
            {
                Console.Error.WriteLine("usage: --compile N   (N documents, e.g. 100 or 1000)");
                return 2;
            }

            int warm = Array.IndexOf(args, "--warm") is int w and >= 0 && w + 1 < args.Length && int.TryParse(args[w + 1], out int r) ? r : 0;
            return CompileScale.Run(count, warm);
        }

        if (args.Contains("--analyzer-interleaved"))
        {
            var bench = new AnalyzerBenchmarks();
            bench.Setup();
            var modes = new (string Name, Func<int> Run)[]
            {
                ("without analyzer", bench.CompileWithoutAnalyzer),
                ("idle analyzer driver", bench.CompileWithIdleAnalyzerDriver),
                ("idle operation analyzer", bench.CompileWithIdleOperationAnalyzer),
                ("idle start+operation", bench.CompileWithIdleStartOperationAnalyzer),
                ("SchemaValueAnalyzer", bench.CompileWithAnalyzer),
            };
            var samples = modes.ToDictionary(m => m.Name, _ => new List<double>());
            for (int round = 0; round < 60; round++)
            {
                foreach (var (name, run) in round % 2 == 0 ? modes : modes.Reverse())
                {
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                    long start = Stopwatch.GetTimestamp();
                    run();
                    if (round >= 5)
                    {
                        samples[name].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    }
                }
            }

            double Median(List<double> x) => x.OrderBy(v => v).ElementAt(x.Count / 2);
            foreach (var (name, _) in modes)
            {
                Console.WriteLine($"{name,-24} median {Median(samples[name]),7:F1} ms  min {samples[name].Min(),7:F1} ms  ({samples[name].Count} rounds)");
            }

            return 0;
        }

        if (args.Contains("--analyzer"))
        {
            BenchmarkRunner.Run<AnalyzerBenchmarks>(args: args.Where(a => a != "--analyzer").ToArray());
            return 0;
        }

        BenchmarkRunner.Run<GeneratorBenchmarks>(args: args);
        return 0;
    }
}

internal static class Inputs
{
    public static string RepositoryRoot
    {
        get
        {
            for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Generators.sln")))
                {
                    return dir.FullName;
                }
            }

            return Directory.GetCurrentDirectory();
        }
    }

    public static AdditionalText[] Documents()
    {
        string root = RepositoryRoot;
        var files = Directory.GetFiles(Path.Combine(root, "schemas"), "*.json", SearchOption.AllDirectories)
            .Where(p => Path.GetFileName(p) != "manifest.json").ToList();
        string corpus = Path.Combine(root, "..", "shared", "schema-corpus");
        if (Directory.Exists(corpus))
        {
            files.AddRange(Directory.GetFiles(corpus, "*.json", SearchOption.AllDirectories));
        }
        else
        {
            Console.Error.WriteLine("note: ../shared/schema-corpus not found; measuring schemas/ only");
        }

        return files.OrderBy(p => p, StringComparer.Ordinal)
            .Select(p => (AdditionalText)new Text("/bench/schemas/" + Path.GetFileName(Path.GetDirectoryName(p)) + "/" + Path.GetFileName(p), SourceText.From(File.ReadAllText(p), Encoding.UTF8)))
            .ToArray();
    }

    public static CSharpCompilation Compilation() => CSharpCompilation.Create("Bench", Array.Empty<SyntaxTree>(), Array.Empty<MetadataReference>(), new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));

    /// <summary>One build's worth of work: a new driver runs the generator over the documents.</summary>
    public static int Generate(IEnumerable<AdditionalText> documents, CSharpCompilation compilation) => Run(documents, compilation).GeneratedSources.Length;

    /// <summary>As <see cref="Generate"/>, returning the run's result (the generated sources and diagnostics).</summary>
    public static GeneratorRunResult Run(IEnumerable<AdditionalText> documents, CSharpCompilation compilation)
    {
        GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new SchemaClientsGenerator().AsSourceGenerator() }, documents);
        driver = driver.RunGenerators(compilation);
        GeneratorRunResult result = driver.GetRunResult().Results[0];
        if (result.Exception is { } e)
        {
            throw e;
        }

        return result;
    }

    /// <summary>The file the generator writes once for all documents together.</summary>
    public const string ContextHintName = "SchemaClientsJsonContext.g.cs";

    /// <summary>The same document under another provider folder, e.g. /bench/schemas/fal3/x.json for copy 3 of /bench/schemas/fal/x.json.</summary>
    public static AdditionalText Copy(AdditionalText document, int copy)
    {
        string provider = Path.GetFileName(Path.GetDirectoryName(document.Path))!;
        return new Text("/bench/schemas/" + provider + copy + "/" + Path.GetFileName(document.Path), document.GetText()!);
    }

    internal sealed class Text(string path, SourceText text) : AdditionalText
    {
        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => text;
    }
}

[MemoryDiagnoser]
public class GeneratorBenchmarks
{
    private AdditionalText[] _documents = Array.Empty<AdditionalText>();
    private CSharpCompilation _compilation = null!;

    [GlobalSetup]
    public void Setup()
    {
        _documents = Inputs.Documents();
        _compilation = Inputs.Compilation();
        Console.WriteLine($"documents: {_documents.Length}");
    }

    /// <summary>Every document through a fresh driver: read, parse, emit. Divide by the document count for per-document cost.</summary>
    [Benchmark]
    public int AllDocuments() => Inputs.Generate(_documents, _compilation);
}

/// <summary>
/// Generator time against document size for the largest inputs: BFL's OpenAPI document, the two $ref-chain findings
/// in ../shared/fuzz-findings (55 and 98 KB). Warm median of 31 fresh-driver runs each, and milliseconds per 100 KB, to show the time stays linear.
/// </summary>
internal static class LargeDocuments
{
    public static int Run()
    {
        string shared = Path.Combine(Inputs.RepositoryRoot, "..", "shared");
        var inputs = new List<(string Name, string Provider, string Text)>();
        string bfl = Path.Combine(shared, "schema-corpus", "bfl", "bfl-openapi.json");
        if (!File.Exists(bfl))
        {
            Console.Error.WriteLine("../shared is not beside the repository: nothing to measure");
            return 1;
        }

        string bflText = File.ReadAllText(bfl);
        inputs.Add(("bfl-openapi.json", "bfl", bflText));
        foreach (string finding in new[] { "slow-ref-chains-3x600.json", "slow-ref-chains-4x800.json" })
        {
            string path = Path.Combine(shared, "fuzz-findings", finding);
            if (File.Exists(path))
            {
                inputs.Add((finding, "fuzz", File.ReadAllText(path)));
            }
        }

        CSharpCompilation compilation = Inputs.Compilation();
        Console.WriteLine("warm, one document per fresh driver, median of 31 runs after 5 warm-up runs:");
        foreach ((string name, string provider, string text) in inputs)
        {
            AdditionalText[] document = { new Inputs.Text("/bench/schemas/" + provider + "/" + Path.GetFileName(name.Split(' ')[0]), SourceText.From(text, Encoding.UTF8)) };
            for (int i = 0; i < 5; i++)
            {
                Inputs.Generate(document, compilation);
            }

            var samples = new double[31];
            for (int i = 0; i < samples.Length; i++)
            {
                long start = Stopwatch.GetTimestamp();
                Inputs.Generate(document, compilation);
                samples[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }

            Array.Sort(samples);
            double median = samples[samples.Length / 2];
            int bytes = Encoding.UTF8.GetByteCount(text);
            Console.WriteLine($"  {name,-32} {bytes,9:N0} bytes  {median,8:F2} ms  ({median * 100_000 / bytes:F2} ms per 100 KB)");
        }

        return 0;
    }
}

internal static class PerDocument
{
    public static int Run()
    {
        AdditionalText[] documents = Inputs.Documents();
        CSharpCompilation compilation = Inputs.Compilation();

        var cold = Stopwatch.StartNew();
        Inputs.Generate(documents, compilation);
        cold.Stop();
        Console.WriteLine($"first run in a fresh process (JIT included): {documents.Length} documents in {cold.Elapsed.TotalMilliseconds:F1} ms, {cold.Elapsed.TotalMilliseconds / documents.Length:F2} ms per document");

        for (int i = 0; i < 20; i++)
        {
            Inputs.Generate(documents, compilation);
        }

        var medians = new List<(string Name, double Ms)>();
        foreach (AdditionalText document in documents)
        {
            var samples = new double[31];
            for (int i = 0; i < samples.Length; i++)
            {
                long start = Stopwatch.GetTimestamp();
                Inputs.Generate(new[] { document }, compilation);
                samples[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }

            Array.Sort(samples);
            medians.Add((document.Path, samples[samples.Length / 2]));
        }

        double[] sorted = medians.Select(m => m.Ms).OrderBy(x => x).ToArray();
        Console.WriteLine($"warm, one document per fresh driver, median of 31 runs each, over {sorted.Length} documents:");
        Console.WriteLine($"  median {sorted[sorted.Length / 2]:F3} ms, p90 {sorted[(int)(sorted.Length * 0.9)]:F3} ms, max {sorted[^1]:F3} ms ({medians.OrderBy(m => m.Ms).Last().Name})");
        return 0;
    }
}

/// <summary>
/// Compile time of a file with 1,000 request initializations (constants, a third of them variables),
/// with and without the value analyzer. Each operation builds a fresh compilation from the same parsed
/// trees and asks for every diagnostic, as a build does.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class AnalyzerBenchmarks
{
    private SyntaxTree[] _trees = Array.Empty<SyntaxTree>();
    private MetadataReference[] _references = Array.Empty<MetadataReference>();
    private AnalyzerOptions _options = null!;
    private ImmutableArray<Microsoft.CodeAnalysis.Diagnostics.DiagnosticAnalyzer> _analyzers;

    [GlobalSetup]
    public void Setup()
    {
        string root = Inputs.RepositoryRoot;
        AdditionalText[] schemas = Directory.GetFiles(Path.Combine(root, "schemas"), "*.json", SearchOption.AllDirectories)
            .Where(p => Path.GetFileName(p) != "manifest.json").OrderBy(p => p, StringComparer.Ordinal)
            .Select(p => (AdditionalText)new SchemaText("/bench/schemas/" + Path.GetFileName(Path.GetDirectoryName(p)) + "/" + Path.GetFileName(p), SourceText.From(File.ReadAllText(p), Encoding.UTF8)))
            .ToArray();
        var code = new StringBuilder("using Oxen = Bench.Oxen.Flux2Flex;\nusing Fal = Bench.Fal.Flux2Flex;\ninternal static class Requests\n{\n");
        for (int i = 0; i < 1000; i++)
        {
            code.Append(i % 3 == 0
                ? $"    internal static object R{i}(int steps) => new Fal.Flux2FlexInput {{ Prompt = \"p{i}\", NumInferenceSteps = steps, GuidanceScale = 3.5, SafetyTolerance = Fal.SafetyTolerance._2 }};\n"
                : $"    internal static object R{i}() => new Oxen.Flux2FlexRequest {{ Prompt = \"p{i}\", NumInferenceSteps = {1 + (i % 50)}, Guidance = {i % 10}, OutputQuality = {i % 100}, InputImage = [\"a\", \"b\"] }};\n");
        }

        if (Environment.GetEnvironmentVariable("BENCH_PROBE_INVALID") == "1")
        {
            code.Append("    internal static object Invalid() => new Oxen.Flux2FlexRequest { Prompt = \"p\", NumInferenceSteps = 99 };\n");
        }

        code.Append("}\n");
        var parse = new CSharpParseOptions(LanguageVersion.Preview);
        _references = Directory.GetFiles(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "*.dll")
            .Where(p => !p.Contains("Native", StringComparison.Ordinal))
            .Select(p => { try { return (MetadataReference?)MetadataReference.CreateFromFile(p); } catch (BadImageFormatException) { return null; } })
            .Where(r => r != null).Select(r => r!)
            .Append(MetadataReference.CreateFromFile(typeof(SchemaClients.Validation.ValidationResult).Assembly.Location))
            .ToArray();
        var global = new Options(new Dictionary<string, string> { ["build_property.RootNamespace"] = "Bench", ["build_property.SchemaClientsBuildProps"] = "true" });
        CSharpCompilation seed = CSharpCompilation.Create("Bench", new[] { CSharpSyntaxTree.ParseText(code.ToString(), parse) }, _references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new SchemaClientsGenerator().AsSourceGenerator() }, schemas, parse, new OptionsProvider(global));
        driver.RunGeneratorsAndUpdateCompilation(seed, out Compilation output, out _);
        _trees = output.SyntaxTrees.ToArray();
        int errors = output.GetDiagnostics().Count(d => d.Severity == DiagnosticSeverity.Error);
        if (errors > 0)
        {
            throw new InvalidOperationException("the benchmark input does not compile: " + output.GetDiagnostics().First(d => d.Severity == DiagnosticSeverity.Error));
        }

        _options = new AnalyzerOptions(schemas.ToImmutableArray(), new OptionsProvider(global));
        _analyzers = ImmutableArray.Create<Microsoft.CodeAnalysis.Diagnostics.DiagnosticAnalyzer>(new SchemaClients.Generator.Analysis.SchemaValueAnalyzer());
        int found = CSharpCompilation.Create("Bench", _trees, _references, (CSharpCompilationOptions)output.Options).WithAnalyzers(_analyzers, _options).GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult().Length;
        Console.WriteLine($"trees: {_trees.Length}, analyzer diagnostics on the input: {found}");
    }

    // Single-threaded compilation and analysis: on two cores, concurrency makes the spread larger than the effect.
    private CSharpCompilation Fresh() => CSharpCompilation.Create("Bench", _trees, _references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, concurrentBuild: false));

    private int WithAnalyzers(params DiagnosticAnalyzer[] analyzers) => Fresh()
        .WithAnalyzers(ImmutableArray.Create(analyzers), new CompilationWithAnalyzersOptions(_options, onAnalyzerException: null, concurrentAnalysis: false, logAnalyzerExecutionTime: false))
        .GetAllDiagnosticsAsync().GetAwaiter().GetResult().Length;

    [Benchmark(Baseline = true)]
    public int CompileWithoutAnalyzer() => Fresh().GetDiagnostics().Length;

    /// <summary>The analyzer driver with an analyzer that registers nothing: what every SDK build already pays.</summary>
    [Benchmark]
    public int CompileWithIdleAnalyzerDriver() => WithAnalyzers(new IdleAnalyzer());

    /// <summary>An analyzer that asks for the same assignment operations and does nothing with them: the floor for any operation-based analyzer.</summary>
    [Benchmark]
    public int CompileWithIdleOperationAnalyzer() => WithAnalyzers(new IdleOperationAnalyzer());

    [Benchmark]
    public int CompileWithAnalyzer() => WithAnalyzers(_analyzers[0]);

    private sealed class SchemaText(string path, SourceText text) : AdditionalText
    {
        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => text;
    }

    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    private sealed class IdleAnalyzer : DiagnosticAnalyzer
    {
        private static readonly DiagnosticDescriptor Never = new("IDLE001", "never", "never", "none", DiagnosticSeverity.Hidden, true);

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Never);

        public override void Initialize(AnalysisContext context)
        {
            context.EnableConcurrentExecution();
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        }
    }

    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    private sealed class IdleStartOperationAnalyzer : DiagnosticAnalyzer
    {
        private static readonly DiagnosticDescriptor Never = new("IDLE003", "never", "never", "none", DiagnosticSeverity.Hidden, true);

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Never);

        public override void Initialize(AnalysisContext context)
        {
            context.EnableConcurrentExecution();
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.RegisterCompilationStartAction(start => start.RegisterOperationAction(_ => { }, OperationKind.SimpleAssignment));
        }
    }

    /// <summary>An idle operation action registered from a compilation-start action, as the value analyzer does.</summary>
    public int CompileWithIdleStartOperationAnalyzer() => WithAnalyzers(new IdleStartOperationAnalyzer());

    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    private sealed class IdleOperationAnalyzer : DiagnosticAnalyzer
    {
        private static readonly DiagnosticDescriptor Never = new("IDLE002", "never", "never", "none", DiagnosticSeverity.Hidden, true);

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Never);

        public override void Initialize(AnalysisContext context)
        {
            context.EnableConcurrentExecution();
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.RegisterOperationAction(_ => { }, OperationKind.SimpleAssignment);
        }
    }

    private sealed class Options(Dictionary<string, string> values) : Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions
    {
        public override bool TryGetValue(string key, out string value) => values.TryGetValue(key, out value!);
    }

    private sealed class OptionsProvider(Options global) : Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptionsProvider
    {
        public override Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions GlobalOptions => global;

        public override Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions GetOptions(SyntaxTree tree) => new Options(new());

        public override Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions GetOptions(AdditionalText textFile) => new Options(new());
    }
}

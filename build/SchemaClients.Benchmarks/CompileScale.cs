using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Emit;

namespace SchemaClients.Benchmarks;

/// <summary>
/// <c>--compile N</c>: N documents generated in one run and the result compiled to an assembly, as a build of a
/// project with N schema files would. The documents are the 84 as they are (copy 0), then copies of them, each copy
/// in its own provider folders (copy 3 of schemas/fal/x.json is schemas/fal3/x.json), so each copy has its own
/// namespaces and hint names. A copy's folder is not a known provider name, so what the generator keys on the
/// folder differs in the copies: apiframe's job client becomes the per-operation client, and Oxen's, fal's and
/// apiframe's documented auth and base URLs are read from the document instead (fal's queue client is kept: the
/// documents say they are fal's). Run each N in its own process: the peak memory is the process's. With
/// <c>--warm R</c> the same sources are then parsed and compiled R more times in the process, as a compiler server
/// would after its first build (run with <c>DOTNET_TieredCompilation=0</c> for steady numbers from the first round).
/// </summary>
internal static class CompileScale
{
    public static int Run(int count, int warmRounds)
    {
        AdditionalText[] originals = Inputs.Documents();
        var documents = new List<AdditionalText>(count);
        for (int copy = 0; documents.Count < count; copy++)
        {
            documents.AddRange(originals.Take(count - documents.Count).Select(d => copy == 0 ? d : Inputs.Copy(d, copy)));
        }

        CSharpParseOptions parse = CSharpParseOptions.Default;
        CSharpCompilation compilation = CSharpCompilation.Create(
            "Bench",
            Array.Empty<SyntaxTree>(),
            References(),
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                optimizationLevel: OptimizationLevel.Release,
                // CS1701/CS1702: the Microsoft.Extensions assemblies were built against other reference assembly
                // versions than the running framework's; binding redirects, not code warnings (the tests suppress them too).
                specificDiagnosticOptions: new Dictionary<string, ReportDiagnostic> { ["CS1701"] = ReportDiagnostic.Suppress, ["CS1702"] = ReportDiagnostic.Suppress }));

        long start = Stopwatch.GetTimestamp();
        GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new Generator.SchemaClientsGenerator().AsSourceGenerator() }, documents, parse);
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> generatorDiagnostics);
        TimeSpan generation = Stopwatch.GetElapsedTime(start);
        GeneratorRunResult run = driver.GetRunResult().Results[0];
        if (run.Exception is { } e)
        {
            throw e;
        }

        start = Stopwatch.GetTimestamp();
        using var image = new MemoryStream();
        EmitResult emitted = output.Emit(image);
        TimeSpan emit = Stopwatch.GetElapsedTime(start);

        if (warmRounds > 0)
        {
            int rounds = warmRounds;
            var times = new List<double>();
            for (int again = 0; again < rounds; again++)
            {
                // the same sources parsed and compiled again in this process: the compiler's code is now jitted, as in a compiler server
                var trees = output.SyntaxTrees.Select(t => CSharpSyntaxTree.ParseText(t.GetText(), parse, t.FilePath)).ToArray();
                var fresh = compilation.AddSyntaxTrees(trees);
                start = Stopwatch.GetTimestamp();
                using var warmImage = new MemoryStream();
                var warm = fresh.Emit(warmImage);
                times.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
                if (!warm.Success)
                {
                    Console.WriteLine("  warm emit failed: " + warm.Diagnostics.First(d => d.Severity == DiagnosticSeverity.Error));
                }

                GC.Collect();
            }

            Console.WriteLine($"  warm emit        min {times.Min():F2} s, median {Stats.Median(times):F2} s over {rounds} rounds ({string.Join(", ", times.Select(t => t.ToString("F2")))})");
        }

        Diagnostic[] errors = emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        Console.WriteLine($"--compile {count}: {documents.Count} documents ({originals.Length} originals, then copies in their own provider folders), cold process (JIT included)");
        Console.WriteLine($"  generation       {generation.TotalSeconds,8:F2} s   {run.GeneratedSources.Length} files, {run.GeneratedSources.Sum(s => (long)s.SourceText.Length):N0} chars generated");
        Console.WriteLine($"  generator diagnostics: {generatorDiagnostics.Count(d => d.Severity == DiagnosticSeverity.Error)} errors, {generatorDiagnostics.Count(d => d.Severity == DiagnosticSeverity.Warning)} warnings ({ById(generatorDiagnostics)})");
        Console.WriteLine($"  emit             {emit.TotalSeconds,8:F2} s   {(emitted.Success ? "succeeded" : "failed")}, {image.Length:N0} bytes of IL image");
        Console.WriteLine($"  compile errors   {errors.Length}; warnings {emitted.Diagnostics.Count(d => d.Severity == DiagnosticSeverity.Warning)} ({ById(emitted.Diagnostics)})");
        foreach (Diagnostic error in errors.Take(3))
        {
            Console.WriteLine("    " + error);
        }

        Console.WriteLine($"  allocated        {GC.GetTotalAllocatedBytes(true) / 1048576.0,8:N0} MB (GC.GetTotalAllocatedBytes)");
        Console.WriteLine($"  peak memory      {PeakMegabytes(),8:N0} MB (VmHWM)");
        return errors.Length == 0 ? 0 : 1;
    }

    /// <summary>
    /// As <see cref="AnalyzerBenchmarks.Setup"/> gathers them: the running framework's assemblies and the runtime's,
    /// plus the Microsoft.Extensions assemblies the generated clients use, from this program's own dependencies.
    /// </summary>
    private static MetadataReference[] References() =>
        Directory.GetFiles(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "*.dll")
            .Where(p => !p.Contains("Native", StringComparison.Ordinal))
            .Select(p => { try { return (MetadataReference?)MetadataReference.CreateFromFile(p); } catch (BadImageFormatException) { return null; } })
            .Where(r => r != null).Select(r => r!)
            .Concat(new[]
            {
                typeof(SchemaClients.Validation.ValidationResult).Assembly,
                typeof(Microsoft.Extensions.Logging.ILogger).Assembly,
                typeof(Microsoft.Extensions.DependencyInjection.IServiceCollection).Assembly,
                typeof(Microsoft.Extensions.DependencyInjection.HttpClientFactoryServiceCollectionExtensions).Assembly,
                typeof(Microsoft.Extensions.Options.IOptions<>).Assembly,
                typeof(Microsoft.Extensions.Primitives.StringValues).Assembly,
            }.Distinct().Select(a => MetadataReference.CreateFromFile(a.Location)))
            .ToArray();

    private static string ById(IEnumerable<Diagnostic> diagnostics) => string.Join(", ", diagnostics
        .Where(d => d.Severity == DiagnosticSeverity.Warning).GroupBy(d => d.Id).OrderByDescending(g => g.Count()).Take(4)
        .Select(g => g.Key + " " + g.Count()));

    private static double PeakMegabytes()
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line.Substring("VmHWM:".Length).Trim().Split(' ')[0]) / 1024.0;
            }
        }

        return double.NaN;
    }
}

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
using Microsoft.CodeAnalysis.Text;
using SchemaClients.Generator;

namespace SchemaClients.Benchmarks;

/// <summary>
/// Generator cost per schema document over schemas/ plus the shared corpus.
///   dotnet run -c Release --project build/SchemaClients.Benchmarks                 BenchmarkDotNet, all documents per operation
///   dotnet run -c Release --project build/SchemaClients.Benchmarks -- --per-document   first run in a fresh process, then warm median per document
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Contains("--per-document"))
        {
            return PerDocument.Run();
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
    public static int Generate(IEnumerable<AdditionalText> documents, CSharpCompilation compilation)
    {
        GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new SchemaClientsGenerator().AsSourceGenerator() }, documents);
        driver = driver.RunGenerators(compilation);
        GeneratorDriverRunResult result = driver.GetRunResult();
        if (result.Results[0].Exception is { } e)
        {
            throw e;
        }

        return result.GeneratedTrees.Length;
    }

    private sealed class Text(string path, SourceText text) : AdditionalText
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

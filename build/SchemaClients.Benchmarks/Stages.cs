using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using SchemaClients.Generator.Emitting;
using SchemaClients.Generator.Model;
using SchemaClients.Generator.Parsing;
using SchemaClients.Generator.Reading;

namespace SchemaClients.Benchmarks;

/// <summary>
/// <c>--stages</c>: where the generator's time and allocation go per document, stage by stage (reading the JSON,
/// parsing it into the spec, emitting the four files, the context entry), against the whole run through a fresh
/// driver, which adds Roslyn's own work (the driver, and parsing what was emitted into syntax trees).
/// </summary>
internal static class Stages
{
    private const int Samples = 15;

    /// <summary>Parses and emits every document over and over for <paramref name="seconds"/>, for a profiler to sample.</summary>
    public static int Loop(double seconds)
    {
        var options = new GeneratorOptions("Bench", null);
        var files = Inputs.Documents().Select(d => new SchemaFile(d.Path, d.GetText()!.ToString())).ToArray();
        var clock = Stopwatch.StartNew();
        int rounds = 0;
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            foreach (SchemaFile file in files)
            {
                DocumentEmitter.Emit(DocumentParser.Parse(file, options, CancellationToken.None).Spec, CancellationToken.None);
            }

            rounds++;
        }

        Console.WriteLine($"{rounds} rounds of {files.Length} documents: {clock.Elapsed.TotalMilliseconds / rounds / files.Length:F3} ms per document");
        return 0;
    }

    public static int Run()
    {
        AdditionalText[] documents = Inputs.Documents();
        CSharpCompilation compilation = Inputs.Compilation();
        var options = new GeneratorOptions("Bench", null);
        var files = documents.Select(d => new SchemaFile(d.Path, d.GetText()!.ToString())).ToArray();
        var stages = new (string Name, Func<SchemaFile, AdditionalText, object?> Run)[]
        {
            ("read JSON", (f, _) => JsonReader.Read(f.Text)),
            ("parse (read included)", (f, _) => DocumentParser.Parse(f, options, CancellationToken.None)),
            ("  table written", (f, _) => SchemaClients.Generator.Validation.SchemaTable.Write(Parsed(f, options).Nodes)),
            ("  graph from table", (f, _) => SchemaClients.Generator.Validation.BuildTimeGraph.From(Parsed(f, options).Nodes)),
            ("emit the four files", (f, _) => DocumentEmitter.Emit(Parsed(f, options), CancellationToken.None)),
            ("  types", (f, _) => TypesEmitter.Emit(new EmitContext(Parsed(f, options)))),
            ("  converters", (f, _) => ConvertersEmitter.Emit(new EmitContext(Parsed(f, options)))),
            ("  schema table", (f, _) => SchemaEmitter.Emit(new EmitContext(Parsed(f, options)))),
            ("  client", (f, _) => Parsed(f, options).Client.Kind == ClientKind.None ? null : ClientEmitter.Emit(new EmitContext(Parsed(f, options)))),
            ("  imports pass", (f, _) => Shorten(Parsed(f, options))),
            ("context for one document", (f, _) => ContextEmitter.Emit(ImmutableArray.Create(ContextEntries.From(Parsed(f, options))), options)),
            ("whole run, fresh driver", (_, d) => Inputs.Generate(new[] { d }, compilation)),
            ("parse emitted C# (Roslyn)", (f, _) => ParseOutput(f, options)),
        };

        var specs = new Dictionary<string, DocumentSpec>();
        foreach (SchemaFile file in files)
        {
            specs[file.Path] = DocumentParser.Parse(file, options, CancellationToken.None).Spec;
        }

        _specs = specs;
        for (int round = 0; round < 5; round++)
        {
            foreach (var stage in stages)
            {
                for (int i = 0; i < files.Length; i++)
                {
                    stage.Run(files[i], documents[i]);
                }
            }
        }

        Console.WriteLine($"per document, warm: median over {files.Length} documents of the median of {Samples} runs; allocation on this thread");
        foreach (var stage in stages)
        {
            var times = new double[files.Length];
            var bytes = new double[files.Length];
            for (int i = 0; i < files.Length; i++)
            {
                var samples = new double[Samples];
                for (int s = 0; s < Samples; s++)
                {
                    long start = Stopwatch.GetTimestamp();
                    stage.Run(files[i], documents[i]);
                    samples[s] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                }

                long before = GC.GetAllocatedBytesForCurrentThread();
                stage.Run(files[i], documents[i]);
                bytes[i] = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)System.Text.Encoding.UTF8.GetByteCount(files[i].Text);
                times[i] = Stats.Median(samples);
            }

            Console.WriteLine($"  {stage.Name,-28} median {Stats.Median(times),7:F3} ms  p90 {Stats.Percentile(times, 0.9),7:F3} ms  alloc median {Stats.Median(bytes),6:F1} B/B  p90 {Stats.Percentile(bytes, 0.9),6:F1} B/B");
        }

        return 0;
    }

    private static Dictionary<string, DocumentSpec> _specs = new();

    /// <summary>The spec parsed once beforehand, so the emit stages time only emitting.</summary>
    private static DocumentSpec Parsed(SchemaFile file, GeneratorOptions options) => _specs[file.Path];

    private static readonly Dictionary<string, List<GeneratedSource>> Unshortened = new();

    private static int Shorten(DocumentSpec spec)
    {
        if (!Unshortened.TryGetValue(spec.FilePath, out List<GeneratedSource>? sources))
        {
            var context = new EmitContext(spec);
            sources = new List<GeneratedSource> { new("t", TypesEmitter.Emit(context)), new("j", ConvertersEmitter.Emit(context)), new("s", SchemaEmitter.Emit(context)) };
            Unshortened[spec.FilePath] = sources;
        }

        var declared = new HashSet<string>(StringComparer.Ordinal);
        foreach (GeneratedSource source in sources)
        {
            Imports.AddDeclarations(source.Text, declared);
        }

        int length = 0;
        foreach (GeneratedSource source in sources)
        {
            length += Imports.Shorten(source.Text, declared).Length;
        }

        return length;
    }

    private static int ParseOutput(SchemaFile file, GeneratorOptions options)
    {
        int nodes = 0;
        foreach (GeneratedSource source in DocumentEmitter.Emit(Parsed(file, options), CancellationToken.None))
        {
            nodes += CSharpSyntaxTree.ParseText(source.Text).GetRoot().FullSpan.Length;
        }

        return nodes;
    }
}

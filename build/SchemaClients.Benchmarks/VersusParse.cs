using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text;
using System.Text.Json;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace SchemaClients.Benchmarks;

/// <summary>
/// <c>--versus-parse</c>: per document, the generator on that document alone (fresh driver) against
/// <see cref="JsonDocument.Parse(ReadOnlyMemory{byte}, JsonDocumentOptions)"/> of the same UTF-8 bytes, warm, in the same process,
/// interleaved; then the generator's allocation per input byte.
/// </summary>
internal static class VersusParse
{
    private const int WarmUp = 3;
    private const int Samples = 21;
    private const int AllocationRuns = 5;

    public static int Run()
    {
        AdditionalText[] documents = Inputs.Documents();
        CSharpCompilation compilation = Inputs.Compilation();

        // Once over everything first, so the first documents measured do not run code the JIT has not yet tiered up.
        for (int i = 0; i < 10; i++)
        {
            Inputs.Generate(documents, compilation);
            foreach (AdditionalText document in documents)
            {
                Parse(Encoding.UTF8.GetBytes(document.GetText()!.ToString()));
            }
        }

        var rows = new List<Row>();
        foreach (AdditionalText document in documents)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(document.GetText()!.ToString());
            AdditionalText[] alone = { document };
            for (int i = 0; i < WarmUp; i++)
            {
                Parse(bytes);
                Inputs.Generate(alone, compilation);
            }

            var parse = new double[Samples];
            var generate = new double[Samples];
            for (int i = 0; i < Samples; i++)
            {
                long start = Stopwatch.GetTimestamp();
                Parse(bytes);
                parse[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;

                start = Stopwatch.GetTimestamp();
                Inputs.Generate(alone, compilation);
                generate[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }

            // Allocation runs come after the timed ones: the precise total is costly to read and would distort the timing.
            var thread = new double[AllocationRuns];
            var all = new double[AllocationRuns];
            var parseThread = new double[AllocationRuns];
            for (int i = 0; i < AllocationRuns; i++)
            {
                long t0 = GC.GetAllocatedBytesForCurrentThread();
                long a0 = GC.GetTotalAllocatedBytes(true);
                Inputs.Generate(alone, compilation);
                long t1 = GC.GetAllocatedBytesForCurrentThread();
                long a1 = GC.GetTotalAllocatedBytes(true);
                thread[i] = t1 - t0;
                all[i] = a1 - a0;

                t0 = GC.GetAllocatedBytesForCurrentThread();
                Parse(bytes);
                parseThread[i] = GC.GetAllocatedBytesForCurrentThread() - t0;
            }

            rows.Add(new Row(document.Path, bytes.Length, Stats.Median(generate), Stats.Median(parse), Stats.Median(thread), Stats.Median(all), Stats.Median(parseThread)));
        }

        double[] ratios = rows.Select(r => r.GenerateMs / r.ParseMs).ToArray();
        Row worst = rows.OrderBy(r => r.GenerateMs / r.ParseMs).Last();
        Console.WriteLine($"warm, same process, per document: median of {Samples} interleaved samples each (after {WarmUp} warm-up rounds), {rows.Count} documents");
        Console.WriteLine($"  generator (fresh driver, one document)  median {Stats.Median(rows.Select(r => r.GenerateMs)):F3} ms, p90 {Stats.Percentile(rows.Select(r => r.GenerateMs), 0.9):F3} ms, max {rows.Max(r => r.GenerateMs):F3} ms");
        Console.WriteLine($"  JsonDocument.Parse                      median {Stats.Median(rows.Select(r => r.ParseMs)):F3} ms, p90 {Stats.Percentile(rows.Select(r => r.ParseMs), 0.9):F3} ms, max {rows.Max(r => r.ParseMs):F3} ms");
        Console.WriteLine($"  ratio generator/parse                   median {Stats.Median(ratios):F0}x, p90 {Stats.Percentile(ratios, 0.9):F0}x, max {ratios.Max():F0}x ({Stats.Name(worst.Path)}: {worst.GenerateMs:F3} ms vs {worst.ParseMs:F3} ms, {worst.Bytes:N0} bytes)");
        Console.WriteLine($"allocation per input byte (UTF-8 length), median of {AllocationRuns} runs per document, then over documents:");
        Console.WriteLine($"  generator, this thread                  median {Stats.Median(rows.Select(r => r.ThreadBytes / r.Bytes)):F1} B/B, p90 {Stats.Percentile(rows.Select(r => r.ThreadBytes / r.Bytes), 0.9):F1} B/B, max {rows.Max(r => r.ThreadBytes / r.Bytes):F1} B/B");
        Console.WriteLine($"  generator, all threads (precise total)  median {Stats.Median(rows.Select(r => r.AllBytes / r.Bytes)):F1} B/B, p90 {Stats.Percentile(rows.Select(r => r.AllBytes / r.Bytes), 0.9):F1} B/B, max {rows.Max(r => r.AllBytes / r.Bytes):F1} B/B");
        Console.WriteLine($"  JsonDocument.Parse, this thread         median {Stats.Median(rows.Select(r => r.ParseBytes / r.Bytes)):F3} B/B ({Stats.Median(rows.Select(r => r.ParseBytes)):N0} bytes per parse: its buffers are pooled)");
        Console.WriteLine($"  generator per document, all threads     median {Stats.Median(rows.Select(r => r.AllBytes)) / 1024:N0} KiB (documents: median {Stats.Median(rows.Select(r => (double)r.Bytes)) / 1024:N1} KiB)");
        return 0;
    }

    private static int Parse(byte[] bytes)
    {
        using JsonDocument document = JsonDocument.Parse(bytes);
        return (int)document.RootElement.ValueKind;
    }

    private sealed record Row(string Path, int Bytes, double GenerateMs, double ParseMs, double ThreadBytes, double AllBytes, double ParseBytes);
}

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using SchemaClients.Generator.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace SchemaClients.Generator.Tests;

/// <summary>
/// Mutated schema documents through the real generator driver, each with its output compiled. For every document:
/// no exception, done within a time budget, and either an error diagnostic or code that compiles with zero warnings.
/// The suite runs a bounded count; <c>build/fuzz.sh COUNT SEED</c> runs the same test for any count and seed
/// (through <c>SCHEMACLIENTS_FUZZ_COUNT</c> and <c>SCHEMACLIENTS_FUZZ_SEED</c>) and prints the counts.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    private const int DefaultCount = 120;
    private const int DefaultSeed = 20261201;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(10);

    [Fact]
    public void MutatedDocumentsNeverHangCrashOrGiveCodeThatDoesNotCompile()
    {
        int count = int.TryParse(Environment.GetEnvironmentVariable("SCHEMACLIENTS_FUZZ_COUNT"), out int c) && c > 0 ? c : DefaultCount;
        int seed = int.TryParse(Environment.GetEnvironmentVariable("SCHEMACLIENTS_FUZZ_SEED"), out int s) ? s : DefaultSeed;
        var mutator = new SchemaMutator(seed, SchemaMutator.SeedDocuments());
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal)
        {
            ["exception"] = 0, ["hang"] = 0, ["accepted, does not compile"] = 0, ["accepted, compiles with warnings"] = 0,
            ["rejected with an error diagnostic"] = 0, ["compiles cleanly"] = 0,
        };
        var failures = new List<string>();
        var slowest = new List<(long Ms, string What)>();
        string findings = Path.Combine(TestPaths.ReportDirectory, "fuzz-failures");
        var total = Stopwatch.StartNew();
        for (int i = 0; i < count; i++)
        {
            (string what, string provider, byte[] bytes) = mutator.Next(i);
            string label = "#" + i.ToString(CultureInfo.InvariantCulture) + " (" + provider + ", " + bytes.Length + " bytes): " + Shorten(what);
            string outcome = Classify(provider, bytes, out string detail, out long ms);
            counts[outcome]++;
            slowest.Add((ms, label));
            if (outcome is not ("rejected with an error diagnostic" or "compiles cleanly"))
            {
                failures.Add(outcome + " " + label + Environment.NewLine + "    " + detail);
                Directory.CreateDirectory(findings);
                File.WriteAllBytes(Path.Combine(findings, "seed" + seed + "-" + i + "-" + provider + ".json"), bytes);
            }
        }

        var report = new StringBuilder();
        report.Append(CultureInfo.InvariantCulture, $"seed {seed}, {count} documents in {total.Elapsed.TotalSeconds:F1} s").AppendLine();
        foreach (KeyValuePair<string, int> pair in counts)
        {
            report.Append("  ").Append(pair.Key).Append(": ").Append(pair.Value).AppendLine();
        }

        report.AppendLine("  slowest:");
        foreach ((long ms, string what) in slowest.OrderByDescending(x => x.Ms).Take(5))
        {
            report.Append("    ").Append(ms).Append(" ms ").AppendLine(what);
        }

        foreach (string failure in failures.Take(30))
        {
            report.Append("  FAIL ").AppendLine(failure);
        }

        output.WriteLine(report.ToString());
        File.WriteAllText(Path.Combine(TestPaths.ReportDirectory, "fuzz-seed" + seed + "-" + count + ".txt"), report.ToString());
        Assert.True(failures.Count == 0, report.ToString());
        Assert.True(counts["compiles cleanly"] > count / 10, "too few mutated documents were accepted for the test to say much: " + report);
    }

    private static string Classify(string provider, byte[] bytes, out string detail, out long ms)
    {
        detail = string.Empty;
        var clock = Stopwatch.StartNew();
        Task<GeneratorHarness.Run> work = Task.Factory.StartNew(
            () => GeneratorHarness.RunGenerator(new[] { GeneratorHarness.SchemaBytes(provider, "fuzz.json", bytes) }),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            if (!work.Wait(Budget))
            {
                ms = clock.ElapsedMilliseconds;
                detail = "over " + Budget.TotalSeconds + " s";
                return "hang";
            }
        }
        catch (AggregateException e)
        {
            ms = clock.ElapsedMilliseconds;
            detail = e.InnerException?.ToString() ?? e.ToString();
            return "exception";
        }

        GeneratorHarness.Run run = work.Result;
        Diagnostic[] crashes = run.GeneratorDiagnostics.Where(d => d.Id is "CS8785" or "SCG0014").ToArray();
        if (crashes.Length > 0)
        {
            ms = clock.ElapsedMilliseconds;
            detail = string.Join(" | ", crashes.Select(GeneratorHarness.Format));
            return "exception";
        }

        if (run.GeneratorDiagnostics.Any(d => d.Severity == DiagnosticSeverity.Error))
        {
            ms = clock.ElapsedMilliseconds;
            return "rejected with an error diagnostic";
        }

        Diagnostic[] compile = run.CompileDiagnostics.ToArray();
        ms = clock.ElapsedMilliseconds;
        detail = string.Join(" | ", compile.Take(5).Select(GeneratorHarness.Format));
        return compile.Any(d => d.Severity == DiagnosticSeverity.Error) ? "accepted, does not compile"
            : compile.Length > 0 ? "accepted, compiles with warnings"
            : "compiles cleanly";
    }

    private static string Shorten(string text) => text.Length > 200 ? text.Substring(0, 197) + "..." : text;
}

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using SchemaClients.Generator.Tests.Infrastructure;
using SchemaClients.Testing;
using Xunit;
using Xunit.Abstractions;

namespace SchemaClients.Generator.Tests;

/// <summary>
/// The minimized documents in ../shared/fuzz-findings once hung the generator, overflowed its stack or gave C# that does
/// not compile. Each must now finish within a budget with no exception, and either give an error diagnostic (with a
/// location in the file) or output that compiles with zero warnings.
/// </summary>
public sealed class FuzzFindingsTests(ITestOutputHelper output)
{
    /// <summary>Far above what any of these needs once fixed (tens of milliseconds), far below the hangs they were.</summary>
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(10);

    public static IEnumerable<object[]> Findings()
    {
        string root = Path.Combine(TestPaths.Shared, "fuzz-findings");
        if (!Directory.Exists(root))
        {
            return new[] { new object[] { "(shared missing)" } };
        }

        return Directory.GetFiles(root, "*.json").OrderBy(p => p, StringComparer.Ordinal).Select(p => new object[] { Path.GetFileName(p) });
    }

    [SharedTheory]
    [MemberData(nameof(Findings))]
    public void FindingFinishesAndEitherReportsOrCompilesCleanly(string file)
    {
        string path = Path.Combine(TestPaths.Shared, "fuzz-findings", file);

        // The provider-folder finding breaks only in a folder named like the JSON context class; the README says so.
        string provider = file.Contains("provider-dir-", StringComparison.Ordinal) ? file.Split("provider-dir-")[1].Replace(".json", string.Empty, StringComparison.Ordinal) : "fuzz";
        Task<GeneratorHarness.Run> work = Task.Factory.StartNew(
            () => GeneratorHarness.RunGenerator(new[] { GeneratorHarness.FromDisk(path, provider) }),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var clock = Stopwatch.StartNew();
        Assert.True(work.Wait(Budget), file + " did not finish within " + Budget.TotalSeconds + " s");
        GeneratorHarness.Run run = work.Result;
        output.WriteLine(file + ": " + clock.ElapsedMilliseconds + " ms");

        Diagnostic[] crashes = run.GeneratorDiagnostics.Where(d => d.Id is "CS8785" or "SCG0014").ToArray();
        Assert.True(crashes.Length == 0, string.Join(Environment.NewLine, crashes.Select(GeneratorHarness.Format)));
        Diagnostic[] errors = run.GeneratorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        foreach (Diagnostic error in errors)
        {
            output.WriteLine(GeneratorHarness.Format(error));
            Assert.True(error.Location.IsInSource || error.Location.Kind == LocationKind.ExternalFile, error.Id + " has no location");
            Assert.EndsWith(file, error.Location.GetLineSpan().Path, StringComparison.Ordinal);
        }

        if (errors.Length == 0)
        {
            string[] compile = run.CompileDiagnostics.Select(GeneratorHarness.Format).ToArray();
            Assert.True(compile.Length == 0, file + " was accepted but its output does not compile cleanly:" + Environment.NewLine + string.Join(Environment.NewLine, compile.Take(20)));
        }
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using SchemaClients.Generator.Tests.Infrastructure;
using SchemaClients.Testing;
using Xunit;
using Xunit.Abstractions;

namespace SchemaClients.Generator.Tests;

/// <summary>The generated code of every document compiles with no errors and no warnings (nullable on, warnings as errors).</summary>
public sealed class CompileTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(TargetFramework.Net10)]
    [InlineData(TargetFramework.Net8)]
    public void RepositorySchemasCompileCleanly(TargetFramework framework)
    {
        GeneratorHarness.Run run = GeneratorHarness.RunGenerator(GeneratorHarness.RepositorySchemas(), framework);
        string[] generatorErrors = run.GeneratorDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(GeneratorHarness.Format).ToArray();
        Assert.True(generatorErrors.Length == 0, string.Join(Environment.NewLine, generatorErrors));
        string[] compileErrors = run.CompileDiagnostics.Select(GeneratorHarness.Format).ToArray();
        Assert.True(compileErrors.Length == 0, string.Join(Environment.NewLine, compileErrors.Take(30)));
        Assert.Equal(5, run.Result.GeneratedTrees.Length); // four documents and the JSON context
    }

    [SharedTheory]
    [InlineData(TargetFramework.Net10)]
    [InlineData(TargetFramework.Net8)]
    public void CorpusDocumentsCompileCleanlyOrGiveDocumentedDiagnostics(TargetFramework framework)
    {
        var clean = new List<string>();
        var withDiagnostics = new List<string>();
        var failures = new List<string>();
        var infos = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (string path in GeneratorHarness.CorpusFiles())
        {
            string provider = Path.GetFileName(Path.GetDirectoryName(path)!);
            GeneratorHarness.Run run = GeneratorHarness.RunGenerator(new[] { GeneratorHarness.FromDisk(path, provider) }, framework);
            string[] compile = run.CompileDiagnostics.Select(GeneratorHarness.Format).ToArray();
            Diagnostic[] crashes = run.GeneratorDiagnostics.Where(d => d.Id is "CS8785" or "SCG0014").ToArray();
            if (compile.Length > 0 || crashes.Length > 0)
            {
                failures.Add(provider + "/" + Path.GetFileName(path) + ":" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", compile.Concat(crashes.Select(GeneratorHarness.Format)).Take(10)));
                continue;
            }

            Diagnostic[] reported = run.GeneratorDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToArray();
            foreach (Diagnostic info in run.GeneratorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Info))
            {
                infos[info.Id] = infos.GetValueOrDefault(info.Id) + 1;
            }

            (reported.Length == 0 ? clean : withDiagnostics).Add(provider + "/" + Path.GetFileName(path) + (reported.Length == 0 ? string.Empty : " [" + string.Join(", ", reported.Select(d => d.Id).Distinct()) + "]"));
        }

        string report = $"{framework}: {clean.Count + withDiagnostics.Count + failures.Count} corpus documents; compiled cleanly with no warning diagnostics: {clean.Count}; compiled cleanly with documented warning diagnostics: {withDiagnostics.Count}; failed: {failures.Count}"
            + Environment.NewLine + string.Join(Environment.NewLine, withDiagnostics.Select(x => "  diagnostics: " + x))
            + Environment.NewLine + "  info diagnostics over the corpus: " + (infos.Count == 0 ? "none" : string.Join(", ", infos.Select(i => i.Key + " x" + i.Value)));
        output.WriteLine(report);
        File.WriteAllText(Path.Combine(TestPaths.ReportDirectory, "corpus-compile-" + framework + ".txt"), report + Environment.NewLine);
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures.Take(10)));
        Assert.Equal(80, clean.Count + withDiagnostics.Count);
    }
}

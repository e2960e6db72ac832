using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using SchemaClients.Generator.Tests.Infrastructure;
using Xunit;

namespace SchemaClients.Generator.Tests;

/// <summary>
/// The generated source of every file in schemas/ equals its baseline under tests/.../Baselines.
/// To accept a change: SCHEMACLIENTS_UPDATE_BASELINES=1 dotnet test --filter BaselineTests
/// </summary>
public sealed class BaselineTests
{
    private const string UpdateVariable = "SCHEMACLIENTS_UPDATE_BASELINES";

    private static string BaselineDirectory => Path.Combine(TestPaths.RepositoryRoot, "tests", "SchemaClients.Generator.Tests", "Baselines");

    public static IEnumerable<object[]> GeneratedFiles()
    {
        GeneratorHarness.Run run = GeneratorHarness.RunGenerator(GeneratorHarness.RepositorySchemas());
        return run.Result.Results.Single().GeneratedSources
            .OrderBy(s => s.HintName, StringComparer.Ordinal)
            .Select(s => new object[] { s.HintName });
    }

    [Theory]
    [MemberData(nameof(GeneratedFiles))]
    public void GeneratedSourceMatchesBaseline(string hintName)
    {
        GeneratorHarness.Run run = GeneratorHarness.RunGenerator(GeneratorHarness.RepositorySchemas());
        string actual = run.Result.Results.Single().GeneratedSources.Single(s => s.HintName == hintName).SourceText.ToString();
        string path = Path.Combine(BaselineDirectory, hintName);
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            Directory.CreateDirectory(BaselineDirectory);
            File.WriteAllText(path, actual);
            return;
        }

        Assert.True(File.Exists(path), $"No baseline for {hintName}. Create it with: {UpdateVariable}=1 dotnet test tests/SchemaClients.Generator.Tests --filter BaselineTests");
        string expected = File.ReadAllText(path).Replace("\r\n", "\n");
        if (expected != actual)
        {
            Assert.Fail($"{hintName} differs from its baseline.{Environment.NewLine}{Diff(expected, actual)}{Environment.NewLine}If the change is intended, update the baselines with:{Environment.NewLine}  {UpdateVariable}=1 dotnet test tests/SchemaClients.Generator.Tests --filter BaselineTests");
        }
    }

    [Fact]
    public void EveryBaselineBelongsToAGeneratedFile()
    {
        string[] generated = GeneratedFiles().Select(row => (string)row[0]).ToArray();
        string[] stale = Directory.GetFiles(BaselineDirectory).Select(Path.GetFileName).Where(name => !generated.Contains(name)).ToArray()!;
        Assert.True(stale.Length == 0, "Baselines without a generated file (delete them): " + string.Join(", ", stale));
    }

    [Fact]
    public void OutputIsByteIdenticalAcrossRuns()
    {
        string First() => string.Join("\n---\n", GeneratorHarness.RunGenerator(GeneratorHarness.RepositorySchemas()).Result.Results.Single().GeneratedSources.Select(s => s.HintName + "\n" + s.SourceText));
        Assert.Equal(First(), First());
    }

    /// <summary>A line diff: the first differing region with a few lines of context.</summary>
    private static string Diff(string expected, string actual)
    {
        string[] e = expected.Split('\n');
        string[] a = actual.Split('\n');
        int start = 0;
        while (start < e.Length && start < a.Length && e[start] == a[start])
        {
            start++;
        }

        int endE = e.Length - 1;
        int endA = a.Length - 1;
        while (endE >= start && endA >= start && e[endE] == a[endA])
        {
            endE--;
            endA--;
        }

        var lines = new List<string> { $"@@ line {start + 1} @@" };
        for (int i = Math.Max(0, start - 3); i < start; i++)
        {
            lines.Add("  " + e[i]);
        }

        for (int i = start; i <= endE && i < start + 40; i++)
        {
            lines.Add("- " + e[i]);
        }

        for (int i = start; i <= endA && i < start + 40; i++)
        {
            lines.Add("+ " + a[i]);
        }

        return string.Join(Environment.NewLine, lines);
    }
}

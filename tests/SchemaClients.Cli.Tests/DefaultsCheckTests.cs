using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Xunit;
using Xunit.Abstractions;

namespace SchemaClients.Cli.Tests;

/// <summary>NJsonSchema, as an independent validator, checks each document's own defaults and examples.</summary>
public sealed class DefaultsCheckTests(ITestOutputHelper output)
{
    private static string ReportDirectory
    {
        get
        {
            string path = Path.Combine(CliTests.RepositoryRoot, "artifacts", "test-reports");
            Directory.CreateDirectory(path);
            return path;
        }
    }

    [Fact]
    public async Task ADefaultBelowItsOwnMinimumIsFound()
    {
        const string schema = """{ "type": "object", "properties": { "width": { "anyOf": [ { "type": "integer", "minimum": 64 }, { "type": "null" } ], "default": 0 }, "steps": { "type": "integer", "maximum": 50, "default": 28, "examples": [ 60 ] } } }""";
        List<string> warnings = await DefaultsChecker.CheckAsync(schema);
        Assert.Equal(2, warnings.Count);
        Assert.Contains(warnings, w => w.StartsWith("default 0 at #/definitions/__root/properties/width", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.StartsWith("example 60 at #/definitions/__root/properties/steps", StringComparison.Ordinal) && w.Contains("NumberTooBig", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ADefaultThatMakesAPatternBacktrackEndsTheCheckWithAMessage()
    {
        const string schema = """{ "type": "object", "properties": { "p": { "type": "string", "pattern": "^(a+)+$", "default": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!" } } }""";
        var clock = System.Diagnostics.Stopwatch.StartNew();
        List<string> warnings = await DefaultsChecker.CheckAsync(schema);
        Assert.True(clock.Elapsed < DefaultsChecker.CheckBudget + TimeSpan.FromSeconds(5), "took " + clock.Elapsed);
        string warning = Assert.Single(warnings);
        Assert.True(warning.Contains("did not finish", StringComparison.Ordinal) || warning.Contains("took too long", StringComparison.Ordinal), warning);
    }

    [Fact]
    public async Task TheSeedSchemasAgreeWithTheirOwnDefaultsAndExamples()
    {
        var lines = new List<string>();
        foreach (string path in Directory.GetFiles(Path.Combine(CliTests.RepositoryRoot, "schemas"), "*.json", SearchOption.AllDirectories).Where(p => Path.GetFileName(p) != "manifest.json").Order(StringComparer.Ordinal))
        {
            List<string> warnings = await DefaultsChecker.CheckAsync(File.ReadAllText(path));
            lines.Add($"schemas/{Path.GetRelativePath(Path.Combine(CliTests.RepositoryRoot, "schemas"), path)}: {warnings.Count} findings");
            lines.AddRange(warnings.Select(w => "  " + w));
        }

        File.WriteAllLines(Path.Combine(ReportDirectory, "njsonschema-defaults-seeds.txt"), lines);
        output.WriteLine(string.Join(Environment.NewLine, lines));
        Assert.All(lines.Where(l => !l.StartsWith(' ')), l => Assert.EndsWith(": 0 findings", l));
    }

    [SchemaClients.Testing.SharedFact]
    public async Task CorpusFindingsAreReported()
    {
        var lines = new List<string>();
        int documents = 0;
        int withFindings = 0;
        foreach (string path in Directory.GetFiles(Path.Combine(SharedData.Root, "schema-corpus"), "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            documents++;
            List<string> warnings = await DefaultsChecker.CheckAsync(File.ReadAllText(path));
            if (warnings.Count > 0)
            {
                withFindings++;
                lines.Add($"{Path.GetFileName(Path.GetDirectoryName(path))}/{Path.GetFileName(path)}: {warnings.Count} findings");
                lines.AddRange(warnings.Select(w => "  " + w));
            }
        }

        lines.Insert(0, $"NJsonSchema check of defaults and examples: {documents} corpus documents, {withFindings} with findings");
        File.WriteAllLines(Path.Combine(ReportDirectory, "njsonschema-defaults-corpus.txt"), lines);
        output.WriteLine(string.Join(Environment.NewLine, lines));
        Assert.Equal(80, documents);
        Assert.Contains(lines, l => l.Contains("default 0 at #/definitions/Flux2FlexInputs/properties/width", StringComparison.Ordinal));
    }
}

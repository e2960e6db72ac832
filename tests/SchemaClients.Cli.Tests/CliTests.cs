using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using SchemaClients.Emulator;
using SchemaClients.Generator;
using Xunit;
using Xunit.Abstractions;

namespace SchemaClients.Cli.Tests;

/// <summary>The schemaclients tool against the provider emulator on loopback, which serves changed versions and fails on request.</summary>
public sealed class CliTests : IAsyncLifetime
{
    private const string OxenFlex = "/api/ai/models/flux-2-flex";
    private const string OxenPro = "/api/ai/models/flux-2-pro";
    private const string Fal = "/api/openapi/queue/openapi.json?endpoint_id=fal-ai/flux-2-flex";

    private readonly ITestOutputHelper _output;
    private const string Key = "oxen-test-key";
    private ProviderEmulator _server = null!;
    private string _root = null!;

    public CliTests(ITestOutputHelper output)
    {
        _output = output;
    }

    internal static string RepositoryRoot => SchemaClients.Testing.TestRepository.Root;

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable("OXEN_API_KEY", Key);
        _root = Path.Combine(Path.GetTempPath(), "schemaclients-cli-" + Guid.NewGuid().ToString("N"));
        foreach (string file in Directory.GetFiles(Path.Combine(RepositoryRoot, "schemas"), "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(_root, Path.GetRelativePath(RepositoryRoot, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        _server = await ProviderEmulator.StartAsync(new EmulatorOptions { Root = _root, Keys = new Dictionary<string, string> { ["oxen"] = Key } });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    private string Schema(string file) => File.ReadAllText(Path.Combine(_root, "schemas", file));

    private static string Mutate(string json, Action<JsonObject> change)
    {
        JsonObject node = JsonNode.Parse(json)!.AsObject();
        change(node);
        return node.ToJsonString();
    }

    private async Task<(int Exit, string Out, string Err)> Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = await Program.RunAsync(args, stdout, stderr, CancellationToken.None);
        _output.WriteLine(stderr.ToString());
        return (exit, stdout.ToString().Replace("\r\n", "\n"), stderr.ToString());
    }

    private Task<(int Exit, string Out, string Err)> Refresh(params string[] extra) =>
        Run(new[] { "refresh", "--root", _root, "--base-url", "oxen=" + _server.BaseUrl, "--base-url", "fal=" + _server.BaseUrl, "--timeout", "2" }.Concat(extra).ToArray());

    public static IEnumerable<object[]> ChangeCases() => new[]
    {
        new object[] { "range-narrowed" }, new object[] { "enum-value-removed" }, new object[] { "parameter-added" },
        new object[] { "made-required" }, new object[] { "type-changed" },
    };

    private void Serve(string change)
    {
        switch (change)
        {
            case "range-narrowed":
                _server.Serve(OxenFlex, Mutate(Schema("oxen/flux-2-flex.json"), d => d["json_request_schema"]!["properties"]!["num_inference_steps"]!["maximum"] = 40));
                break;
            case "enum-value-removed":
                _server.Serve(OxenPro, Mutate(Schema("oxen/flux-2-pro.json"), d => d["json_request_schema"]!["properties"]!["aspect_ratio"]!["enum"]!.AsArray().RemoveAt(6)));
                break;
            case "parameter-added":
                _server.Serve(Fal, Mutate(Schema("fal/flux-2-flex.json"), d => d["components"]!["schemas"]!["Flux2FlexInput"]!["properties"]!.AsObject()["acceleration"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("none", "regular", "high"), ["default"] = "none" }));
                break;
            case "made-required":
                _server.Serve(Fal, Mutate(Schema("fal/flux-2-flex.json"), d => d["components"]!["schemas"]!["Flux2FlexInput"]!["required"]!.AsArray().Add("seed")));
                break;
            case "type-changed":
                _server.Serve(OxenFlex, Mutate(Schema("oxen/flux-2-flex.json"), d => d["json_request_schema"]!["properties"]!["guidance"]!["type"] = "integer"));
                break;
        }
    }

    [Theory]
    [MemberData(nameof(ChangeCases))]
    public async Task RefreshReportsEachChangeAsTheGoldenReportSays(string change)
    {
        Serve(change);
        (int exit, string report, _) = await Refresh();
        Assert.Equal(0, exit);
        string golden = Path.Combine(RepositoryRoot, "tests", "SchemaClients.Cli.Tests", "Golden", change + ".txt");
        if (Environment.GetEnvironmentVariable("SCHEMACLIENTS_UPDATE_BASELINES") == "1")
        {
            File.WriteAllText(golden, report);
        }

        Assert.True(File.Exists(golden), "no golden report; create it with SCHEMACLIENTS_UPDATE_BASELINES=1 dotnet test tests/SchemaClients.Cli.Tests");
        Assert.Equal(File.ReadAllText(golden).Replace("\r\n", "\n"), report);

        // What was served is now checked in, normalized; a second refresh finds nothing to do.
        (int again, string second, _) = await Refresh("--check");
        Assert.Equal(0, again);
        Assert.DoesNotContain(": changed", second);
    }

    [Fact]
    public async Task CheckExitsWithThreeAndDryRunWritesNothing()
    {
        Serve("range-narrowed");
        string before = Schema("oxen/flux-2-flex.json");
        (int check, _, _) = await Refresh("--check");
        Assert.Equal(3, check);
        (int dry, string report, _) = await Refresh("--dry-run", "--json");
        Assert.Equal(0, dry);
        Assert.Contains("\"range-narrowed\"", report);
        Assert.Equal(before, Schema("oxen/flux-2-flex.json"));
    }

    public static IEnumerable<object[]> Faults() => Enum.GetValues<Fault>().Where(b => b is not Fault.None and not Fault.AsYaml and not Fault.StreamEndsEarly and not Fault.JobFails).Select(b => new object[] { b });

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task AFailingSourceLeavesItsFileByteIdenticalAndTheOthersStillRefresh(Fault fault)
    {
        byte[] before = File.ReadAllBytes(Path.Combine(_root, "schemas", "fal", "flux-2-flex.json"));
        _server.Faults[Fal] = fault;
        Serve("range-narrowed"); // oxen changes; fal fails

        (int exit, string report, _) = await Refresh();

        Assert.Equal(1, exit);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(_root, "schemas", "fal", "flux-2-flex.json")));
        Assert.Contains("fal/flux-2-flex.json (fal fal-ai/flux-2-flex): failed", report);
        Assert.Contains("error: " + _server.BaseUrl + Fal, report);
        Assert.Contains("oxen/flux-2-flex.json (oxen flux-2-flex): changed", report);
        Assert.Contains("\"maximum\": 40", Schema("oxen/flux-2-flex.json"));
        Assert.Empty(Directory.GetFiles(Path.Combine(_root, "schemas"), "*.tmp-*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task AYamlDocumentIsConvertedToTheSameJson()
    {
        byte[] before = File.ReadAllBytes(Path.Combine(_root, "schemas", "fal", "flux-2-flex.json"));
        _server.Faults[Fal] = Fault.AsYaml;
        (int exit, string report, string progress) = await Refresh();
        Assert.Equal(0, exit);
        Assert.Contains("converting YAML to JSON", progress);
        Assert.Contains("fal/flux-2-flex.json (fal fal-ai/flux-2-flex): unchanged", report);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(_root, "schemas", "fal", "flux-2-flex.json")));
    }

    [Theory]
    [InlineData("a: 1\nb: '1'\nc: 1.50\nd: ~\ne: true\nf: [x, 2]\ng: |\n  two\n  lines\n", "{\"a\":1,\"b\":\"1\",\"c\":1.50,\"d\":null,\"e\":true,\"f\":[\"x\",2],\"g\":\"two\\nlines\\n\"}")]
    [InlineData("z: 1\na: 2\n", "{\"z\":1,\"a\":2}")]
    public void YamlScalarsResolveByTheCoreSchemaAndKeyOrderIsKept(string yaml, string json)
    {
        Assert.Equal(json, YamlToJson.Convert(yaml)!.ToJsonString());
    }

    [Theory]
    [InlineData("a: .inf\n", "has no JSON form")]
    [InlineData("a: [1\n", "not valid YAML")]
    [InlineData("a: 1\n---\nb: 2\n", "one YAML document")]
    public void YamlThatCannotBeJsonIsRefused(string yaml, string reason)
    {
        CliException e = Assert.Throws<CliException>(() => YamlToJson.Convert(yaml));
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public async Task AnUnreachableSourceAndAMissingKeyAreClearErrors()
    {
        byte[] before = File.ReadAllBytes(Path.Combine(_root, "schemas", "oxen", "flux-2-flex.json"));
        (int exit, string report, _) = await Run("refresh", "--root", _root, "--base-url", "oxen=http://127.0.0.1:9", "--base-url", "fal=" + _server.BaseUrl, "--timeout", "2");
        Assert.Equal(1, exit);
        Assert.Contains("error: http://127.0.0.1:9/api/ai/models/flux-2-flex could not be fetched", report);
        Assert.Contains("fal/flux-2-flex.json (fal fal-ai/flux-2-flex): unchanged", report);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(_root, "schemas", "oxen", "flux-2-flex.json")));

        Environment.SetEnvironmentVariable("OXEN_API_KEY", null);
        try
        {
            (int noKey, string keyReport, _) = await Refresh();
            Assert.Equal(1, noKey);
            Assert.Contains("error: OXEN_API_KEY is not set; oxen needs it to serve oxen/flux-2-flex.json", keyReport);
        }
        finally
        {
            Environment.SetEnvironmentVariable("OXEN_API_KEY", Key);
        }
    }

    [Fact]
    public async Task AfterARefreshARebuildRegeneratesOnlyTheChangedModel()
    {
        AdditionalText[] Files() => Directory.GetFiles(Path.Combine(_root, "schemas"), "*.json", SearchOption.AllDirectories)
            .Where(p => Path.GetFileName(p) != "manifest.json").OrderBy(p => p, StringComparer.Ordinal)
            .Select(p => (AdditionalText)new Text(p, File.ReadAllText(p))).ToArray();
        AdditionalText[] first = Files();
        CSharpCompilation compilation = CSharpCompilation.Create("C");
        GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new SchemaClientsGenerator().AsSourceGenerator() }, first, driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true)).RunGenerators(compilation);

        Serve("enum-value-removed");
        (int exit, _, _) = await Refresh();
        Assert.Equal(0, exit);
        AdditionalText[] second = Files();
        for (int i = 0; i < first.Length; i++)
        {
            driver = driver.ReplaceAdditionalText(first[i], second[i]);
        }

        driver = driver.RunGenerators(compilation);
        var steps = driver.GetRunResult().Results.Single().TrackedSteps;
        foreach (string step in new[] { "Documents", "Specs" })
        {
            var reasons = steps[step].SelectMany(s => s.Outputs).Select(o => o.Reason).ToArray();
            Assert.Equal(4, reasons.Length);
            Assert.Single(reasons, r => r == IncrementalStepRunReason.Modified);
            Assert.Equal(3, reasons.Count(r => r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged));
        }

        // Of the sixteen files (four per document), only those of the refreshed model change.
        var sources = steps["Sources"].SelectMany(s => s.Outputs).ToArray();
        Assert.Equal(16, sources.Length);
        Assert.All(sources.Where(o => o.Reason == IncrementalStepRunReason.Modified), o => Assert.StartsWith("Oxen.Flux2Pro.", (string)o.Value.GetType().GetProperty("HintName")!.GetValue(o.Value)!, StringComparison.Ordinal));
        Assert.InRange(sources.Count(o => o.Reason == IncrementalStepRunReason.Modified), 1, 4);
    }

    [Fact]
    public async Task CheckPrintsExactlyTheDiagnosticsTheBuildReports()
    {
        File.WriteAllText(Path.Combine(_root, "schemas", "fal", "broken.json"), "{\n  \"type\": \"object\",\n  \"properties\": {\n    \"2x\": { \"type\": \"int\" },\n    \"w\": { \"type\": \"integer\", \"minimum\": 64, \"default\": 0 }\n  }\n}\n");
        (int exit, string printed, string summary) = await Run("check", "--root", _root);

        AdditionalText[] files = Directory.GetFiles(Path.Combine(_root, "schemas"), "*.json", SearchOption.AllDirectories)
            .Where(p => Path.GetFileName(p) != "manifest.json").Select(p => (AdditionalText)new Text(p, File.ReadAllText(p))).ToArray();
        GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new SchemaClientsGenerator().AsSourceGenerator() }, files).RunGenerators(CSharpCompilation.Create("C"));
        string[] build = driver.GetRunResult().Diagnostics
            .OrderBy(d => d.Location.GetLineSpan().Path, StringComparer.Ordinal).ThenBy(d => d.Location.SourceSpan.Start)
            .Select(d => Path.GetRelativePath(_root, d.Location.GetLineSpan().Path).Replace('\\', '/') + "(" + (d.Location.GetLineSpan().StartLinePosition.Line + 1) + "," + (d.Location.GetLineSpan().StartLinePosition.Character + 1) + "): " + d.Severity.ToString().ToLowerInvariant() + " " + d.Id + ": " + d.GetMessage())
            .ToArray();

        Assert.Equal(build, printed.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(new[] { "SCG0008", "SCG0004", "SCG0010" }, build.Select(l => l.Split(' ')[2].TrimEnd(':')).ToArray());
        Assert.Equal(0, exit); // warnings and infos only
        Assert.Contains("checked 5 schema files: 0 errors", summary);
    }

    [Fact]
    public async Task DiffOfAReindentedAndReorderedDocumentReportsNoChange()
    {
        string path = SharedData.Corpus("fal", "fal-ai_flux-2_klein_9b_edit.json") ?? Path.Combine(_root, "schemas", "fal", "flux-2-flex.json");
        JsonNode reordered = Reverse(JsonNode.Parse(File.ReadAllText(path))!);
        string copy = Path.Combine(_root, "copy.json");
        File.WriteAllText(copy, reordered.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true, IndentSize = 7 }));
        (int exit, string report, _) = await Run("diff", path, copy);
        Assert.Equal(0, exit);
        Assert.EndsWith(": unchanged\n", report);
    }

    [Fact]
    public async Task DiffBetweenGitRevisionsComparesEverySchemaFile()
    {
        (int exit, string report, _) = await Run("diff", "HEAD", "HEAD", "--root", RepositoryRoot);
        Assert.Equal(0, exit);
        Assert.Equal(4, report.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.EndsWith(": unchanged", StringComparison.Ordinal)));
        (int bad, _, string error) = await Run("diff", "no-such-revision", "HEAD", "--root", RepositoryRoot);
        Assert.Equal(1, bad);
        Assert.Contains("is neither a file nor a git revision", error);
    }

    private static JsonNode Reverse(JsonNode node) => node switch
    {
        JsonObject o => new JsonObject(o.Reverse().Select(p => KeyValuePair.Create(p.Key, p.Value == null ? null : Reverse(p.Value)))),
        JsonArray a => new JsonArray(a.Select(i => i == null ? null : Reverse(i)).ToArray()),
        _ => node.DeepClone(),
    };

    private sealed class Text(string path, string text) : AdditionalText
    {
        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(text);
    }
}

/// <summary>../shared beside the clone, when it is there.</summary>
internal static class SharedData
{
    public static string Root => SchemaClients.Testing.TestRepository.Shared;

    public static bool Available => SchemaClients.Testing.TestRepository.SharedAvailable;

    public static string? Corpus(string provider, string file)
    {
        string path = Path.Combine(Root, "schema-corpus", provider, file);
        return File.Exists(path) ? path : null;
    }
}

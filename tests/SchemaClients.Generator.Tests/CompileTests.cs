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
        Assert.Equal(17, run.Result.GeneratedTrees.Length); // four documents (types, converters, schema graph, client) and the JSON context
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
        var clients = new SortedDictionary<string, int>(StringComparer.Ordinal);
        int operationMethods = 0;
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

            string generated = string.Concat(run.Result.GeneratedTrees.Select(t => t.ToString()));
            string kind = generated.Contains("FalQueueTransport _transport", StringComparison.Ordinal) ? provider + " queue client"
                : generated.Contains("OxenTransport _transport", StringComparison.Ordinal) ? provider + " Oxen client"
                : generated.Contains("ModelClientCore _core", StringComparison.Ordinal) ? provider + " per-operation client"
                : provider + " no client";
            clients[kind] = clients.GetValueOrDefault(kind) + 1;
            if (kind.EndsWith("per-operation client", StringComparison.Ordinal))
            {
                operationMethods += generated.Split("string path = ").Length - 1;
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
            + Environment.NewLine + "  info diagnostics over the corpus: " + (infos.Count == 0 ? "none" : string.Join(", ", infos.Select(i => i.Key + " x" + i.Value)))
            + Environment.NewLine + "  clients: " + string.Join(", ", clients.Select(c => c.Key + " x" + c.Value)) + "; per-operation methods: " + operationMethods;
        output.WriteLine(report);
        File.WriteAllText(Path.Combine(TestPaths.ReportDirectory, "corpus-compile-" + framework + ".txt"), report + Environment.NewLine);
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures.Take(10)));
        Assert.Equal(80, clean.Count + withDiagnostics.Count);
        Assert.Equal(17, clients.GetValueOrDefault("fal queue client")); // every fal queue document gets fal's transports
        Assert.Equal(62, clients.GetValueOrDefault("replicate no client"));
        Assert.Equal(1, clients.GetValueOrDefault("bfl per-operation client"));
    }

    [Theory]
    [InlineData(TargetFramework.Net10)]
    [InlineData(TargetFramework.Net8)]
    public void AwkwardOperationsGiveAClientThatCompiles(TargetFramework framework)
    {
        // Parameters named like C# keywords and like the method's own locals, every query type, a path-level
        // parameter, a $ref parameter, an undeclared template variable, an operation named like a client member,
        // duplicate names, a body that is not an object, and no servers.
        const string document = """
            {
              "openapi": "3.1.0",
              "info": { "title": "t", "version": "1" },
              "components": {
                "parameters": { "Limit": { "name": "limit", "in": "query", "schema": { "type": "integer" } } },
                "securitySchemes": { "k": { "type": "apiKey", "in": "header", "name": "x-key" } },
                "schemas": { "Thing": { "type": "object", "properties": { "n": { "type": "integer", "maximum": 3 } } } }
              },
              "paths": {
                "/things/{class}/{body}": {
                  "parameters": [ { "name": "class", "in": "path", "required": true, "schema": { "type": "integer" } } ],
                  "get": {
                    "operationId": "download",
                    "parameters": [
                      { "name": "path", "in": "query", "schema": { "type": "string" } },
                      { "name": "request", "in": "query", "required": true, "schema": { "type": "boolean" } },
                      { "name": "x", "in": "query", "schema": { "type": "number" } },
                      { "$ref": "#/components/parameters/Limit" },
                      { "name": "trace", "in": "header", "schema": { "type": "string" } }
                    ],
                    "responses": { "200": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Thing" } } } } }
                  },
                  "post": {
                    "operationId": "download",
                    "requestBody": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Thing" } } } },
                    "responses": { "200": { "description": "no body" } }
                  },
                  "put": {
                    "requestBody": { "content": { "application/json": { "schema": { "type": "array", "items": { "type": "string" } } } } },
                    "responses": { "200": { "content": { "application/json": { "schema": { "type": "string" } } } } }
                  }
                }
              }
            }
            """;
        GeneratorHarness.Run run = GeneratorHarness.RunGenerator(new[] { GeneratorHarness.SchemaText("acme", "odd.json", document) }, framework);
        string[] problems = run.GeneratorDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).Concat(run.CompileDiagnostics).Select(GeneratorHarness.Format).ToArray();
        Assert.True(problems.Length == 0, string.Join(Environment.NewLine, problems.Take(20)));

        string code = run.Result.GeneratedTrees.Single(t => t.FilePath.Contains("Acme", StringComparison.Ordinal) && t.FilePath.EndsWith(".Client.g.cs", StringComparison.Ordinal)).ToString();
        Assert.Contains("public sealed partial class AcmeOddClient", code, StringComparison.Ordinal);
        Assert.Contains("new global::SchemaClients.Http.ProviderAuth(\"x-key\", null, \"ACME_API_KEY\")", code, StringComparison.Ordinal);
        Assert.Contains("GetDownloadAsync(long @class, string body2, bool request2, string? path2 = null, double? x = null, long? limit = null,", code, StringComparison.Ordinal);
        Assert.Contains("PostDownloadAsync(long @class, string body2, global::Consumer.Acme.Odd.Thing request,", code, StringComparison.Ordinal);
        Assert.Contains("ThingsAsync(long @class, string body2, JsonElement request,", code, StringComparison.Ordinal);
        Assert.Contains("using JsonElement = global::System.Text.Json.JsonElement;", code, StringComparison.Ordinal);
        Assert.Contains("AddAcmeOddClient(", code, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(TargetFramework.Net10)]
    [InlineData(TargetFramework.Net8)]
    public void TypesAndMembersNamedLikeTheShortNamesStillCompile(TargetFramework framework)
    {
        // The generated files write JsonElement, ValidationResult, [Required] and the like through using aliases.
        // Types the document declares under those names, and members that would hide them inside a type, must
        // keep every such name meaning what it did.
        const string document = """
            {
              "openapi": "3.1.0",
              "info": { "title": "t", "version": "1" },
              "components": {
                "schemas": {
                  "JsonElement": { "type": "object", "properties": { "uri": { "type": "string", "maxLength": 9 } } },
                  "Required": { "type": "object", "properties": { "n": { "type": "integer", "maximum": 3 } }, "required": ["n"] },
                  "Range": { "type": "string", "enum": ["a", "b"] },
                  "Plain": { "type": "object", "properties": { "validation_result": { "type": "string" } } },
                  "Answer": { "type": "object", "properties": { "state": { "type": "string", "enum": ["enumerable", "argument_null_exception"] }, "plain": { "$ref": "#/components/schemas/Plain" } } },
                  "Uri": { "type": "object", "properties": { "validation_result": { "type": "integer", "minimum": 0 }, "json_element": {}, "required": { "$ref": "#/components/schemas/Required" } } },
                  "Thing": {
                    "type": "object",
                    "properties": {
                      "validation_result": { "type": "string" },
                      "typed_validation": { "type": "integer", "maximum": 3 },
                      "argument_null_exception": { "type": "string", "enum": ["x"] },
                      "json_element": { "$ref": "#/components/schemas/JsonElement" },
                      "uri": { "$ref": "#/components/schemas/Uri" },
                      "range": { "$ref": "#/components/schemas/Range" },
                      "extra": { "type": "array", "items": { "type": "integer", "minimum": 1 } },
                      "free": { "type": "object", "additionalProperties": { "type": "integer" } }
                    },
                    "required": ["validation_result"]
                  }
                }
              },
              "paths": {
                "/things": {
                  "post": {
                    "operationId": "task",
                    "requestBody": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Thing" } } } },
                    "responses": { "200": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Answer" } } } } }
                  }
                }
              }
            }
            """;
        GeneratorHarness.Run run = GeneratorHarness.RunGenerator(new[] { GeneratorHarness.SchemaText("acme", "names.json", document) }, framework);
        string[] problems = run.GeneratorDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).Concat(run.CompileDiagnostics).Select(GeneratorHarness.Format).ToArray();
        Assert.True(problems.Length == 0, string.Join(Environment.NewLine, problems.Take(20)));
        string types = run.Result.GeneratedTrees.Single(t => t.FilePath.EndsWith(".Types.g.cs", StringComparison.Ordinal)).ToString();
        Assert.DoesNotContain("using JsonElement =", types, StringComparison.Ordinal);
        Assert.DoesNotContain("using RequiredAttribute =", types, StringComparison.Ordinal);
        Assert.Contains("using JsonPropertyNameAttribute = global::System.Text.Json.Serialization.JsonPropertyNameAttribute;", types, StringComparison.Ordinal);
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;
using Microsoft.CodeAnalysis.Text;
using SchemaClients.Generator.Analysis;
using SchemaClients.Generator.CodeFixes;

namespace SchemaClients.Generator.Tests.Infrastructure;

/// <summary>
/// The Roslyn testing framework set up as a user's project is: the generator runs first (so the request records
/// exist), over schema files given as additional files under <c>/0/schemas/</c>, with the build properties the package's
/// props pass; the analyzer and the code fix then run on the test code. Diagnostics are marked in the code
/// (<c>{|SCG1001:51|}</c>), fixed code is compared, and fix-all is checked whenever a document has several.
/// </summary>
internal sealed class SchemaValueTest : CSharpCodeFixTest<SchemaValueAnalyzer, SchemaValueCodeFixProvider, DefaultVerifier>
{
    /// <summary>The usings every test's code starts with: an alias per generated namespace.</summary>
    public const string Usings = """
        using System.Collections.Generic;
        using Oxen = Consumer.Oxen.Flux2Flex;
        using Apiframe = Consumer.Apiframe.Flux2Flex;
        using Limits = Consumer.Tests.Limits;

        """;

    /// <summary>
    /// A schema written for these tests: one property per rule the analyzer checks, so every SCG1001-SCG1007 has a
    /// value to break (multipleOf and length are on no provider's schema).
    /// </summary>
    public const string LimitsSchema = """
        {
          "title": "Limits",
          "type": "object",
          "required": ["name"],
          "properties": {
            "name": { "type": "string" },
            "width": { "type": "integer", "minimum": 64, "maximum": 2048, "multipleOf": 32 },
            "label": { "type": "string", "minLength": 2, "maxLength": 8 },
            "ratio": { "type": "string", "pattern": "^[1-9]:[1-9]$" },
            "mode": { "type": "string", "const": "fast" },
            "tags": { "type": "array", "items": { "type": "string" }, "maxItems": 3 }
          }
        }
        """;

    /// <summary>The path the limits schema has in the test project.</summary>
    public const string LimitsPath = "/0/schemas/tests/limits.json";

    public SchemaValueTest()
    {
        ReferenceAssemblies = new ReferenceAssemblies("net8.0");
        TestBehaviors |= TestBehaviors.SkipGeneratedSourcesCheck; // the generated sources have their own baselines (BaselineTests)
        Configure(TestState, includeRepositorySchemas: true);
        TestState.AdditionalFiles.Add((LimitsPath, SourceText.From(LimitsSchema, Encoding.UTF8)));
    }

    /// <summary>
    /// References (.NET 8's reference assemblies from the package the test project restores, added by path so nothing
    /// is downloaded; the runtime; Microsoft.Extensions), the build properties the package's props pass, and the
    /// repository's schema files under <c>/0/schemas/</c>.
    /// </summary>
    public static void Configure(SolutionState state, bool includeRepositorySchemas)
    {
        foreach (string path in Directory.GetFiles(TestPaths.Net8References, "*.dll"))
        {
            state.AdditionalReferences.Add(MetadataReference.CreateFromFile(path));
        }

        state.AdditionalReferences.Add(MetadataReference.CreateFromFile(typeof(SchemaClients.Validation.ValidationResult).Assembly.Location));
        foreach (string path in TestPaths.ExtensionsReferences("net8.0"))
        {
            state.AdditionalReferences.Add(MetadataReference.CreateFromFile(path));
        }

        if (includeRepositorySchemas)
        {
            foreach (string file in Directory.GetFiles(TestPaths.Schemas, "*.json", SearchOption.AllDirectories).Where(p => Path.GetFileName(p) != "manifest.json").OrderBy(p => p, StringComparer.Ordinal))
            {
                string relative = Path.GetRelativePath(TestPaths.Schemas, file).Replace('\\', '/');
                state.AdditionalFiles.Add(("/0/schemas/" + relative, SourceText.From(File.ReadAllText(file), Encoding.UTF8)));
            }
        }

        state.AnalyzerConfigFiles.Add(("/.globalconfig", SourceText.From("""
            is_global = true
            build_property.RootNamespace = Consumer
            build_property.ProjectDir = /0/
            build_property.SchemaClientsBuildProps = true
            """, Encoding.UTF8)));
    }

    /// <inheritdoc />
    protected override IEnumerable<Type> GetSourceGenerators()
    {
        yield return typeof(SchemaClientsGenerator);
    }

    /// <summary>The code of a test: the usings, then <paramref name="body"/>.</summary>
    public static string Code(string body) => Usings + body;

    /// <summary>Where a keyword sits in a schema file, as the analyzer's second location: the span of <c>"keyword": value</c>'s name.</summary>
    public static (int Line, int Column) Keyword(string schemaText, string after, string keyword)
    {
        int from = schemaText.IndexOf(after, StringComparison.Ordinal);
        int at = schemaText.IndexOf("\"" + keyword + "\"", from, StringComparison.Ordinal);
        string before = schemaText.Substring(0, at);
        int line = before.Count(c => c == '\n') + 1;
        int column = at - (before.LastIndexOf('\n') + 1) + 1;
        return (line, column);
    }
}

using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using SchemaClients.Generator.Tests.Infrastructure;
using Xunit;

namespace SchemaClients.Generator.Tests;

/// <summary>Every C# block of the README compiles as shown, as a program of its own, against the code the repository's schemas generate (namespace MyApp.Models).</summary>
public sealed class ReadmeSnippetTests
{
    public static IEnumerable<object[]> Snippets()
    {
        string readme = File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "README.md"));
        MatchCollection blocks = Regex.Matches(readme, "```csharp\\n(.*?)```", RegexOptions.Singleline);
        return blocks.Select((m, i) => new object[] { i + 1, m.Groups[1].Value });
    }

    [Theory]
    [MemberData(nameof(Snippets))]
    public void TheReadmeSnippetCompiles(int number, string code)
    {
        CSharpParseOptions parse = GeneratorHarness.ParseOptions(TargetFramework.Net10);
        CSharpCompilation compilation = CSharpCompilation.Create(
            "Readme" + number,
            new[] { CSharpSyntaxTree.ParseText(code, parse, path: "README-" + number + ".cs") },
            GeneratorHarness.ReferencesFor(TargetFramework.Net10),
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable)
                .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic> { ["CS1701"] = ReportDiagnostic.Suppress, ["CS1702"] = ReportDiagnostic.Suppress }));
        GeneratorDriver driver = GeneratorHarness.CreateDriver(GeneratorHarness.RepositorySchemas(), schemaNamespace: "MyApp.Models");
        driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> generatorDiagnostics);
        Assert.DoesNotContain(generatorDiagnostics, d => d.Severity == DiagnosticSeverity.Error);
        string[] problems = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(GeneratorHarness.Format).ToArray();
        Assert.True(problems.Length == 0, "README block " + number + ":\n" + string.Join("\n", problems) + "\n" + code);
    }
}

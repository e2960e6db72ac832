using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using SchemaClients.Generator.Tests.Infrastructure;
using Xunit;

namespace SchemaClients.Generator.Tests;

/// <summary>Edits that do not touch a schema leave its steps cached; models hold no compiler objects.</summary>
public sealed class IncrementalTests
{
    private static readonly string[] SchemaSteps = { "SchemaFiles", "Documents", "Diagnostics", "Specs", "Sources", "ContextEntries", "JsonContext" };

    private static (GeneratorDriver Driver, CSharpCompilation Compilation, AdditionalText[] Files) FirstRun()
    {
        AdditionalText[] files = GeneratorHarness.RepositorySchemas().ToArray();
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(new[] { "namespace App { internal static class A { } }" });
        GeneratorDriver driver = GeneratorHarness.CreateDriver(files).RunGenerators(compilation);
        return (driver, compilation, files);
    }

    private static IEnumerable<(string Step, IncrementalStepRunReason Reason, object Value)> Outputs(GeneratorDriver driver, string step) =>
        driver.GetRunResult().Results.Single().TrackedSteps.TryGetValue(step, out ImmutableArray<IncrementalGeneratorRunStep> runs)
            ? runs.SelectMany(r => r.Outputs.Select(o => (step, o.Reason, o.Value)))
            : Enumerable.Empty<(string, IncrementalStepRunReason, object)>();

    [Fact]
    public void EditingACSharpFileLeavesEverySchemaStepCached()
    {
        (GeneratorDriver driver, CSharpCompilation compilation, _) = FirstRun();
        SyntaxTree old = compilation.SyntaxTrees.Single();
        CSharpCompilation edited = compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText("namespace App { internal static class B { } }", (CSharpParseOptions)old.Options, old.FilePath));
        driver = driver.RunGenerators(edited);

        var outputs = SchemaSteps.SelectMany(step => Outputs(driver, step)).ToArray();
        Assert.NotEmpty(outputs);
        Assert.All(SchemaSteps, step => Assert.NotEmpty(Outputs(driver, step)));
        Assert.All(outputs, o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, o.Step + " was " + o.Reason));
    }

    [Fact]
    public void EditingOneSchemaRegeneratesOnlyThatSchema()
    {
        (GeneratorDriver driver, CSharpCompilation compilation, AdditionalText[] files) = FirstRun();
        AdditionalText oxen = files.Single(f => f.Path.EndsWith("oxen/flux-2-pro.json", StringComparison.Ordinal));
        string text = oxen.GetText()!.ToString().Replace("\"maximum\": 50", "\"maximum\": 40");
        Assert.NotEqual(oxen.GetText()!.ToString(), text);
        driver = driver.ReplaceAdditionalText(oxen, GeneratorHarness.SchemaText("oxen", "flux-2-pro.json", text)).RunGenerators(compilation);

        foreach (string step in new[] { "SchemaFiles", "Documents", "Specs" })
        {
            var outputs = Outputs(driver, step).ToArray();
            Assert.Equal(4, outputs.Length);
            Assert.Single(outputs, o => o.Reason == IncrementalStepRunReason.Modified);
            Assert.Equal(3, outputs.Count(o => o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged));
        }

        // Four files per document; of the edited one only the types (their docs show the range) and the schema graph change.
        var sources = Outputs(driver, "Sources").ToArray();
        Assert.Equal(16, sources.Length);
        Assert.Equal(2, sources.Count(o => o.Reason == IncrementalStepRunReason.Modified));
        Assert.Equal(14, sources.Count(o => o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged));

        // The range changed but no type was added or renamed, so the shared JSON context stays as it was.
        Assert.All(Outputs(driver, "JsonContext"), o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, "JsonContext was " + o.Reason));
        string regenerated = driver.GetRunResult().Results.Single().GeneratedSources.Single(s => s.HintName.StartsWith("Oxen.Flux2Pro", StringComparison.Ordinal) && s.HintName.EndsWith(".Schema.g.cs", StringComparison.Ordinal)).SourceText.ToString();
        Assert.Contains("{\"type\":\"integer\",\"minimum\":1,\"maximum\":40}", regenerated);
    }

    [Fact]
    public void AnEditThatOnlyMovesTextLeavesTheEmitterCached()
    {
        (GeneratorDriver driver, CSharpCompilation compilation, AdditionalText[] files) = FirstRun();
        AdditionalText oxen = files.Single(f => f.Path.EndsWith("oxen/flux-2-pro.json", StringComparison.Ordinal));
        string text = "\n\n   " + oxen.GetText()!.ToString().Replace("\n", "\n  ");
        driver = driver.ReplaceAdditionalText(oxen, GeneratorHarness.SchemaText("oxen", "flux-2-pro.json", text)).RunGenerators(compilation);

        // The parse differs (every property is declared two lines further down), its spec does not.
        Assert.Single(Outputs(driver, "Documents"), o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.All(Outputs(driver, "Specs"), o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, "Specs was " + o.Reason));
        Assert.Contains(Outputs(driver, "Specs"), o => o.Reason == IncrementalStepRunReason.Unchanged);
        Assert.All(Outputs(driver, "Sources"), o => Assert.True(o.Reason == IncrementalStepRunReason.Cached, "Sources was " + o.Reason));
        Assert.All(Outputs(driver, "JsonContext"), o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, "JsonContext was " + o.Reason));
    }

    [Fact]
    public void NoStepOutputHoldsACompilerObject()
    {
        (GeneratorDriver driver, _, _) = FirstRun();
        var forbidden = new[] { typeof(Compilation), typeof(ISymbol), typeof(SyntaxNode), typeof(Location), typeof(AdditionalText), typeof(SyntaxTree) };
        var visited = new HashSet<object>(ReferenceEqualityComparer.Instance);
        int walked = 0;
        foreach (string step in SchemaSteps.Append("Options"))
        {
            foreach (var output in Outputs(driver, step))
            {
                Walk(output.Value, step, forbidden, visited, ref walked);
            }
        }

        Assert.True(walked > 100, "the walk visited only " + walked + " objects");
    }

    private static void Walk(object? value, string path, Type[] forbidden, HashSet<object> visited, ref int walked)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum)
        {
            return;
        }

        Type type = value.GetType();
        Assert.False(forbidden.Any(f => f.IsAssignableFrom(type)), path + " holds a " + type.Name);
        Assert.False(type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ImmutableArray<>), path + " holds an ImmutableArray, which compares by reference");
        if (!type.IsValueType && !visited.Add(value))
        {
            return;
        }

        walked++;
        if (value is IEnumerable sequence)
        {
            int i = 0;
            foreach (object? item in sequence)
            {
                Walk(item, path + "[" + i++ + "]", forbidden, visited, ref walked);
            }

            if (type.Namespace?.StartsWith("System", StringComparison.Ordinal) == true)
            {
                return;
            }
        }

        foreach (FieldInfo field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            Walk(field.GetValue(value), path + "." + field.Name, forbidden, visited, ref walked);
        }
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace SchemaClients.Benchmarks;

/// <summary>
/// <c>--output-size</c>: characters of C# the generator emits for each document run alone through a fresh driver
/// (all its generated files except the shared JSON context, which is measured once for all documents together),
/// and, for the BFL document, which concern those characters go to.
/// </summary>
internal static class OutputSize
{
    private const string Bfl = "/bfl-openapi.json";
    private const string Oxen = "/bench/schemas/oxen/flux-2-flex.json";

    public static int Run()
    {
        AdditionalText[] documents = Inputs.Documents();
        CSharpCompilation compilation = Inputs.Compilation();

        var rows = new List<(string Path, int Input, int Output, GeneratorRunResult Result)>();
        foreach (AdditionalText document in documents)
        {
            GeneratorRunResult result = Inputs.Run(new[] { document }, compilation);
            int output = result.GeneratedSources.Where(s => s.HintName != Inputs.ContextHintName).Sum(s => s.SourceText.Length);
            rows.Add((document.Path, document.GetText()!.Length, output, result));
        }

        int context = Inputs.Run(documents, compilation).GeneratedSources.Single(s => s.HintName == Inputs.ContextHintName).SourceText.Length;

        var outputs = rows.Select(r => (double)r.Output).ToArray();
        var max = rows.OrderBy(r => r.Output).Last();
        long total = rows.Sum(r => (long)r.Output);
        long input = rows.Sum(r => (long)r.Input);
        int Of(string suffix) => rows.Single(r => r.Path.EndsWith(suffix, StringComparison.Ordinal)).Output;

        Console.WriteLine($"generated C# per document, each document alone through a fresh driver ({Inputs.ContextHintName} excluded):");
        Console.WriteLine($"  documents            {rows.Count} ({rows.Count(r => r.Output == 0)} with no output)");
        Console.WriteLine($"  total                {total:N0} chars (input {input:N0} chars)");
        Console.WriteLine($"  median               {Stats.Median(outputs):N0} chars");
        Console.WriteLine($"  p90                  {Stats.Percentile(outputs, 0.9):N0} chars");
        Console.WriteLine($"  max                  {max.Output:N0} chars ({Stats.Name(max.Path)})");
        Console.WriteLine($"  BFL (bfl-openapi)    {Of(Bfl):N0} chars");
        Console.WriteLine($"  Oxen flux-2-flex     {Of(Oxen):N0} chars");
        Console.WriteLine($"  output/input chars   median {Stats.Median(rows.Select(r => (double)r.Output / r.Input)):F1}x, p90 {Stats.Percentile(rows.Select(r => (double)r.Output / r.Input), 0.9):F1}x, overall {(double)total / input:F1}x");
        Console.WriteLine($"{Inputs.ContextHintName} for all {rows.Count} documents together: {context:N0} chars");

        Console.WriteLine();
        Console.WriteLine("BFL document by concern (top-level declarations of its generated file):");
        var concerns = new Dictionary<string, (long Chars, int Declarations)>
        {
            ["types"] = (0, 0), ["converters"] = (0, 0), ["JSON validator"] = (0, 0), ["client"] = (0, 0),
        };
        long bflTotal = 0;
        foreach (GeneratedSourceResult source in rows.Single(r => r.Path.EndsWith(Bfl, StringComparison.Ordinal)).Result.GeneratedSources.Where(s => s.HintName != Inputs.ContextHintName))
        {
            bflTotal += source.SourceText.Length;
            foreach (MemberDeclarationSyntax declaration in TopLevel(CSharpSyntaxTree.ParseText(source.SourceText).GetCompilationUnitRoot()))
            {
                string concern = ConcernOf(declaration);
                var (chars, count) = concerns[concern];
                concerns[concern] = (chars + declaration.FullSpan.Length, count + 1);
            }
        }

        foreach (var (concern, (chars, count)) in concerns)
        {
            Console.WriteLine($"  {concern,-16} {chars,9:N0} chars {100.0 * chars / bflTotal,5:F1}%  ({count} declarations)");
        }

        long outside = bflTotal - concerns.Values.Sum(c => c.Chars);
        Console.WriteLine($"  {"outside any",-16} {outside,9:N0} chars {100.0 * outside / bflTotal,5:F1}%  (header, namespace lines)");
        return 0;
    }

    // The split reads the syntax tree rather than scanning braces, so it is exact at the level of top-level
    // declarations: each one counts its full span, including its doc comments, attributes and line ends, and
    // everything nested in it (the converters nested in SchemaConverters count as converters). It is still
    // approximate as a split by concern, since it goes by declaration name only (a type's members that serve
    // the client, for instance, count as types).
    private static IEnumerable<MemberDeclarationSyntax> TopLevel(CompilationUnitSyntax root)
    {
        foreach (MemberDeclarationSyntax member in root.Members)
        {
            if (member is BaseNamespaceDeclarationSyntax ns)
            {
                foreach (MemberDeclarationSyntax inner in ns.Members)
                {
                    yield return inner;
                }
            }
            else
            {
                yield return member;
            }
        }
    }

    private static string ConcernOf(MemberDeclarationSyntax declaration)
    {
        string name = declaration switch
        {
            BaseTypeDeclarationSyntax type => type.Identifier.Text,
            DelegateDeclarationSyntax d => d.Identifier.Text,
            _ => string.Empty,
        };

        if (name.EndsWith("Converter", StringComparison.Ordinal) || name == "SchemaConverters")
        {
            return "converters";
        }

        if (name == "SchemaValidator")
        {
            return "JSON validator";
        }

        if (name.EndsWith("Client", StringComparison.Ordinal) || name.EndsWith("ServiceCollectionExtensions", StringComparison.Ordinal))
        {
            return "client";
        }

        return "types";
    }
}

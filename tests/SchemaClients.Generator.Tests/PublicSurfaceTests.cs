using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using SchemaClients.Generator.Tests.Infrastructure;
using Xunit;

namespace SchemaClients.Generator.Tests;

/// <summary>
/// The public surface of the code generated for schemas/ (every public type and member a user can call), kept in
/// PublicSurface.txt beside this file, so a generator change that renames or retypes something users call shows in
/// review. To accept a change: SCHEMACLIENTS_UPDATE_BASELINES=1 dotnet test --filter PublicSurfaceTests
/// </summary>
public sealed class PublicSurfaceTests
{
    private static string BaselinePath => Path.Combine(TestPaths.RepositoryRoot, "tests", "SchemaClients.Generator.Tests", "PublicSurface.txt");

    private static readonly SymbolDisplayFormat Format = SymbolDisplayFormat.CSharpErrorMessageFormat
        .WithMemberOptions(SymbolDisplayMemberOptions.IncludeContainingType | SymbolDisplayMemberOptions.IncludeParameters | SymbolDisplayMemberOptions.IncludeType
            | SymbolDisplayMemberOptions.IncludeModifiers | SymbolDisplayMemberOptions.IncludeConstantValue | SymbolDisplayMemberOptions.IncludeRef)
        .WithParameterOptions(SymbolDisplayParameterOptions.IncludeType | SymbolDisplayParameterOptions.IncludeName | SymbolDisplayParameterOptions.IncludeDefaultValue
            | SymbolDisplayParameterOptions.IncludeParamsRefOut | SymbolDisplayParameterOptions.IncludeOptionalBrackets)
        .WithMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier | SymbolDisplayMiscellaneousOptions.UseSpecialTypes);

    private static readonly SymbolDisplayFormat MemberFormat = Format.RemoveMemberOptions(SymbolDisplayMemberOptions.IncludeContainingType);

    [Fact]
    public void ThePublicSurfaceOfTheGeneratedCodeMatchesItsBaseline()
    {
        GeneratorHarness.Run run = GeneratorHarness.RunGenerator(GeneratorHarness.RepositorySchemas());
        Assert.Empty(run.CompileDiagnostics.Select(GeneratorHarness.Format));
        string actual = string.Join("\n", Surface(run.Output.Assembly.GlobalNamespace)) + "\n";
        if (Environment.GetEnvironmentVariable("SCHEMACLIENTS_UPDATE_BASELINES") == "1")
        {
            File.WriteAllText(BaselinePath, actual);
            return;
        }

        string[] expected = File.ReadAllText(BaselinePath).Replace("\r\n", "\n").Split('\n');
        string[] now = actual.Split('\n');
        string[] removed = expected.Except(now).ToArray();
        string[] added = now.Except(expected).ToArray();
        Assert.True(removed.Length == 0 && added.Length == 0,
            "The generated public surface changed.\nRemoved:\n  " + string.Join("\n  ", removed) + "\nAdded:\n  " + string.Join("\n  ", added)
            + "\nIf intended: SCHEMACLIENTS_UPDATE_BASELINES=1 dotnet test tests/SchemaClients.Generator.Tests --filter PublicSurfaceTests");
    }

    /// <summary>Every public type (sorted by name), then its public and protected members (sorted), one line each.</summary>
    private static IEnumerable<string> Surface(INamespaceSymbol root)
    {
        var types = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        var pending = new Stack<INamespaceOrTypeSymbol>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            INamespaceOrTypeSymbol current = pending.Pop();
            foreach (ISymbol member in current.GetMembers())
            {
                if (member is INamespaceSymbol ns)
                {
                    pending.Push(ns);
                }
                else if (member is INamedTypeSymbol type && Visible(type))
                {
                    string header = type.TypeKind.ToString().ToLowerInvariant() + " " + type.ToDisplayString(Format)
                        + (type.BaseType is { SpecialType: not (SpecialType.System_Object or SpecialType.System_ValueType or SpecialType.System_Enum) } b ? " : " + b.ToDisplayString(Format) : string.Empty);
                    var members = new List<string>();
                    bool nests = false;
                    foreach (ISymbol inner in type.GetMembers())
                    {
                        if (inner is INamedTypeSymbol)
                        {
                            nests = true; // listed when the type is walked as a container
                            continue;
                        }

                        if (Visible(inner) && inner is not IMethodSymbol { MethodKind: MethodKind.PropertyGet or MethodKind.PropertySet or MethodKind.EventAdd or MethodKind.EventRemove })
                        {
                            members.Add("    " + inner.ToDisplayString(MemberFormat));
                        }
                    }

                    if (nests)
                    {
                        pending.Push(type);
                    }

                    members.Sort(StringComparer.Ordinal);
                    types[type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)] = new List<string> { header }.Concat(members).ToList();
                }
            }
        }

        return types.Values.SelectMany(lines => lines);
    }

    private static bool Visible(ISymbol symbol)
        => symbol.DeclaredAccessibility is Accessibility.Public or Accessibility.Protected or Accessibility.ProtectedOrInternal && !symbol.IsImplicitlyDeclared;
}

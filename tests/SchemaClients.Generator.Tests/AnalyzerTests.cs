using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using SchemaClients.Generator.Tests.Infrastructure;
using Xunit;

namespace SchemaClients.Generator.Tests;

/// <summary>
/// What the testing framework does not check about the value analyzer: each diagnostic's help link. The rules, code fixes,
/// locations and severities are tested on the framework (SchemaValueAnalyzerTests).
/// </summary>
public sealed class AnalyzerTests
{
    [Fact]
    public void ValueDiagnosticsLinkToTheirPageUnderSchemaClientsHelpLinkRoot()
    {
        (_, ImmutableArray<Diagnostic> diagnostics) = AnalyzerHarness.Run(
            "using Oxen = Consumer.Oxen.Flux2Flex;\ninternal static class C { internal static object M() => new Oxen.Flux2FlexRequest { Prompt = \"p\", NumInferenceSteps = 80 }; }",
            new Dictionary<string, string> { ["SchemaClientsHelpLinkRoot"] = "https://docs.example.test/d/" });
        Diagnostic found = Assert.Single(diagnostics);
        Assert.Equal("https://docs.example.test/d/" + found.Id + ".md", found.Descriptor.HelpLinkUri);
    }
}

using System;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using SchemaClients.Generator.Parsing;
using SchemaClients.Generator.Tests.Infrastructure;
using SchemaClients.Testing;
using Xunit;

namespace SchemaClients.Generator.Tests;

/// <summary>Which request properties become <c>ImageInput</c>, and that the rest stay as they were.</summary>
public sealed class ImageInputMappingTests
{
    private const string Image = "Files.ImageInput"; // the emitter writes it through a using alias where it can

    [Theory]
    [InlineData("input_image", true)]
    [InlineData("image_urls", true)]
    [InlineData("image_url", true)]
    [InlineData("input_images", true)]
    [InlineData("mask_image_url", true)]
    [InlineData("imageUrl", true)]
    [InlineData("referenceImages", true)]
    [InlineData("image", true)]
    [InlineData("image_size", false)]
    [InlineData("image_prompt_strength", false)]
    [InlineData("output_format", false)]
    [InlineData("imagery", false)]
    [InlineData("url", false)]
    [InlineData("mask_url", false)]
    [InlineData("", false)]
    public void ImageInputsAreNamedForAnImageAndEndInImageOrUrl(string name, bool expected)
        => Assert.Equal(expected, TypeUsages.IsImageName(name));

    [Fact]
    public void PlainStringsAndStringListsBecomeImageInputsAndEverythingElseStays()
    {
        const string text = """
            {
              "title": "Edit",
              "type": "object",
              "required": ["image_url"],
              "properties": {
                "image_url": { "type": "string" },
                "image_urls": { "type": "array", "items": { "type": "string" }, "maxItems": 4 },
                "image_size": { "type": "string", "enum": ["square", "portrait"] },
                "input_image": { "type": "string", "enum": ["a", "b"] },
                "num_images": { "type": "integer" },
                "images": { "type": "array", "items": { "type": "object", "properties": { "url": { "type": "string" } } } }
              }
            }
            """;
        GeneratorHarness.Run run = GeneratorHarness.RunGenerator(new[] { GeneratorHarness.SchemaText("tests", "edit.json", text) });
        Assert.Empty(run.CompileDiagnostics.Select(GeneratorHarness.Format));
        string types = run.Result.GeneratedSources().Single(s => s.HintName.EndsWith(".Types.g.cs", StringComparison.Ordinal)).SourceText.ToString();

        Assert.Contains("public required " + Image + " ImageUrl { get; init; }", types, StringComparison.Ordinal);
        Assert.Contains("public IReadOnlyList<" + Image + ">? ImageUrls { get; init; }", types, StringComparison.Ordinal);
        Assert.Contains("public InputImage? InputImage { get; init; }", types, StringComparison.Ordinal); // an enum is not an image
        Assert.Contains("public long? NumImages { get; init; }", types, StringComparison.Ordinal);
        Assert.Contains("public string? Url { get; init; }", types, StringComparison.Ordinal); // an object list keeps its items
        Assert.Contains("v.CheckList(", types, StringComparison.Ordinal); // maxItems still checked on the list
    }

    [Fact]
    public void AnswersKeepTheirStringsSoTheyReadAsBefore()
    {
        // fal's own edit document: image_urls in the input, images[].url in the output.
        string falEdit = Path.Combine(TestPaths.RepositoryRoot, "tests", "SchemaClients.Runtime.Tests", "TestSchemas", "schemas", "fal", "flux-2-flex-edit.json");
        GeneratorHarness.Run run = GeneratorHarness.RunGenerator(new[] { GeneratorHarness.FromDisk(falEdit, "fal") });
        Assert.Empty(run.CompileDiagnostics.Select(GeneratorHarness.Format));
        string types = string.Concat(run.Result.GeneratedSources().Where(s => s.HintName.EndsWith(".Types.g.cs", StringComparison.Ordinal)).Select(s => s.SourceText.ToString()));
        string client = string.Concat(run.Result.GeneratedSources().Where(s => s.HintName.EndsWith(".Client.g.cs", StringComparison.Ordinal)).Select(s => s.SourceText.ToString()));

        Assert.Matches(@"IReadOnlyList<(global::SchemaClients\.)?Files\.ImageInput> ImageUrls", types);
        Assert.Contains("public string? Url { get; init; }", types, StringComparison.Ordinal); // the output's ImageFile.url
        Assert.Contains("await _core.SerializeAsync(input", client, StringComparison.Ordinal); // images resolved before the billed call
    }

    [SharedFact]
    public void ACorpusEditDocumentGetsImageInputs()
    {
        string path = Path.Combine(TestPaths.Shared, "schema-corpus", "fal", "fal-ai_flux-2_klein_9b_edit.json");
        GeneratorHarness.Run run = GeneratorHarness.RunGenerator(new[] { GeneratorHarness.FromDisk(path, "fal") });
        Assert.Empty(run.CompileDiagnostics.Select(GeneratorHarness.Format));
        string generated = string.Concat(run.Result.GeneratedTrees.Select(t => t.ToString()));
        Assert.Matches(@"IReadOnlyList<(global::SchemaClients\.)?Files\.ImageInput>", generated);
        Assert.Contains("PrimitiveConverters.Image", generated, StringComparison.Ordinal);
    }
}

using System;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using SchemaClients.ClientBenchmarks.Schemas;
using SchemaClients.Validation;
using FalFlex = SchemaClients.ClientBenchmarks.Schemas.Fal.Flux2Flex;

namespace SchemaClients.ClientBenchmarks;

/// <summary>
/// Validation of a valid fal request (every member of fal's Flux2FlexInput set): the generated
/// <c>ValidateJson</c> over a <see cref="JsonElement"/> against a hand-written check of the same rules over the
/// same element, and the typed <c>Validate()</c> and <c>IsValid()</c>.
/// <code>dotnet run -c Release --project build/SchemaClients.ClientBenchmarks -- --filter *Validation*</code>
/// </summary>
[MemoryDiagnoser]
public class ValidationBenchmarks
{
    private const string Json = """
        {"prompt": "a poster reading SUMMER SALE", "image_size": {"width": 1024, "height": 768}, "enable_prompt_expansion": true,
         "seed": 7, "safety_tolerance": "2", "enable_safety_checker": true, "output_format": "png", "sync_mode": false,
         "guidance_scale": 3.5, "num_inference_steps": 28}
        """;

    private static readonly string[] ImageSizes = { "square_hd", "square", "portrait_4_3", "portrait_16_9", "landscape_4_3", "landscape_16_9" };
    private static readonly string[] Tolerances = { "1", "2", "3", "4", "5" };
    private static readonly string[] Formats = { "jpeg", "png" };

    private JsonDocument _document = null!;
    private JsonElement _json;
    private FalFlex.Flux2FlexInput _typed = null!;

    [GlobalSetup]
    public void Setup()
    {
        _document = JsonDocument.Parse(Json);
        _json = _document.RootElement;
        _typed = JsonSerializer.Deserialize(Json, SchemaClientsJsonContext.Default.FalFlux2FlexFlux2FlexInput)!;
        if (!HandWritten() || !FalFlex.Flux2FlexInput.ValidateJson(_json).IsValid || !_typed.IsValid())
        {
            throw new InvalidOperationException("The request must be valid for every check.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _document.Dispose();

    /// <summary>The schema's rules for this type written out by hand over the element: types, ranges, enums, the required member, the union.</summary>
    [Benchmark(Baseline = true)]
    public bool HandWritten()
    {
        JsonElement e = _json;
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty("prompt", out JsonElement prompt) || prompt.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        foreach (JsonProperty p in e.EnumerateObject())
        {
            JsonElement v = p.Value;
            bool ok = p.Name switch
            {
                "prompt" => true,
                "image_size" => v.ValueKind == JsonValueKind.String ? OneOf(v, ImageSizes) : v.ValueKind == JsonValueKind.Object && ImageSizeOk(v),
                "enable_prompt_expansion" or "enable_safety_checker" or "sync_mode" => v.ValueKind is JsonValueKind.True or JsonValueKind.False,
                "seed" => v.ValueKind == JsonValueKind.Null || (v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out _)),
                "safety_tolerance" => OneOf(v, Tolerances),
                "output_format" => OneOf(v, Formats),
                "guidance_scale" => v.ValueKind == JsonValueKind.Number && v.GetDouble() is >= 1.5 and <= 10,
                "num_inference_steps" => v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long n) && n is >= 2 and <= 50,
                _ => true,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    [Benchmark]
    public bool ValidateJson() => FalFlex.Flux2FlexInput.ValidateJson(_json).IsValid;

    [Benchmark]
    public bool Validate() => _typed.Validate().IsValid;

    [Benchmark]
    public bool IsValid() => _typed.IsValid();

    private static bool ImageSizeOk(JsonElement size)
    {
        foreach (JsonProperty p in size.EnumerateObject())
        {
            if ((p.Name == "width" || p.Name == "height")
                && !(p.Value.ValueKind == JsonValueKind.Number && p.Value.TryGetInt64(out long n) && n > 0 && n <= 14142))
            {
                return false;
            }
        }

        return true;
    }

    private static bool OneOf(JsonElement value, string[] allowed)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        foreach (string a in allowed)
        {
            if (value.ValueEquals(a))
            {
                return true;
            }
        }

        return false;
    }
}

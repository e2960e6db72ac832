using System;
using System.Reflection;
using SchemaClients.Generator.Tests.Infrastructure;
using Xunit;

namespace SchemaClients.Generator.Tests;

/// <summary>The generated types used as a user would: build, serialize, read back, validate.</summary>
public sealed class GeneratedCodeTests
{
    private const string Probe = """
        using System;
        using System.Linq;
        using System.Text.Json;
        using Consumer;
        using Fal = Consumer.Fal.Flux2Flex;
        using Oxen = Consumer.Oxen.Flux2Flex;
        using Apiframe = Consumer.Apiframe.Flux2Flex;

        internal static class Probe
        {
            public static string FalJson()
            {
                var request = new Fal.Flux2FlexInput
                {
                    Prompt = "a poster reading SUMMER SALE",
                    ImageSize = Fal.ImageSizeEnum.Landscape4_3,
                    SafetyTolerance = Fal.SafetyTolerance.Value2,
                    NumInferenceSteps = 28,
                    GuidanceScale = 3.5,
                };
                return JsonSerializer.Serialize(request, SchemaClientsJsonContext.Default.FalFlux2FlexFlux2FlexInput);
            }

            public static string FalObjectBranchRoundTrip()
            {
                var request = new Fal.Flux2FlexInput { Prompt = "p", ImageSize = new Fal.ImageSize { Width = 1024, Height = 768 } };
                string json = JsonSerializer.Serialize(request, SchemaClientsJsonContext.Default.FalFlux2FlexFlux2FlexInput);
                var back = JsonSerializer.Deserialize(json, SchemaClientsJsonContext.Default.FalFlux2FlexFlux2FlexInput)!;
                return json + "|" + (back == request) + "|" + back.ImageSize!.IsImageSize + "|" + back.ImageSize.AsImageSize.Width;
            }

            public static string OxenEnumsRoundTrip()
            {
                var request = new Oxen.Flux2FlexRequest { Prompt = "p", AspectRatio = Oxen.AspectRatio.Ratio16x9, Resolution = Oxen.Resolution.Mp0_5, OutputFormat = Oxen.OutputFormat.Png };
                string json = JsonSerializer.Serialize(request, SchemaClientsJsonContext.Default.OxenFlux2FlexFlux2FlexRequest);
                var back = JsonSerializer.Deserialize(json, SchemaClientsJsonContext.Default.OxenFlux2FlexFlux2FlexRequest)!;
                return json + "|" + back.AspectRatio + "|" + back.Resolution;
            }

            public static string OxenViolations()
            {
                var request = new Oxen.Flux2FlexRequest { Prompt = "p", NumInferenceSteps = 80, Guidance = -1, OutputQuality = 100 };
                return string.Join(";", request.Validate().Violations.Select(v => v.Path + " " + v.Rule + " " + v.Limit + " " + v.Actual));
            }

            public static string OxenJsonViolations(string json)
            {
                using var document = JsonDocument.Parse(json);
                return string.Join(";", Oxen.Flux2FlexRequest.ValidateJson(document.RootElement).Violations.Select(v => v.Path + " " + v.Rule + " " + v.Limit + " " + v.Actual));
            }

            public static string ApiframeViolations()
            {
                var request = new Apiframe.Flux2FlexGenerateRequest
                {
                    Prompt = "p",
                    Model = "flux-2-flex",
                    FluxParams = new Apiframe.Flux2FlexParams { AspectRatio = "16 by 9", Width = 100, InputImages = Enumerable.Range(0, 11).Select(i => global::SchemaClients.Files.ImageInput.Parse("https://example.com/" + i + ".png")).ToArray() },
                };
                return string.Join(";", request.Validate().Violations.Select(v => v.Path + " " + v.Rule));
            }

            public static string MissingRequiredMessage()
            {
                try
                {
                    JsonSerializer.Deserialize("{\"seed\":1}", SchemaClientsJsonContext.Default.OxenFlux2FlexFlux2FlexRequest);
                    return "no exception";
                }
                catch (JsonException e)
                {
                    return e.Message;
                }
            }

            public static long BytesAllocatedByValidValidate()
            {
                var request = new Oxen.Flux2FlexRequest { Prompt = "p", NumInferenceSteps = 30, Guidance = 2.5, InputImage = ["https://example.com/a.png", "https://example.com/b.png"] };
                request.Validate();
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < 1000; i++)
                {
                    if (!request.Validate().IsValid) throw new InvalidOperationException();
                }

                return GC.GetAllocatedBytesForCurrentThread() - before;
            }
        }
        """;

    private static readonly Lazy<Assembly> Compiled = new(() =>
    {
        GeneratorHarness.Run run = GeneratorHarness.RunGenerator(GeneratorHarness.RepositorySchemas(), consumerSource: Probe);
        return CompiledOutput.Load(run.Output);
    });

    private static string Call(string method, params object?[] args) => (string)CompiledOutput.Call(Compiled.Value, "Probe", method, args)!;

    [Fact]
    public void EnumsAndUnionsAreWrittenWithTheirExactWireValues()
    {
        Assert.Equal(
            """{"prompt":"a poster reading SUMMER SALE","image_size":"landscape_4_3","safety_tolerance":"2","guidance_scale":3.5,"num_inference_steps":28}""",
            Call("FalJson"));
    }

    [Fact]
    public void UnionObjectBranchRoundTrips()
    {
        Assert.Equal("""{"prompt":"p","image_size":{"width":1024,"height":768}}|True|True|1024""", Call("FalObjectBranchRoundTrip"));
    }

    [Fact]
    public void OddEnumValuesRoundTrip()
    {
        Assert.Equal("""{"prompt":"p","aspect_ratio":"16:9","resolution":"0.5 MP","output_format":"png"}|Ratio16x9|Mp0_5""", Call("OxenEnumsRoundTrip"));
    }

    [Fact]
    public void ValidateReportsEveryViolationWithPathRuleLimitAndValue()
    {
        Assert.Equal("$.num_inference_steps maximum 50 80;$.guidance minimum 0 -1", Call("OxenViolations"));
    }

    [Fact]
    public void RawJsonIsValidatedByTheSameRules()
    {
        Assert.Equal(
            "$.num_inference_steps maximum 50 80;$.guidance minimum 0 -1",
            Call("OxenJsonViolations", """{"prompt":"p","num_inference_steps":80,"guidance":-1,"output_quality":100}"""));
        Assert.Equal(
            "$.prompt required prompt missing;$.aspect_ratio enum [\"1:1\",\"16:9\",\"9:16\",\"4:3\",\"3:4\",\"3:2\",\"2:3\",\"match_input_image\"] \"21:9\"",
            Call("OxenJsonViolations", """{"aspect_ratio":"21:9"}"""));
        Assert.Equal(string.Empty, Call("OxenJsonViolations", """{"prompt":"p","aspect_ratio":"16:9","num_inference_steps":50}"""));
    }

    [Fact]
    public void NestedRecordsListsAndPatternsAreValidated()
    {
        Assert.Equal(
            "$.fluxParams.aspect_ratio pattern;$.fluxParams.width minimum;$.fluxParams.input_images maxItems",
            Call("ApiframeViolations"));
    }

    [Fact]
    public void MissingRequiredPropertyIsAClearJsonException()
    {
        Assert.Equal("The JSON for Flux2FlexRequest has no value for the required property 'prompt'.", Call("MissingRequiredMessage"));
    }

    [Fact]
    public void ValidateAllocatesNothingForAValidRequest()
    {
        Assert.Equal(0L, (long)CompiledOutput.Call(Compiled.Value, "Probe", "BytesAllocatedByValidValidate")!);
    }
}

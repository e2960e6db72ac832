using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;
using SchemaClients.Sample;
using SchemaClients.Validation;
using ApiframeFlex = SchemaClients.Sample.Apiframe.Flux2Flex;
using FalFlex = SchemaClients.Sample.Fal.Flux2Flex;
using OxenFlex = SchemaClients.Sample.Oxen.Flux2Flex;
using OxenPro = SchemaClients.Sample.Oxen.Flux2Pro;

// Builds a request for the chosen provider and model from the types generated out of schemas/,
// validates it, and prints the JSON that would be sent. Bad values are answered with the
// violations, not a stack trace.
Options? options = Options.Parse(args, out string? error);
if (options == null)
{
    Console.Error.WriteLine(error);
    Console.Error.WriteLine(Options.Usage);
    return 2;
}

JsonSerializerOptions indented = new() { WriteIndented = true };
var context = new SchemaClientsJsonContext(indented);
(ValidationResult result, string json) = options.Provider switch
{
    "oxen" when options.Model == "flux-2-pro" => Render(new OxenPro.Flux2ProRequest
    {
        Prompt = options.Prompt,
        NumInferenceSteps = options.Steps,
        Guidance = options.Guidance,
        Seed = options.Seed,
        OutputFormat = OxenPro.OutputFormat.Png,
    }, r => r.Validate(), r => JsonSerializer.Serialize(r, context.OxenFlux2ProFlux2ProRequest)),
    "oxen" => Render(new OxenFlex.Flux2FlexRequest
    {
        Prompt = options.Prompt,
        NumInferenceSteps = options.Steps,
        Guidance = options.Guidance,
        Seed = options.Seed,
        AspectRatio = OxenFlex.AspectRatio._16_9,
        OutputFormat = OxenFlex.OutputFormat.Png,
    }, r => r.Validate(), r => JsonSerializer.Serialize(r, context.OxenFlux2FlexFlux2FlexRequest)),
    "fal" => Render(new FalFlex.Flux2FlexInput
    {
        Prompt = options.Prompt,
        NumInferenceSteps = options.Steps,
        GuidanceScale = options.Guidance,
        Seed = options.Seed,
        ImageSize = FalFlex.ImageSizeEnum.Portrait16_9,
        OutputFormat = FalFlex.OutputFormat.Png,
    }, r => r.Validate(), r => JsonSerializer.Serialize(r, context.FalFlux2FlexFlux2FlexInput)),
    "apiframe" => Render(new ApiframeFlex.Flux2FlexGenerateRequest
    {
        Prompt = options.Prompt,
        Model = "flux-2-flex",
        FluxParams = new ApiframeFlex.Flux2FlexParams
        {
            AspectRatio = "9:16",
            Steps = options.Steps,
            Guidance = options.Guidance,
            Seed = options.Seed,
            OutputFormat = ApiframeFlex.OutputFormat.Png,
        },
    }, r => r.Validate(), r => JsonSerializer.Serialize(r, context.ApiframeFlux2FlexFlux2FlexGenerateRequest)),
    _ => throw new InvalidOperationException("unreachable: providers are checked by Options.Parse"),
};

Console.WriteLine($"{options.Provider} {options.Model}: the request body that would be sent");
Console.WriteLine(json);
if (!result.IsValid)
{
    Console.Error.WriteLine();
    Console.Error.WriteLine($"The request breaks the {options.Provider} schema for {options.Model}; it would be rejected, so it is not sent:");
    foreach (SchemaViolation violation in result.Violations)
    {
        Console.Error.WriteLine("  " + violation.Message);
    }

    return 1;
}

Console.WriteLine();
Console.WriteLine("Valid against the schema. (Sending it is the client's job; see the README.)");
return 0;

static (ValidationResult, string) Render<T>(T request, Func<T, ValidationResult> validate, Func<T, string> serialize) => (validate(request), serialize(request));

/// <summary>Command-line options of the sample.</summary>
internal sealed record Options(string Prompt, string Provider, string Model, int? Steps, double? Guidance, long? Seed)
{
    public const string Usage = """
        usage: dotnet run --project samples/SchemaClients.Sample -- "<prompt>" [--provider oxen|fal|apiframe] [--model flux-2-flex|flux-2-pro] [--steps N] [--guidance X] [--seed N]
        """;

    private static readonly string[] Providers = { "oxen", "fal", "apiframe" };

    public static Options? Parse(string[] args, out string? error)
    {
        error = null;
        string? prompt = null;
        string provider = "fal";
        string model = "flux-2-flex";
        int? steps = null;
        double? guidance = null;
        long? seed = null;
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                prompt = prompt == null ? arg : prompt + " " + arg;
                continue;
            }

            if (i + 1 >= args.Length)
            {
                error = $"{arg} needs a value.";
                return null;
            }

            string value = args[++i];
            switch (arg)
            {
                case "--provider": provider = value; break;
                case "--model": model = value; break;
                case "--steps" when int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int s): steps = s; break;
                case "--guidance" when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double g): guidance = g; break;
                case "--seed" when long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out long n): seed = n; break;
                default:
                    error = $"'{arg} {value}' is not an option this sample understands, or the value is not a number.";
                    return null;
            }
        }

        if (Array.IndexOf(Providers, provider) < 0)
        {
            error = $"Unknown provider '{provider}'. Known: {string.Join(", ", Providers)}.";
            return null;
        }

        if (model != "flux-2-flex" && !(provider == "oxen" && model == "flux-2-pro"))
        {
            error = $"{provider} has no model '{model}' in schemas/.";
            return null;
        }

        return new Options(prompt ?? "a poster reading SUMMER SALE", provider, model, steps, guidance, seed);
    }
}

using System;
using System.Globalization;
using System.IO;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Configuration;
using SchemaClients;
using SchemaClients.Clients;
using SchemaClients.Emulator;
using SchemaClients.Files;
using SchemaClients.Http;
using SchemaClients.Sample;
using SchemaClients.Validation;
using ApiframeFlex = SchemaClients.Sample.Apiframe.Flux2Flex;
using FalFlex = SchemaClients.Sample.Fal.Flux2Flex;
using OxenFlex = SchemaClients.Sample.Oxen.Flux2Flex;
using OxenPro = SchemaClients.Sample.Oxen.Flux2Pro;

// Generates an image with the clients generated from schemas/: builds the typed request, validates it,
// calls the provider (or, with no key in the environment, the emulator started in this process), shows
// progress while the request waits in a queue, and writes the image. Bad parameters are answered with the
// violations, not a stack trace.
SampleOptions? options = SampleOptions.Parse(args, Console.Out, Console.Error, out int parseExit);
if (options == null)
{
    return parseExit;
}

// Progress is one live status line on a terminal, plain lines when standard error is redirected.
using StatusConsole status = StatusConsole.ForThisProcess();
Runner.Status = status;
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

try
{
    return await Runner.RunAsync(options, cancel.Token);
}
catch (SchemaValidationException e)
{
    Runner.PrintViolations(options, e.Violations);
    return 1;
}
catch (ProviderApiException e)
{
    status.Say($"{options.Provider} refused the request: {e.Message}");
    return 3;
}
catch (QueueJobFailedException e)
{
    status.Say(e.Message);
    return 3;
}
catch (Exception e) when (e is HttpRequestException || e is TimeoutException || e is IOException || e is InvalidDataException || e is InvalidOperationException)
{
    status.Say($"{options.Provider}: {e.Message}");
    return 3;
}
catch (OperationCanceledException)
{
    status.Say("Cancelled.");
    return 130;
}

/// <summary>The sample's steps: request, validation, the call, progress, the file.</summary>
internal static class Runner
{
    /// <summary>Where messages and progress go (standard error): set once at start.</summary>
    public static StatusConsole Status { get; set; } = new(Console.Error, live: false);

    public static async Task<int> RunAsync(SampleOptions options, CancellationToken cancellationToken)
    {
        object request = BuildRequest(options);
        ValidationResult validation = Validate(request);
        if (!validation.IsValid)
        {
            PrintViolations(options, validation.Violations);
            return 1;
        }

        string variable = KeyVariable(options.Provider);
        bool useEmulator = options.Emulator || string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(variable));
        await using ProviderEmulator? emulator = useEmulator ? await StartEmulatorAsync(cancellationToken) : null;
        var clientOptions = new SchemaClientOptions();
        if (emulator != null)
        {
            emulator.Configure(clientOptions, options.Provider);
            clientOptions.PollInterval = TimeSpan.FromMilliseconds(250);
            Status.Say(options.Emulator
                ? $"--emulator: calling the built-in emulator at {emulator.BaseUrl}, not {options.Provider}."
                : $"No {variable} in the environment: calling the built-in emulator at {emulator.BaseUrl}, not {options.Provider}. Its image is a test pattern.");
        }
        else
        {
            // SchemaClients__Fal__BaseAddress and the like point the client elsewhere (a proxy, a recording server).
            string section = SchemaClientOptionsBinder.SectionFor(options.Provider);
            SchemaClientOptionsBinder.Bind(clientOptions, new ConfigurationBuilder().AddEnvironmentVariables().Build().GetSection(section));
            string where = clientOptions.BaseAddress != null ? $" at {clientOptions.BaseAddress} (from {section.Replace(":", "__", StringComparison.Ordinal)}__BaseAddress)" : string.Empty;
            Status.Say($"Calling {options.Provider}{where} with the key from {variable}.");
        }

        using var http = new HttpClient();
        if (HasLocalImages(options))
        {
            // Oxen and apiframe take image URLs only: a local file needs a host. fal's CDN is one (the emulator has a copy).
            string? falKey = Environment.GetEnvironmentVariable(FalFlex.FalFlux2FlexClient.Description.Auth.EnvironmentVariable);
            if (emulator != null)
            {
                clientOptions.ImageUploader = new FalCdnUploader(http, emulator.OptionsFor("fal"));
                Status.Say("Local images go to the emulator's copy of fal's CDN, then " + options.Provider + " gets their URLs.");
            }
            else if (!string.IsNullOrWhiteSpace(falKey))
            {
                clientOptions.ImageUploader = new FalCdnUploader(http);
                Status.Say("Local images are uploaded to fal's CDN (with FAL_KEY); " + options.Provider + " gets their URLs.");
            }
            else
            {
                Status.Say(options.Provider + " takes image URLs only, and there is no FAL_KEY to upload local images to fal's CDN. Pass https URLs to --image, or set FAL_KEY. Nothing was sent.");
                return 2;
            }
        }

        SavedFile saved = await GenerateAndSaveAsync(options, request, http, clientOptions, Status, cancellationToken);
        Status.Finish();
        Console.WriteLine($"Wrote {saved.Path} ({saved.Bytes.ToString("N0", CultureInfo.InvariantCulture)} bytes) from {options.Provider} {options.Model}.");
        return 0;
    }

    public static void PrintViolations(SampleOptions options, System.Collections.Generic.IReadOnlyList<SchemaViolation> violations)
    {
        Status.Say($"The request breaks the {options.Provider} schema for {options.Model}, so it was not sent:");
        foreach (SchemaViolation violation in violations)
        {
            Status.Say("  " + violation.Message);
        }
    }

    private static bool IsUrl(string source) => Uri.TryCreate(source, UriKind.Absolute, out Uri? url) && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp);

    private static bool HasLocalImages(SampleOptions o)
    {
        foreach (string source in o.ImageSources)
        {
            if (!IsUrl(source))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The --image inputs: URLs as they are, anything else a local file (read, checked and uploaded when the request is sent).</summary>
    private static ImageInput[]? Images(SampleOptions o)
    {
        if (o.ImageSources.Count == 0)
        {
            return null;
        }

        var images = new ImageInput[o.ImageSources.Count];
        for (int i = 0; i < images.Length; i++)
        {
            string source = o.ImageSources[i];
            images[i] = IsUrl(source) ? ImageInput.Parse(source) : ImageInput.FromFile(source);
        }

        return images;
    }

    private static string KeyVariable(string provider) => provider switch
    {
        "oxen" => OxenFlex.OxenFlux2FlexClient.Description.Auth.EnvironmentVariable,
        "fal" => FalFlex.FalFlux2FlexClient.Description.Auth.EnvironmentVariable,
        _ => ApiframeFlex.ApiframeFlux2FlexClient.Description.Auth.EnvironmentVariable,
    };

    private static object BuildRequest(SampleOptions o) => o.Provider switch
    {
        "oxen" when o.Model == "flux-2-pro" => new OxenPro.Flux2ProRequest
        {
            Prompt = o.Prompt,
            InputImage = Images(o),
            NumInferenceSteps = o.Steps,
            Guidance = o.Guidance,
            Seed = o.Seed,
            OutputFormat = OxenPro.OutputFormat.Png,
        },
        "oxen" => new OxenFlex.Flux2FlexRequest
        {
            Prompt = o.Prompt,
            InputImage = Images(o),
            NumInferenceSteps = o.Steps,
            Guidance = o.Guidance,
            Seed = o.Seed,
            AspectRatio = OxenFlex.AspectRatio.Ratio16x9,
            OutputFormat = OxenFlex.OutputFormat.Png,
        },
        "fal" => new FalFlex.Flux2FlexInput
        {
            Prompt = o.Prompt,
            NumInferenceSteps = o.Steps,
            GuidanceScale = o.Guidance,
            Seed = o.Seed,
            ImageSize = FalFlex.ImageSizeEnum.Portrait16_9,
            OutputFormat = FalFlex.OutputFormat.Png,
            SyncMode = o.Sync ? true : null,
        },
        _ => new ApiframeFlex.Flux2FlexGenerateRequest
        {
            Prompt = o.Prompt,
            Model = ApiframeFlex.ApiframeFlux2FlexClient.ModelId,
            FluxParams = new ApiframeFlex.Flux2FlexParams
            {
                AspectRatio = "9:16",
                InputImages = Images(o),
                Steps = o.Steps,
                Guidance = o.Guidance,
                Seed = o.Seed,
                OutputFormat = ApiframeFlex.OutputFormat.Png,
            },
        },
    };

    private static ValidationResult Validate(object request) => request switch
    {
        OxenPro.Flux2ProRequest r => r.Validate(),
        OxenFlex.Flux2FlexRequest r => r.Validate(),
        FalFlex.Flux2FlexInput r => r.Validate(),
        ApiframeFlex.Flux2FlexGenerateRequest r => r.Validate(),
        _ => throw new InvalidOperationException("unreachable: every request type is listed"),
    };

    /// <summary>Calls the model with its generated client and saves the image with the same client: a URL is downloaded (no key is sent with it), a data URI decoded.</summary>
    private static async Task<SavedFile> GenerateAndSaveAsync(SampleOptions o, object request, HttpClient http, SchemaClientOptions clientOptions, IProgress<QueueProgress> progress, CancellationToken cancellationToken)
    {
        switch (request)
        {
            case FalFlex.Flux2FlexInput input:
                {
                    var client = new FalFlex.FalFlux2FlexClient(http, clientOptions);
                    FalQueuedRequest submitted = await client.SubmitAsync(input, null, cancellationToken);
                    Status.Say($"Queued on fal as {submitted.RequestId}.");
                    try
                    {
                        await client.WaitAsync(submitted, progress, cancellationToken);
                    }
                    catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                    {
                        // Ctrl+C: the request would still run, and be billed. fal documents cancelling a queued request.
                        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                        FalCancelResult cancelled = await client.CancelAsync(submitted, grace.Token);
                        Status.Say($"Asked fal to cancel {submitted.RequestId}: {cancelled.Outcome}.");
                        throw;
                    }
                    FalFlex.Flux2FlexOutput output = await client.GetResultAsync(submitted, cancellationToken);
                    string url = output.Images is [{ Url: { } first }, ..] ? first : throw new InvalidOperationException("fal's output has no image URL.");
                    return await client.SaveAsync(Announce(url), o.Out, null, cancellationToken);
                }

            case OxenPro.Flux2ProRequest pro:
                {
                    var client = new OxenPro.OxenFlux2ProClient(http, clientOptions);
                    OxenGeneration done = await WhenCancelledSayOxenRuns(() => client.EnqueueAndWaitAsync(pro, progress, cancellationToken), cancellationToken);
                    return await client.SaveAsync(Announce(ResultUrl(done).AbsoluteUri), o.Out, null, cancellationToken);
                }

            case OxenFlex.Flux2FlexRequest flex:
                {
                    var client = new OxenFlex.OxenFlux2FlexClient(http, clientOptions);
                    OxenGeneration done = await WhenCancelledSayOxenRuns(() => client.EnqueueAndWaitAsync(flex, progress, cancellationToken), cancellationToken);
                    return await client.SaveAsync(Announce(ResultUrl(done).AbsoluteUri), o.Out, null, cancellationToken);
                }

            default:
                {
                    var client = new ApiframeFlex.ApiframeFlux2FlexClient(http, clientOptions);
                    ApiframeJob job = await client.GenerateAsync((ApiframeFlex.Flux2FlexGenerateRequest)request, null, cancellationToken);
                    Status.Say($"Queued on apiframe as job {job.Id}.");
                    ApiframeJob done;
                    try
                    {
                        done = await client.WaitAsync(job.Id, progress, cancellationToken);
                    }
                    catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                    {
                        Status.Say($"apiframe documents no cancellation: job {job.Id} keeps running at apiframe.");
                        throw;
                    }

                    if (done.State != ApiframeJobState.Completed)
                    {
                        throw new QueueJobFailedException("apiframe", done.Id, done.Status ?? "(no status)", done.Error);
                    }

                    Uri url = done.ResultUrls.Count > 0 ? done.ResultUrls[0] : throw new InvalidOperationException("apiframe's job " + done.Id + " completed without an image URL.");
                    return await client.SaveAsync(Announce(url.AbsoluteUri), o.Out, null, cancellationToken);
                }
        }
    }

    /// <summary>Oxen's queue is waited on; this client has no Oxen cancel yet, so a Ctrl+C says the generation goes on.</summary>
    private static async Task<OxenGeneration> WhenCancelledSayOxenRuns(Func<Task<OxenGeneration>> wait, CancellationToken cancellationToken)
    {
        try
        {
            return await wait();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Status.Say("Stopped waiting; the generation keeps running at Oxen (this sample does not cancel Oxen jobs).");
            throw;
        }
    }

    private static Uri ResultUrl(OxenGeneration done) => done.ResultUrl ?? throw new InvalidOperationException("Oxen reported success without a result_url.");

    private static string Announce(string image)
    {
        Status.Finish(); // the wait is over
        Status.Say(DataUri.IsDataUri(image) ? $"Saving the image fal sent inline ({image.Length.ToString("N0", CultureInfo.InvariantCulture)} characters of data URI)" : $"Downloading {image}");
        return image;
    }

    private static async Task<ProviderEmulator> StartEmulatorAsync(CancellationToken cancellationToken)
    {
        // The repository's schemas/ when run from a clone; else the copies built into the emulator, so a published or
        // native sample runs anywhere.
        string? root = EmulatorOptions.FindRoot(Environment.CurrentDirectory, AppContext.BaseDirectory);
        return await ProviderEmulator.StartAsync(new EmulatorOptions { Root = root }, cancellationToken);
    }
}

using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SchemaClients.Clients;
using SchemaClients.Emulator;
using SchemaClients.Http;
using SchemaClients.Runtime.Tests.Schemas.Apiframe.Flux2Flex;
using SchemaClients.Runtime.Tests.Schemas.Fal.Flux2Flex;
using SchemaClients.Runtime.Tests.Schemas.Oxen.Flux2Flex;
using SchemaClients.Validation;
using Xunit;
using ApiframeFlex = SchemaClients.Runtime.Tests.Schemas.Apiframe.Flux2Flex;
using FalFlex = SchemaClients.Runtime.Tests.Schemas.Fal.Flux2Flex;
using OxenFlex = SchemaClients.Runtime.Tests.Schemas.Oxen.Flux2Flex;
using OxenPro = SchemaClients.Runtime.Tests.Schemas.Oxen.Flux2Pro;

namespace SchemaClients.Runtime.Tests;

/// <summary>
/// The generated clients (from schemas/, compiled into this project by the generator) against the emulator over
/// loopback: every transport of every provider, faults, cancellation, concurrency, DI, and the key's secrecy.
/// </summary>
public sealed class ClientTests : IAsyncLifetime
{
    private const string Secret = "sk-live-7f3a9c1e5b2d4f60";
    private static readonly RetryOptions Fast = new() { MaxRetries = 3, BaseDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromSeconds(2) };
    private static readonly byte[] PngSignature = { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A };

    private ProviderEmulator _emulator = null!;
    private HttpClient _http = null!;

    private static string Root => SchemaClients.Testing.TestRepository.Root;

    public async Task InitializeAsync()
    {
        _emulator = await ProviderEmulator.StartAsync(new EmulatorOptions
        {
            Root = Root,
            QueueTime = TimeSpan.FromMilliseconds(600),
            RunTime = TimeSpan.FromMilliseconds(600),
            Keys = new Dictionary<string, string> { ["fal"] = Secret, ["oxen"] = Secret, ["apiframe"] = Secret },
        });
        _http = new HttpClient();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _emulator.DisposeAsync();
    }

    private SchemaClientOptions Options(string provider, Action<SchemaClientOptions>? change = null)
    {
        SchemaClientOptions options = OptionsFor(_emulator, provider);
        change?.Invoke(options);
        return options;
    }

    /// <summary>The tests' options for a provider of <paramref name="emulator"/>: fast retries, 100 ms polls.</summary>
    private static SchemaClientOptions OptionsFor(ProviderEmulator emulator, string provider)
    {
        SchemaClientOptions options = emulator.OptionsFor(provider);
        options.Retry = Fast;
        options.PollInterval = TimeSpan.FromMilliseconds(100);
        return options;
    }

    /// <summary>A value the compile-time analyzer cannot see (it rejects bad constants before these tests could run).</summary>
    private static T AtRunTime<T>(T value) => value;

    private static CancellationToken Within(int seconds) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    private static FalFlex.Flux2FlexInput FalInput(long seed = 7) => new()
    {
        Prompt = "a poster reading SUMMER SALE",
        NumInferenceSteps = 28,
        Seed = seed,
        ImageSize = FalFlex.ImageSizeEnum.Portrait16_9,
        OutputFormat = FalFlex.OutputFormat.Png,
    };

    private static OxenFlex.Flux2FlexRequest OxenInput(long seed = 7) => new()
    {
        Prompt = "a poster reading SUMMER SALE",
        NumInferenceSteps = 28,
        Seed = seed,
        AspectRatio = OxenFlex.AspectRatio.Ratio16x9,
    };

    private async Task AssertPngAsync(Func<Stream, Task<long>> download)
    {
        using var buffer = new MemoryStream();
        long written = await download(buffer);
        Assert.True(written > PngSignature.Length, "the download wrote " + written + " bytes");
        Assert.Equal(PngSignature, buffer.ToArray().Take(8).ToArray());
    }

    // ---------------------------------------------------------------- fal

    [Fact]
    public async Task FalSyncRunReturnsTypedOutputWhoseImageDownloadsToAFile()
    {
        var client = new FalFlex.FalFlux2FlexClient(_http, Options("fal"));
        FalFlex.Flux2FlexOutput output = await client.RunAsync(FalInput(seed: 11), Within(10));

        // The emulator answers like fal's page: {"images": [{"url"}]}, without the seed the schema calls required.
        Assert.Null(output.Seed);
        Assert.Equal("$.seed", Assert.Single(output.Validate().Violations).Path);
        Uri url = new(Assert.Single(output.Images!).Url!);
        string path = Path.Combine(Path.GetTempPath(), "schemaclients-" + Guid.NewGuid().ToString("N") + ".png");
        try
        {
            long written = await client.DownloadToFileAsync(url, path, Within(10));
            Assert.Equal(written, new FileInfo(path).Length);
            Assert.Equal(PngSignature, File.ReadAllBytes(path).Take(8).ToArray());
            Assert.Empty(Directory.GetFiles(Path.GetTempPath(), "." + Path.GetFileName(path) + ".*.tmp"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task FalQueueSubmitStatusWaitWithProgressAndTypedResult()
    {
        // Its own emulator with a queue time long enough that the first poll sees IN_QUEUE even on a loaded machine
        // (with the shared 600 ms, a busy CI could poll first after the job had left the queue).
        await using ProviderEmulator emulator = await ProviderEmulator.StartAsync(new EmulatorOptions
        {
            Root = Root,
            QueueTime = TimeSpan.FromSeconds(2),
            RunTime = TimeSpan.FromMilliseconds(800),
            Keys = new Dictionary<string, string> { ["fal"] = Secret },
        });
        SchemaClientOptions options = OptionsFor(emulator, "fal");
        var client = new FalFlex.FalFlux2FlexClient(_http, options);
        FalQueuedRequest submitted = await client.SubmitAsync(FalInput(), Within(10));
        Assert.Null(submitted.Status); // fal's documented submit answer has no status
        Assert.NotNull(submitted.StatusUrl);

        FalQueueStatus status = await client.GetStatusAsync(submitted, logs: true, Within(10));
        Assert.Equal(submitted.RequestId, status.RequestId);

        var progress = new Recorder<QueueProgress>();
        FalQueueStatus done = await client.WaitAsync(submitted, progress, Within(10));
        Assert.True(done.IsCompleted);
        Assert.Contains(progress.Items, p => p.Status == "IN_QUEUE" && p.QueuePosition != null);
        Assert.Contains(progress.Items, p => p.Status == "IN_PROGRESS" && p.Log != null && p.Log.StartsWith("step ", StringComparison.Ordinal));
        Assert.Equal("COMPLETED", progress.Items[^1].Status);

        Assert.NotNull(done.InferenceTime);
        FalFlex.Flux2FlexOutput output = await client.GetResultAsync(submitted, Within(10));
        await AssertPngAsync(stream => client.DownloadAsync(new Uri(output.Images![0].Url!), stream, Within(10)));
        Assert.All(emulator.Received.Where(r => r.Path.Contains(submitted.RequestId, StringComparison.Ordinal) && !r.Path.StartsWith("/files/", StringComparison.Ordinal)), r => Assert.StartsWith("/queue/fal-ai/flux-2-flex/requests/", r.Path, StringComparison.Ordinal));
    }

    [Fact]
    public async Task FalSubmitAndWaitReturnsTheOutput()
    {
        var client = new FalFlex.FalFlux2FlexClient(_http, Options("fal"));
        var progress = new Recorder<QueueProgress>();
        FalFlex.Flux2FlexOutput output = await client.SubmitAndWaitAsync(FalInput(seed: 99), progress, Within(10));
        Assert.NotEmpty(output.Images!);
        Assert.NotEmpty(progress.Items);
    }

    [Fact]
    public async Task FalCancelStopsAQueuedRequestAndItsResultIsThenAnError()
    {
        var client = new FalFlex.FalFlux2FlexClient(_http, Options("fal"));
        FalQueuedRequest submitted = await client.SubmitAsync(FalInput(), Within(10));
        FalCancelResult cancelled = await client.CancelAsync(submitted, Within(10));
        Assert.Equal(FalCancelOutcome.CancellationRequested, cancelled.Outcome);
        Assert.Equal(HttpStatusCode.Accepted, cancelled.StatusCode);

        ProviderApiException error = await Assert.ThrowsAsync<ProviderApiException>(() => client.GetResultAsync(submitted, Within(10)));
        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Contains("cancelled", error.BodyExcerpt, StringComparison.Ordinal);

        // Too late and unknown are answers too (400 ALREADY_COMPLETED, 404 NOT_FOUND), not exceptions.
        FalQueuedRequest finished = await client.SubmitAsync(FalInput(), Within(10));
        await client.WaitAsync(finished, null, Within(10));
        Assert.Equal(FalCancelOutcome.AlreadyCompleted, (await client.CancelAsync(finished, Within(10))).Outcome);
        Assert.Equal(FalCancelOutcome.NotFound, (await client.CancelAsync("no-such-request", Within(10))).Outcome);
    }

    [Fact]
    public async Task FalStatusStreamYieldsEachChangeUntilCompleted()
    {
        var client = new FalFlex.FalFlux2FlexClient(_http, Options("fal"));
        FalQueuedRequest submitted = await client.SubmitAsync(FalInput(), Within(10));
        var states = new List<FalRequestState>();
        await foreach (FalQueueStatus status in client.StreamStatusAsync(submitted, logs: true, Within(10)))
        {
            states.Add(status.State);
        }

        Assert.Equal(FalRequestState.Completed, states[^1]);
        Assert.Contains(FalRequestState.InProgress, states);
        Assert.Contains(_emulator.Received, r => r.Path.EndsWith("/requests/" + submitted.RequestId + "/status/stream", StringComparison.Ordinal) && r.Query.Contains("logs=1", StringComparison.Ordinal));
        Assert.NotEmpty((await client.GetResultAsync(submitted, Within(10))).Images!);
    }

    [Fact]
    public async Task FalWebhookGetsTheOutcomeWhileTheSubmitAnswerIsOnlyTheIds()
    {
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var receiver = await WebhookReceiver.StartAsync(body => received.TrySetResult(body));
        var client = new FalFlex.FalFlux2FlexClient(_http, Options("fal"));
        FalQueuedRequest submitted = await client.SubmitAsync(FalInput(), receiver.Url, Within(10));

        Assert.Null(submitted.StatusUrl);
        Assert.NotNull(submitted.GatewayRequestId);
        Assert.Contains(_emulator.Received, r => r.Path == "/queue/fal-ai/flux-2-flex" && r.Query.Contains("fal_webhook=" + Uri.EscapeDataString(receiver.Url.AbsoluteUri), StringComparison.Ordinal));
        string webhook = await received.Task.WaitAsync(TimeSpan.FromSeconds(10));
        using JsonDocument document = JsonDocument.Parse(webhook);
        Assert.Equal(submitted.RequestId, document.RootElement.GetProperty("request_id").GetString());
        Assert.Equal("OK", document.RootElement.GetProperty("status").GetString());
        Assert.True(document.RootElement.GetProperty("payload").TryGetProperty("images", out _));
        Assert.True((await client.GetStatusAsync(submitted, false, Within(10))).IsCompleted); // built from the id: no status_url came back
    }

    // ---------------------------------------------------------------- Oxen

    [Fact]
    public async Task OxenSyncEditAnswersJsonWhoseFileUrlIsFoundAndDownloaded()
    {
        var client = new OxenFlex.OxenFlux2FlexClient(_http, Options("oxen"));
        JsonElement answer = await client.GenerateAsync(OxenInput(), Within(10));
        Uri url = Assert.Single(ResultFiles.FindUrls(answer));
        await AssertPngAsync(stream => client.DownloadAsync(url, stream, Within(10)));
    }

    [Fact]
    public async Task OxenQueuePollsThroughItsStatusesToTheResult()
    {
        var client = new OxenFlex.OxenFlux2FlexClient(_http, Options("oxen"));
        var progress = new Recorder<QueueProgress>();
        OxenGeneration done = await client.EnqueueAndWaitAsync(OxenInput(), progress, Within(10));

        Assert.True(done.Succeeded);
        Assert.Equal(new[] { "queued", "processing", "succeeded" }, progress.Items.Select(p => p.Status).ToArray());
        await AssertPngAsync(stream => client.DownloadAsync(done.ResultUrl!, stream, Within(10)));
        Assert.Equal("succeeded", (await client.GetGenerationAsync(done.GenerationId, Within(10))).Status);
    }

    [Fact]
    public async Task OxenProSendsItsOwnModelIdAndIsValidatedByItsOwnSchema()
    {
        // The emulator picks the schema by the body's "model": the pro client must put "flux-2-pro" there.
        var client = new OxenPro.OxenFlux2ProClient(_http, Options("oxen"));
        OxenGeneration queued = (await client.EnqueueAsync(new OxenPro.Flux2ProRequest { Prompt = "a poster", Seed = 3 }, Within(10))).First;
        Assert.Equal("queued", queued.Status);
        Assert.Equal("flux-2-pro", OxenPro.OxenFlux2ProClient.ModelId);
    }

    [Fact]
    public async Task OxenEventStreamFindsTheCompletionEventOfAGeneration()
    {
        var client = new OxenFlex.OxenFlux2FlexClient(_http, Options("oxen"));
        OxenGeneration queued = (await client.EnqueueAsync(OxenInput(seed: 5), Within(10))).First;
        OxenGeneration completed = await client.WaitForCompletionEventAsync(queued.GenerationId, Within(10));

        // The emulator's event carries only generation_id, as the model pages show: the result URL comes from the generation.
        Assert.Equal(queued.GenerationId, completed.GenerationId);
        Assert.True(completed.Succeeded);
        Assert.NotNull(completed.ResultUrl);
        await AssertPngAsync(stream => client.DownloadAsync(completed.ResultUrl!, stream, Within(10)));
    }

    [Fact]
    public async Task OxenEventStreamAsAsyncEnumerableYieldsCompletions()
    {
        var client = new OxenFlex.OxenFlux2FlexClient(_http, Options("oxen"));
        OxenGeneration queued = (await client.EnqueueAsync(OxenInput(seed: 6), Within(10))).First;
        await foreach (OxenGeneration generation in client.StreamCompletionsAsync(Within(10)))
        {
            if (generation.GenerationId == queued.GenerationId)
            {
                Assert.Null(generation.Status); // only the id, as documented
                Assert.True((await client.GetGenerationAsync(generation.GenerationId, Within(10))).Succeeded);
                return;
            }
        }

        Assert.Fail("the stream ended without the generation's completion event");
    }

    [Fact]
    public async Task OxenModelObjectIsTheCheckedInOne()
    {
        var client = new OxenFlex.OxenFlux2FlexClient(_http, Options("oxen"));
        JsonElement model = await client.GetModelAsync(Within(10));
        using JsonDocument checkedIn = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "schemas", "oxen", "flux-2-flex.json")));
        Assert.True(JsonRules.DeepEquals(checkedIn.RootElement, model));
        Assert.True(model.TryGetProperty("json_request_schema", out _));
    }

    // ---------------------------------------------------------------- apiframe

    private static ApiframeFlex.Flux2FlexGenerateRequest ApiframeInput(int steps = 30) => new()
    {
        Prompt = "a poster reading SUMMER SALE",
        Model = ApiframeFlex.ApiframeFlux2FlexClient.ModelId,
        FluxParams = new ApiframeFlex.Flux2FlexParams { AspectRatio = "9:16", Steps = steps, Guidance = 4.5, Seed = 21, OutputFormat = ApiframeFlex.OutputFormat.Png },
    };

    [Fact]
    public async Task ApiframeGenerateAnswersAJobThatIsPolledWithProgressToItsImage()
    {
        // Its own emulator with a run time long enough that a poll lands while the job is PROCESSING on a loaded
        // machine (the shared 600 ms was missed once in CI, next to the 200-call concurrency test).
        await using ProviderEmulator emulator = await ProviderEmulator.StartAsync(new EmulatorOptions
        {
            Root = Root,
            QueueTime = TimeSpan.FromMilliseconds(600),
            RunTime = TimeSpan.FromSeconds(2.5),
            Keys = new Dictionary<string, string> { ["apiframe"] = Secret },
        });
        SchemaClientOptions options = OptionsFor(emulator, "apiframe");
        var client = new ApiframeFlex.ApiframeFlux2FlexClient(_http, options);
        ApiframeJob job = await client.GenerateAsync(ApiframeInput(), Within(10));
        Assert.Equal(ApiframeJobState.Queued, job.State);
        Assert.Empty(job.ResultUrls);

        var progress = new Recorder<QueueProgress>();
        ApiframeJob done = await client.WaitAsync(job.Id, progress, Within(10));
        Assert.Equal(ApiframeJobState.Completed, done.State);
        Assert.Equal(100, done.Progress);
        // Reported on each change, in order; a slow first poll under load may miss QUEUED, never the rest.
        string[] order = { "QUEUED", "PROCESSING", "COMPLETED" };
        int[] seen = progress.Items.Select(p => Array.IndexOf(order, p.Status)).ToArray();
        Assert.Equal(seen.OrderBy(i => i), seen);
        Assert.Equal(2, seen[^1]);
        Assert.Contains(progress.Items, p => p.Status == "PROCESSING" && p.Percent is >= 0 and < 100);
        int?[] percents = progress.Items.Select(p => p.Percent).ToArray();
        Assert.Equal(percents.OrderBy(p => p), percents);
        await AssertPngAsync(stream => client.DownloadAsync(Assert.Single(done.ResultUrls), stream, Within(10)));
        ReceivedRequest[] generates = emulator.Received.Where(r => r.Method == "POST" && r.Path == "/v2/images/generate").ToArray();
        Assert.All(generates, r => Assert.True(Guid.TryParse(r.IdempotencyKey, out _), "not a GUID: " + r.IdempotencyKey));
    }

    [Fact]
    public async Task AnApiframeJobThatFailsEndsInTheDocumentedExceptionWithItsError()
    {
        var client = new ApiframeFlex.ApiframeFlux2FlexClient(_http, Options("apiframe"));
        _emulator.FailNext("/v2/images/generate", Fault.JobFails);
        QueueJobFailedException e = await Assert.ThrowsAsync<QueueJobFailedException>(() => client.GenerateAndWaitAsync(ApiframeInput(), null, Within(10)));
        Assert.Equal("FAILED", e.Status);
        Assert.Contains("the model returned no image", e.Reason, StringComparison.Ordinal);
        Assert.Contains("the model returned no image", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApiframeResultReadsAsImagesObjectToo()
    {
        await using ProviderEmulator other = await ProviderEmulator.StartAsync(new EmulatorOptions
        {
            Root = Root,
            QueueTime = TimeSpan.FromMilliseconds(200),
            RunTime = TimeSpan.FromMilliseconds(200),
            ApiframeResultAsImages = true,
        });
        SchemaClientOptions options = other.OptionsFor("apiframe");
        options.PollInterval = TimeSpan.FromMilliseconds(50);
        var client = new ApiframeFlex.ApiframeFlux2FlexClient(_http, options);
        ApiframeJob done = await client.GenerateAndWaitAsync(ApiframeInput(), null, Within(10));
        Assert.Equal(JsonValueKind.Object, done.Result.ValueKind);
        await AssertPngAsync(stream => client.DownloadAsync(Assert.Single(done.ResultUrls), stream, Within(10)));
    }

    // ---------------------------------------------------------------- Oxen queue parameters and deferred validation

    [Fact]
    public async Task OxenEnqueueWithNumGenerationsReturnsEveryIdAndTheWaitFollowsThemAll()
    {
        var client = new OxenFlex.OxenFlux2FlexClient(_http, Options("oxen"));
        OxenQueueSubmission queued = await client.EnqueueAsync(OxenInput(), new OxenQueueOptions { NumGenerations = 3, TargetNamespace = "my-team" }, Within(10));
        Assert.Equal(3, queued.GenerationIds.Count);
        Assert.Equal(3, queued.GenerationIds.Distinct().Count());

        var progress = new Recorder<QueueProgress>();
        IReadOnlyList<OxenGeneration> done = await client.WaitAllAsync(queued.GenerationIds, progress, Within(10));
        Assert.Equal(queued.GenerationIds, done.Select(g => g.GenerationId));
        Assert.All(done, g => Assert.True(g.Succeeded));
        Assert.Equal(queued.GenerationIds.OrderBy(i => i), progress.Items.Select(p => p.JobId!).Distinct().OrderBy(i => i));

        await Assert.ThrowsAsync<SchemaValidationException>(() => client.EnqueueAsync(OxenInput(), new OxenQueueOptions { NumGenerations = AtRunTime(5) }, Within(10)));
        await Assert.ThrowsAsync<SchemaValidationException>(() => client.EnqueueAsync(OxenInput(), new OxenQueueOptions { NumGenerations = AtRunTime(0) }, Within(10)));
    }

    [Fact]
    public async Task OxenValidatesModelParametersOnlyWhenTheGenerationRunsSoTheClientIsTheEarlyCheck()
    {
        var strict = new OxenFlex.OxenFlux2FlexClient(_http, Options("oxen"));
        int before = _emulator.CountOf("POST", "/api/ai/queue");
        await Assert.ThrowsAsync<SchemaValidationException>(() => strict.EnqueueAsync(OxenInput() with { NumInferenceSteps = AtRunTime(51) }, Within(10)));
        Assert.Equal(before, _emulator.CountOf("POST", "/api/ai/queue"));

        // Without the client's check Oxen takes the request and the generation fails later, with the reason.
        var loose = new OxenFlex.OxenFlux2FlexClient(_http, Options("oxen", o => o.ValidateBeforeSend = false));
        QueueJobFailedException e = await Assert.ThrowsAsync<QueueJobFailedException>(() => loose.EnqueueAndWaitAsync(OxenInput() with { NumInferenceSteps = AtRunTime(51) }, null, Within(10)));
        Assert.Equal("failed", e.Status);
        Assert.Contains("num_inference_steps", e.Reason, StringComparison.Ordinal);
    }

    // ---------------------------------------------------------------- validation before sending

    [Fact]
    public async Task InvalidRequestsNeverReachTheWire()
    {
        var fal = new FalFlex.FalFlux2FlexClient(_http, Options("fal"));
        var oxen = new OxenFlex.OxenFlux2FlexClient(_http, Options("oxen"));
        var apiframe = new ApiframeFlex.ApiframeFlux2FlexClient(_http, Options("apiframe"));
        int before = _emulator.RequestCount;

        SchemaValidationException falError = await Assert.ThrowsAsync<SchemaValidationException>(() => fal.SubmitAsync(FalInput() with { NumInferenceSteps = AtRunTime(0) }, Within(10)));
        await Assert.ThrowsAsync<SchemaValidationException>(() => apiframe.GenerateAndWaitAsync(ApiframeInput(steps: AtRunTime(51)), null, Within(10)));
        await Assert.ThrowsAsync<SchemaValidationException>(() => fal.RunAsync(FalInput() with { GuidanceScale = AtRunTime(99.0) }, Within(10)));
        await Assert.ThrowsAsync<SchemaValidationException>(() => oxen.EnqueueAsync(OxenInput() with { NumInferenceSteps = AtRunTime(51) }, Within(10)));
        await Assert.ThrowsAsync<SchemaValidationException>(() => oxen.GenerateAsync(OxenInput() with { OutputQuality = AtRunTime(101) }, Within(10)));
        await Assert.ThrowsAsync<SchemaValidationException>(() => apiframe.GenerateAsync(new ApiframeFlex.Flux2FlexGenerateRequest
        {
            Prompt = "p",
            Model = "flux-2-flex",
            FluxParams = new ApiframeFlex.Flux2FlexParams { Steps = AtRunTime(0) },
        }, Within(10)));

        Assert.Equal(before, _emulator.RequestCount);
        SchemaViolation violation = Assert.Single(falError.Violations);
        Assert.Equal("$.num_inference_steps", violation.Path);
        Assert.Equal("minimum", violation.Rule);
    }

    [Fact]
    public async Task WithValidationOffTheProviderAnswers422WithTheViolations()
    {
        var client = new FalFlex.FalFlux2FlexClient(_http, Options("fal", o => o.ValidateBeforeSend = false));
        int before = _emulator.ModelRequestCount;
        ProviderApiException error = await Assert.ThrowsAsync<ProviderApiException>(() => client.RunAsync(FalInput() with { NumInferenceSteps = AtRunTime(0) }, Within(10)));

        Assert.Equal(before + 1, _emulator.ModelRequestCount);
        Assert.Equal((HttpStatusCode)422, error.StatusCode);
        Assert.Contains("num_inference_steps", error.BodyExcerpt, StringComparison.Ordinal);
        Assert.Equal(1, error.Attempts); // 422 is never retried
    }

    // ---------------------------------------------------------------- faults

    [Fact]
    public async Task ABilledCallIsRetriedOnlyAfter429AndReadsAreRetriedAfterAnyTransientFault()
    {
        var client = new FalFlex.FalFlux2FlexClient(_http, Options("fal"));
        _emulator.FailNext("/fal-ai/flux-2-flex", Fault.TooManyRequests);
        int before = _emulator.CountOf("POST", "/fal-ai/flux-2-flex");
        var watch = Stopwatch.StartNew();
        Assert.NotEmpty((await client.RunAsync(FalInput(), Within(15))).Images!);
        Assert.Equal(2, _emulator.CountOf("POST", "/fal-ai/flux-2-flex") - before);
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(0.9), "Retry-After: 1 was not honoured: " + watch.Elapsed);

        FalQueuedRequest submitted = await client.SubmitAsync(FalInput(), Within(10));
        string status = "/queue/fal-ai/flux-2-flex/requests/" + submitted.RequestId + "/status";
        foreach (Fault fault in new[] { Fault.TooManyRequests, Fault.ServerError, Fault.DroppedConnection })
        {
            _emulator.FailNext(status, fault);
            before = _emulator.CountOf("GET", status);
            await client.GetStatusAsync(submitted, false, Within(15));
            Assert.Equal(2, _emulator.CountOf("GET", status) - before);
        }
    }

    [Fact]
    public async Task ABilledCallIsNeverSentTwiceAfterAServerErrorOrALostConnection()
    {
        var fal = new FalFlex.FalFlux2FlexClient(_http, Options("fal"));
        var oxen = new OxenFlex.OxenFlux2FlexClient(_http, Options("oxen"));
        int jobs = _emulator.JobCount;

        _emulator.FailNext("/queue/fal-ai/flux-2-flex", Fault.ServerError);
        int before = _emulator.CountOf("POST", "/queue/fal-ai/flux-2-flex");
        ProviderApiException server = await Assert.ThrowsAsync<ProviderApiException>(() => fal.SubmitAsync(FalInput(), Within(15)));
        Assert.Equal(HttpStatusCode.InternalServerError, server.StatusCode);
        Assert.Equal(1, server.Attempts);
        Assert.Equal(1, _emulator.CountOf("POST", "/queue/fal-ai/flux-2-flex") - before);

        _emulator.FailNext("/api/ai/queue", Fault.DroppedAfterBody);
        before = _emulator.CountOf("POST", "/api/ai/queue");
        HttpRequestException dropped = await Assert.ThrowsAsync<HttpRequestException>(() => oxen.EnqueueAsync(OxenInput(), Within(15)));
        Assert.Equal(1, _emulator.CountOf("POST", "/api/ai/queue") - before);
        Assert.Contains("was not sent again", dropped.Message, StringComparison.Ordinal);

        _emulator.FailNext("/fal-ai/flux-2-flex", Fault.SlowResponse);
        var slow = new FalFlex.FalFlux2FlexClient(_http, Options("fal", o => o.Retry = new RetryOptions { MaxRetries = 3, BaseDelay = TimeSpan.FromMilliseconds(10), AttemptTimeout = TimeSpan.FromMilliseconds(300) }));
        before = _emulator.CountOf("POST", "/fal-ai/flux-2-flex");
        await Assert.ThrowsAsync<TimeoutException>(() => slow.RunAsync(FalInput(), Within(15)));
        Assert.Equal(1, _emulator.CountOf("POST", "/fal-ai/flux-2-flex") - before);
        Assert.Equal(jobs, _emulator.JobCount); // no job was started by any of them
    }

    [Fact]
    public async Task AnApiframeGenerateAnswered500IsRetriedWithTheSameIdempotencyKeyAndMakesOneJob()
    {
        var client = new ApiframeFlex.ApiframeFlux2FlexClient(_http, Options("apiframe"));
        _emulator.FailNext("/v2/images/generate", Fault.ServerError);
        _emulator.FailNext("/v2/images/generate", Fault.DroppedAfterBody);
        int before = _emulator.Received.Count;
        ApiframeJob job = await client.GenerateAsync(ApiframeInput(), Within(15));
        ReceivedRequest[] attempts = _emulator.Received.Skip(before).Where(r => r.Path == "/v2/images/generate").ToArray();
        Assert.Equal(3, attempts.Length);
        Assert.Single(attempts.Select(a => a.IdempotencyKey).Distinct());
        Assert.NotNull(attempts[0].IdempotencyKey);

        // The same key again (a caller repeating the logical call) is the same job, not a second one.
        int jobs = _emulator.JobCount;
        ApiframeJob again = await client.GenerateAsync(ApiframeInput(), attempts[0].IdempotencyKey, Within(10));
        Assert.Equal(job.Id, again.Id);
        Assert.Equal(jobs, _emulator.JobCount);
    }

    [Fact]
    public async Task FaultsThatOutlastTheRetriesEndInTheDocumentedExceptions()
    {
        var client = new FalFlex.FalFlux2FlexClient(_http, Options("fal"));
        FalQueuedRequest submitted = await client.SubmitAsync(FalInput(), Within(10));
        string status = "/queue/fal-ai/flux-2-flex/requests/" + submitted.RequestId + "/status";
        _emulator.Faults[status] = Fault.ServerError;
        ProviderApiException server = await Assert.ThrowsAsync<ProviderApiException>(() => client.GetStatusAsync(submitted, false, Within(15)));
        Assert.Equal(HttpStatusCode.InternalServerError, server.StatusCode);
        Assert.Equal(4, server.Attempts);

        _emulator.Faults["/fal-ai/flux-2-flex"] = Fault.MalformedBody;
        ProviderApiException malformed = await Assert.ThrowsAsync<ProviderApiException>(() => client.RunAsync(FalInput(), Within(15)));
        Assert.Contains("not the expected JSON", malformed.Message, StringComparison.Ordinal);

        _emulator.Faults[status] = Fault.DroppedConnection;
        HttpRequestException dropped = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetStatusAsync(submitted, false, Within(15)));
        Assert.Contains("after 4 attempts", dropped.Message, StringComparison.Ordinal);

        _emulator.Faults[status] = Fault.SlowResponse;
        var slow = new FalFlex.FalFlux2FlexClient(_http, Options("fal", o => o.Retry = new RetryOptions { MaxRetries = 1, BaseDelay = TimeSpan.FromMilliseconds(10), AttemptTimeout = TimeSpan.FromMilliseconds(300) }));
        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAsync<TimeoutException>(() => slow.GetStatusAsync(submitted, false, Within(15)));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), "two 300 ms attempts took " + watch.Elapsed);
        _emulator.Faults.Clear();
    }

    [Fact]
    public async Task AnEventStreamThatKeepsEndingIsAnErrorNotAHang()
    {
        var client = new OxenFlex.OxenFlux2FlexClient(_http, Options("oxen"));
        OxenGeneration queued = (await client.EnqueueAsync(OxenInput(), Within(10))).First;
        _emulator.Faults["/api/events"] = Fault.StreamEndsEarly;
        try
        {
            var watch = Stopwatch.StartNew();
            await Assert.ThrowsAsync<EndOfStreamException>(() => client.WaitForCompletionEventAsync(queued.GenerationId, Within(10)));
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), watch.Elapsed.ToString());
        }
        finally
        {
            _emulator.Faults.Clear();
        }
    }

    [Fact]
    public async Task AnEventStreamThatEndsOnceIsReconnectedAndTheWaitEnds()
    {
        var client = new OxenFlex.OxenFlux2FlexClient(_http, Options("oxen"));
        OxenGeneration queued = (await client.EnqueueAsync(OxenInput(), Within(10))).First;
        _emulator.FailNext("/api/events", Fault.StreamEndsEarly);
        OxenGeneration done = await client.WaitForCompletionEventAsync(queued.GenerationId, Within(10));
        Assert.True(done.Succeeded);
    }

    [Fact]
    public async Task AWaitThatOutlastsWaitTimeoutIsATimeout()
    {
        var client = new OxenFlex.OxenFlux2FlexClient(_http, Options("oxen", o => o.WaitTimeout = TimeSpan.FromMilliseconds(300)));
        OxenGeneration queued = (await client.EnqueueAsync(OxenInput(), Within(10))).First;
        await Assert.ThrowsAsync<TimeoutException>(() => client.WaitAsync(queued.GenerationId, null, Within(10)));
    }

    [Fact]
    public async Task CancellationTakesEffectWithinASecondOnEveryKindOfWait()
    {
        // Its own emulator whose jobs stay queued for the whole test: with the shared 600 ms a loaded machine (or an
        // instrumented build) reached the last waits after the job had finished, and a wait that ends without being
        // cancelled proves nothing about cancellation.
        await using ProviderEmulator emulator = await ProviderEmulator.StartAsync(new EmulatorOptions
        {
            Root = Root,
            QueueTime = TimeSpan.FromMinutes(1),
            RunTime = TimeSpan.FromMinutes(1),
            Keys = new Dictionary<string, string> { ["fal"] = Secret, ["oxen"] = Secret },
        });
        var fal = new FalFlex.FalFlux2FlexClient(_http, OptionsFor(emulator, "fal"));
        var oxen = new OxenFlex.OxenFlux2FlexClient(_http, OptionsFor(emulator, "oxen"));
        FalQueuedRequest submitted = await fal.SubmitAsync(FalInput(), Within(10));
        OxenGeneration queued = (await oxen.EnqueueAsync(OxenInput(), Within(10))).First;
        emulator.Faults["/fal-ai/flux-2-flex"] = Fault.SlowResponse;
        var waits = new Dictionary<string, Func<CancellationToken, Task>>
        {
            ["fal wait"] = token => fal.WaitAsync(submitted, null, token),
            ["fal slow answer"] = token => fal.RunAsync(FalInput(), token),
            ["oxen poll"] = token => oxen.WaitAsync(queued.GenerationId, null, token),
            ["oxen event stream"] = token => oxen.WaitForCompletionEventAsync(queued.GenerationId, token),
        };

        try
        {
            foreach ((string name, Func<CancellationToken, Task> wait) in waits)
            {
                using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(150));
                var watch = Stopwatch.StartNew();
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait(cancel.Token));
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1.15), name + ": cancellation took " + watch.Elapsed);
            }
        }
        finally
        {
            emulator.Faults.Clear();
        }
    }

    // ---------------------------------------------------------------- concurrency

    [Fact]
    public async Task TwoHundredConcurrentCallsThroughOneClientAllSucceedAndReuseConnections()
    {
        // Answers with the seed (FullAnswers) tell each call its own answer came back.
        await using ProviderEmulator full = await ProviderEmulator.StartAsync(new EmulatorOptions { Root = Root, FullAnswers = true, SyncRunTime = TimeSpan.FromSeconds(1), Keys = new Dictionary<string, string> { ["fal"] = Secret } });
        SchemaClientOptions options = full.OptionsFor("fal");
        // A connection reset in a storm of 200 new connections is rare but real; against the emulator a repeated call
        // costs nothing, so billed calls may be retried here (this test is about concurrency, not billing).
        options.Retry = new RetryOptions { MaxRetries = Fast.MaxRetries, BaseDelay = Fast.BaseDelay, MaxDelay = Fast.MaxDelay, RetryBilledCalls = true };
        var client = new FalFlex.FalFlux2FlexClient(_http, options);
        int start = full.ConnectionCount;
        FalFlex.Flux2FlexOutput[] first = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => client.RunAsync(FalInput(seed: i), Within(60))));
        int afterFirst = full.ConnectionCount;
        FalFlex.Flux2FlexOutput[] second = await Task.WhenAll(Enumerable.Range(200, 200).Select(i => client.RunAsync(FalInput(seed: i), Within(60))));
        int afterSecond = full.ConnectionCount;

        Assert.Equal(Enumerable.Range(0, 400).Select(i => (long)i), first.Concat(second).Select(o => (long)o.Seed!));
        // HTTP/1.1 opens a connection per concurrent request; a second wave must reuse the pooled ones, not open as
        // many again. On a loaded machine the first wave may not reach 200 at once (96 connections seen once: calls
        // reused connections within the wave), and the second wave then needs up to 200 - 96 more on top of the pool.
        // The bound: at least half of the first wave's connections are reused, so a pool that reuses nothing (200
        // new) always fails it.
        // Each call takes the emulator's sync run time (1 s): calls sent in parallel are all in flight at once,
        // calls sent one at a time (a client that serialized its sends) never more than one.
        Assert.True(full.PeakInFlight >= 100, "the emulator saw at most " + full.PeakInFlight + " of 200 concurrent calls in flight at once");
        int firstWave = afterFirst - start;
        Assert.InRange(firstWave, 1, 200);
        Assert.InRange(afterSecond - afterFirst, 0, 200 - (firstWave / 2));
        File.WriteAllText(
            Path.Combine(ReportDirectory(), "client-concurrency.txt"),
            "2 waves of 200 concurrent fal RunAsync calls through one generated client: 400 succeeded; first wave opened "
            + (afterFirst - start) + " TCP connections, second wave opened " + (afterSecond - afterFirst) + " more; at most " + full.PeakInFlight + " calls in flight at once\n");
    }

    private static string ReportDirectory()
    {
        string path = Path.Combine(Root, "artifacts", "test-reports");
        Directory.CreateDirectory(path);
        return path;
    }

    // ---------------------------------------------------------------- options, DI, secrecy

    [Fact]
    public async Task TheKeyComesFromTheEnvironmentVariableWhenOptionsHaveNone()
    {
        string variable = "SCHEMACLIENTS_TEST_KEY_" + Guid.NewGuid().ToString("N");
        SchemaClientOptions options = Options("fal", o => { o.ApiKey = null; o.ApiKeyEnvironmentVariable = variable; });

        InvalidOperationException missing = Assert.Throws<InvalidOperationException>(() => new FalFlex.FalFlux2FlexClient(_http, options));
        Assert.Contains(variable, missing.Message, StringComparison.Ordinal);

        Environment.SetEnvironmentVariable(variable, Secret);
        try
        {
            var client = new FalFlex.FalFlux2FlexClient(_http, options);
            Assert.NotEmpty((await client.RunAsync(FalInput(), Within(10))).Images!);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }

        Assert.Equal("FAL_KEY", FalFlex.FalFlux2FlexClient.Description.Auth.EnvironmentVariable);
        Assert.Equal("OXEN_API_KEY", OxenFlex.OxenFlux2FlexClient.Description.Auth.EnvironmentVariable);
        Assert.Equal("APIFRAME_API_KEY", ApiframeFlex.ApiframeFlux2FlexClient.Description.Auth.EnvironmentVariable);
    }

    [Fact]
    public async Task DependencyInjectionGivesClientsFromTheFactoryWithNamedOptions()
    {
        var counter = new CountingHandler();
        var services = new ServiceCollection();
        services.AddFalFlux2FlexClient(o => { _emulator.Configure(o, "fal"); o.Retry = Fast; o.PollInterval = TimeSpan.FromMilliseconds(100); })
            .AddHttpMessageHandler(() => counter);
        services.AddOxenFlux2FlexClient(o => _emulator.Configure(o, "oxen"));
        using ServiceProvider provider = services.BuildServiceProvider();

        var fal = provider.GetRequiredService<FalFlex.FalFlux2FlexClient>();
        var oxen = provider.GetRequiredService<OxenFlex.OxenFlux2FlexClient>();
        Assert.Equal(new Uri(_emulator.BaseUrl), fal.BaseAddress);
        Assert.NotEmpty((await fal.SubmitAndWaitAsync(FalInput(), null, Within(10))).Images!);
        Assert.Equal("queued", (await oxen.EnqueueAsync(OxenInput(), Within(10))).First.Status);
        Assert.True(counter.Count >= 3, "the fal calls did not go through the factory's handler: " + counter.Count);
    }

    [Fact]
    public async Task OptionsAreCheckedWhenAClientIsMadeAndAtStartUpInDependencyInjection()
    {
        ArgumentOutOfRangeException retries = Assert.Throws<ArgumentOutOfRangeException>(() => new FalFlex.FalFlux2FlexClient(_http, Options("fal", o => o.Retry = new RetryOptions { MaxRetries = -1 })));
        Assert.Equal("MaxRetries", retries.ParamName);
        ArgumentOutOfRangeException wait = Assert.Throws<ArgumentOutOfRangeException>(() => new OxenFlex.OxenFlux2FlexClient(_http, Options("oxen", o => o.WaitTimeout = TimeSpan.Zero)));
        Assert.Equal("WaitTimeout", wait.ParamName);
        ArgumentOutOfRangeException poll = Assert.Throws<ArgumentOutOfRangeException>(() => new ApiframeFlex.ApiframeFlux2FlexClient(_http, Options("apiframe", o => o.PollInterval = TimeSpan.FromSeconds(-1))));
        Assert.Equal("PollInterval", poll.ParamName);
        ArgumentException address = Assert.Throws<ArgumentException>(() => new FalFlex.FalFlux2FlexClient(_http, Options("fal", o => o.QueueBaseAddress = new Uri("ftp://example.com/"))));
        Assert.Equal("QueueBaseAddress", address.ParamName);

        var services = new ServiceCollection();
        services.AddFalFlux2FlexClient(o => { _emulator.Configure(o, "fal"); o.Retry = new RetryOptions { MaxRetries = -2 }; });
        services.AddOxenFlux2FlexClient(o => { _emulator.Configure(o, "oxen"); o.Retry = new RetryOptions { MaxRetries = 0 }; });
        await using ServiceProvider provider = services.BuildServiceProvider();
        // what a host runs when it starts: the fal registration stops it, naming the option
        OptionsValidationException startup = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<Microsoft.Extensions.Options.IStartupValidator>().Validate());
        Assert.Contains("RetryOptions.MaxRetries cannot be negative", startup.Message, StringComparison.Ordinal);
        Assert.Contains(FalFlex.FalFlux2FlexClient.Description.Provider, string.Join(" ", startup.Failures), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("oxen", startup.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<FalFlex.FalFlux2FlexClient>());

        // MaxRetries = 0 is one attempt: a 500 to a repeatable GET is not tried again
        var oxen = provider.GetRequiredService<OxenFlex.OxenFlux2FlexClient>();
        int before = _emulator.RequestCount;
        _emulator.Faults["/api/ai/models/flux-2-flex"] = Fault.ServerError;
        try
        {
            ProviderApiException once = await Assert.ThrowsAsync<ProviderApiException>(() => oxen.GetModelAsync(Within(10)));
            Assert.Equal(1, once.Attempts);
            Assert.Equal(1, _emulator.RequestCount - before);
        }
        finally
        {
            _emulator.Faults.Clear();
        }
    }

    private sealed class CountingHandler : DelegatingHandler
    {
        private int _count;

        public int Count => _count;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _count);
            return base.SendAsync(request, cancellationToken);
        }
    }
}

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
        SchemaClientOptions options = _emulator.OptionsFor(provider);
        options.Retry = Fast;
        options.PollInterval = TimeSpan.FromMilliseconds(100);
        change?.Invoke(options);
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
        AspectRatio = OxenFlex.AspectRatio._16_9,
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
        var client = new FalFlex.Flux2FlexClient(_http, Options("fal"));
        FalFlex.Flux2FlexOutput output = await client.RunAsync(FalInput(seed: 11), Within(10));

        Assert.Equal(11, output.Seed);
        Uri url = new(Assert.Single(output.Images).Url);
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
        var client = new FalFlex.Flux2FlexClient(_http, Options("fal"));
        FalQueueStatus submitted = await client.SubmitAsync(FalInput(), Within(10));
        Assert.Equal("IN_QUEUE", submitted.Status);
        Assert.NotNull(submitted.QueuePosition);

        FalQueueStatus status = await client.GetStatusAsync(submitted.RequestId, logs: true, Within(10));
        Assert.Equal(submitted.RequestId, status.RequestId);

        var progress = new Recorder<QueueProgress>();
        FalQueueStatus done = await client.WaitAsync(submitted.RequestId, progress, Within(10));
        Assert.True(done.IsCompleted);
        Assert.Contains(progress.Items, p => p.Status == "IN_QUEUE" && p.QueuePosition != null);
        Assert.Contains(progress.Items, p => p.Status == "IN_PROGRESS" && p.Log != null && p.Log.StartsWith("step ", StringComparison.Ordinal));
        Assert.Equal("COMPLETED", progress.Items[^1].Status);

        FalFlex.Flux2FlexOutput output = await client.GetResultAsync(submitted.RequestId, Within(10));
        await AssertPngAsync(stream => client.DownloadAsync(new Uri(output.Images[0].Url), stream, Within(10)));
    }

    [Fact]
    public async Task FalSubmitAndWaitReturnsTheOutput()
    {
        var client = new FalFlex.Flux2FlexClient(_http, Options("fal"));
        var progress = new Recorder<QueueProgress>();
        FalFlex.Flux2FlexOutput output = await client.SubmitAndWaitAsync(FalInput(seed: 99), progress, Within(10));
        Assert.Equal(99, output.Seed);
        Assert.NotEmpty(progress.Items);
    }

    [Fact]
    public async Task FalCancelStopsAQueuedRequestAndItsResultIsThenAnError()
    {
        var client = new FalFlex.Flux2FlexClient(_http, Options("fal"));
        FalQueueStatus submitted = await client.SubmitAsync(FalInput(), Within(10));
        Assert.True(await client.CancelAsync(submitted.RequestId, Within(10)));

        ProviderApiException error = await Assert.ThrowsAsync<ProviderApiException>(() => client.GetResultAsync(submitted.RequestId, Within(10)));
        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Contains("cancelled", error.BodyExcerpt, StringComparison.Ordinal);
    }

    // ---------------------------------------------------------------- Oxen

    [Fact]
    public async Task OxenSyncEditAnswersJsonWhoseFileUrlIsFoundAndDownloaded()
    {
        var client = new OxenFlex.Flux2FlexClient(_http, Options("oxen"));
        JsonElement answer = await client.GenerateAsync(OxenInput(), Within(10));
        Uri url = Assert.Single(ResultFiles.FindUrls(answer));
        await AssertPngAsync(stream => client.DownloadAsync(url, stream, Within(10)));
    }

    [Fact]
    public async Task OxenQueuePollsThroughItsStatusesToTheResult()
    {
        var client = new OxenFlex.Flux2FlexClient(_http, Options("oxen"));
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
        var client = new OxenPro.Flux2ProClient(_http, Options("oxen"));
        OxenGeneration queued = await client.EnqueueAsync(new OxenPro.Flux2ProRequest { Prompt = "a poster", Seed = 3 }, Within(10));
        Assert.Equal("queued", queued.Status);
        Assert.Equal("flux-2-pro", OxenPro.Flux2ProClient.ModelId);
    }

    [Fact]
    public async Task OxenEventStreamFindsTheCompletionEventOfAGeneration()
    {
        var client = new OxenFlex.Flux2FlexClient(_http, Options("oxen"));
        OxenGeneration queued = await client.EnqueueAsync(OxenInput(seed: 5), Within(10));
        OxenGeneration completed = await client.WaitForCompletionEventAsync(queued.GenerationId, Within(10));

        Assert.Equal(queued.GenerationId, completed.GenerationId);
        Assert.True(completed.Succeeded);
        Assert.NotNull(completed.ResultUrl);
    }

    [Fact]
    public async Task OxenEventStreamAsAsyncEnumerableYieldsCompletions()
    {
        var client = new OxenFlex.Flux2FlexClient(_http, Options("oxen"));
        OxenGeneration queued = await client.EnqueueAsync(OxenInput(seed: 6), Within(10));
        await foreach (OxenGeneration generation in client.StreamCompletionsAsync(Within(10)))
        {
            if (generation.GenerationId == queued.GenerationId)
            {
                Assert.Equal("succeeded", generation.Status);
                return;
            }
        }

        Assert.Fail("the stream ended without the generation's completion event");
    }

    [Fact]
    public async Task OxenModelObjectIsTheCheckedInOne()
    {
        var client = new OxenFlex.Flux2FlexClient(_http, Options("oxen"));
        JsonElement model = await client.GetModelAsync(Within(10));
        using JsonDocument checkedIn = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "schemas", "oxen", "flux-2-flex.json")));
        Assert.True(JsonRules.DeepEquals(checkedIn.RootElement, model));
        Assert.True(model.TryGetProperty("json_request_schema", out _));
    }

    // ---------------------------------------------------------------- apiframe

    [Fact]
    public async Task ApiframeGenerateSendsFluxParamsAndItsFileDownloads()
    {
        var client = new ApiframeFlex.Flux2FlexClient(_http, Options("apiframe"));
        JsonElement answer = await client.GenerateAsync(new ApiframeFlex.Flux2FlexGenerateRequest
        {
            Prompt = "a poster reading SUMMER SALE",
            Model = ApiframeFlex.Flux2FlexClient.ModelId,
            FluxParams = new ApiframeFlex.Flux2FlexParams { AspectRatio = "9:16", Steps = 30, Guidance = 4.5, Seed = 21, OutputFormat = ApiframeFlex.OutputFormat.Png },
        }, Within(10));

        Assert.Equal(21, answer.GetProperty("seed").GetInt64()); // the emulator read the seed from fluxParams
        await AssertPngAsync(stream => client.DownloadAsync(ResultFiles.FindUrls(answer)[0], stream, Within(10)));
    }

    // ---------------------------------------------------------------- validation before sending

    [Fact]
    public async Task InvalidRequestsNeverReachTheWire()
    {
        var fal = new FalFlex.Flux2FlexClient(_http, Options("fal"));
        var oxen = new OxenFlex.Flux2FlexClient(_http, Options("oxen"));
        var apiframe = new ApiframeFlex.Flux2FlexClient(_http, Options("apiframe"));
        int before = _emulator.RequestCount;

        SchemaValidationException falError = await Assert.ThrowsAsync<SchemaValidationException>(() => fal.SubmitAsync(FalInput() with { NumInferenceSteps = AtRunTime(0) }, Within(10)));
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
        var client = new FalFlex.Flux2FlexClient(_http, Options("fal", o => o.ValidateBeforeSend = false));
        int before = _emulator.ModelRequestCount;
        ProviderApiException error = await Assert.ThrowsAsync<ProviderApiException>(() => client.RunAsync(FalInput() with { NumInferenceSteps = AtRunTime(0) }, Within(10)));

        Assert.Equal(before + 1, _emulator.ModelRequestCount);
        Assert.Equal((HttpStatusCode)422, error.StatusCode);
        Assert.Contains("num_inference_steps", error.BodyExcerpt, StringComparison.Ordinal);
        Assert.Equal(1, error.Attempts); // 422 is never retried
    }

    // ---------------------------------------------------------------- faults

    [Fact]
    public async Task TransientFaultsAreRetriedThrough()
    {
        var client = new FalFlex.Flux2FlexClient(_http, Options("fal"));
        foreach (Fault fault in new[] { Fault.TooManyRequests, Fault.ServerError, Fault.DroppedConnection })
        {
            _emulator.FailNext("/fal-ai/flux-2-flex", fault);
            int before = _emulator.RequestCount;
            var watch = Stopwatch.StartNew();
            FalFlex.Flux2FlexOutput output = await client.RunAsync(FalInput(), Within(15));
            Assert.NotEmpty(output.Images);
            Assert.Equal(before + 2, _emulator.RequestCount);
            if (fault == Fault.TooManyRequests)
            {
                Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(0.9), "Retry-After: 1 was not honoured: " + watch.Elapsed);
            }
        }
    }

    [Fact]
    public async Task FaultsThatOutlastTheRetriesEndInTheDocumentedExceptions()
    {
        var client = new FalFlex.Flux2FlexClient(_http, Options("fal"));
        _emulator.Faults["/fal-ai/flux-2-flex"] = Fault.ServerError;
        ProviderApiException server = await Assert.ThrowsAsync<ProviderApiException>(() => client.RunAsync(FalInput(), Within(15)));
        Assert.Equal(HttpStatusCode.InternalServerError, server.StatusCode);
        Assert.Equal(4, server.Attempts);

        _emulator.Faults["/fal-ai/flux-2-flex"] = Fault.MalformedBody;
        ProviderApiException malformed = await Assert.ThrowsAsync<ProviderApiException>(() => client.RunAsync(FalInput(), Within(15)));
        Assert.Contains("not the expected JSON", malformed.Message, StringComparison.Ordinal);

        _emulator.Faults["/fal-ai/flux-2-flex"] = Fault.DroppedConnection;
        await Assert.ThrowsAsync<HttpRequestException>(() => client.RunAsync(FalInput(), Within(15)));

        _emulator.Faults["/fal-ai/flux-2-flex"] = Fault.SlowResponse;
        var slow = new FalFlex.Flux2FlexClient(_http, Options("fal", o => o.Retry = new RetryOptions { MaxRetries = 1, BaseDelay = TimeSpan.FromMilliseconds(10), AttemptTimeout = TimeSpan.FromMilliseconds(300) }));
        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAsync<TimeoutException>(() => slow.RunAsync(FalInput(), Within(15)));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), "two 300 ms attempts took " + watch.Elapsed);
        _emulator.Faults.Clear();
    }

    [Fact]
    public async Task AnEventStreamThatEndsEarlyIsAnErrorNotAHang()
    {
        var client = new OxenFlex.Flux2FlexClient(_http, Options("oxen"));
        OxenGeneration queued = await client.EnqueueAsync(OxenInput(), Within(10));
        _emulator.FailNext("/api/events", Fault.StreamEndsEarly);
        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAsync<EndOfStreamException>(() => client.WaitForCompletionEventAsync(queued.GenerationId, Within(10)));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), watch.Elapsed.ToString());
    }

    [Fact]
    public async Task AWaitThatOutlastsWaitTimeoutIsATimeout()
    {
        var client = new OxenFlex.Flux2FlexClient(_http, Options("oxen", o => o.WaitTimeout = TimeSpan.FromMilliseconds(300)));
        OxenGeneration queued = await client.EnqueueAsync(OxenInput(), Within(10));
        await Assert.ThrowsAsync<TimeoutException>(() => client.WaitAsync(queued.GenerationId, null, Within(10)));
    }

    [Fact]
    public async Task CancellationTakesEffectWithinASecondOnEveryKindOfWait()
    {
        var fal = new FalFlex.Flux2FlexClient(_http, Options("fal"));
        var oxen = new OxenFlex.Flux2FlexClient(_http, Options("oxen"));
        FalQueueStatus submitted = await fal.SubmitAsync(FalInput(), Within(10));
        OxenGeneration queued = await oxen.EnqueueAsync(OxenInput(), Within(10));
        _emulator.Faults["/fal-ai/flux-2-flex"] = Fault.SlowResponse;
        var waits = new Dictionary<string, Func<CancellationToken, Task>>
        {
            ["fal wait"] = token => fal.WaitAsync(submitted.RequestId, null, token),
            ["fal slow answer"] = token => fal.RunAsync(FalInput(), token),
            ["oxen poll"] = token => oxen.WaitAsync(queued.GenerationId, null, token),
            ["oxen event stream"] = token => oxen.WaitForCompletionEventAsync("never-" + queued.GenerationId, token),
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
            _emulator.Faults.Clear();
        }
    }

    // ---------------------------------------------------------------- concurrency

    [Fact]
    public async Task TwoHundredConcurrentCallsThroughOneClientAllSucceedAndReuseConnections()
    {
        var client = new FalFlex.Flux2FlexClient(_http, Options("fal"));
        int start = _emulator.ConnectionCount;
        FalFlex.Flux2FlexOutput[] first = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => client.RunAsync(FalInput(seed: i), Within(60))));
        int afterFirst = _emulator.ConnectionCount;
        FalFlex.Flux2FlexOutput[] second = await Task.WhenAll(Enumerable.Range(200, 200).Select(i => client.RunAsync(FalInput(seed: i), Within(60))));
        int afterSecond = _emulator.ConnectionCount;

        Assert.Equal(Enumerable.Range(0, 400).Select(i => (long)i), first.Concat(second).Select(o => (long)o.Seed!));
        // HTTP/1.1 opens a connection per concurrent request; a second wave must reuse the pooled ones, not open more.
        Assert.InRange(afterFirst - start, 1, 200);
        Assert.InRange(afterSecond - afterFirst, 0, 20);
        File.WriteAllText(
            Path.Combine(ReportDirectory(), "client-concurrency.txt"),
            "2 waves of 200 concurrent fal RunAsync calls through one generated client: 400 succeeded; first wave opened "
            + (afterFirst - start) + " TCP connections, second wave opened " + (afterSecond - afterFirst) + " more\n");
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

        InvalidOperationException missing = Assert.Throws<InvalidOperationException>(() => new FalFlex.Flux2FlexClient(_http, options));
        Assert.Contains(variable, missing.Message, StringComparison.Ordinal);

        Environment.SetEnvironmentVariable(variable, Secret);
        try
        {
            var client = new FalFlex.Flux2FlexClient(_http, options);
            Assert.NotEmpty((await client.RunAsync(FalInput(), Within(10))).Images);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }

        Assert.Equal("FAL_KEY", FalFlex.Flux2FlexClient.Description.Auth.EnvironmentVariable);
        Assert.Equal("OXEN_API_KEY", OxenFlex.Flux2FlexClient.Description.Auth.EnvironmentVariable);
        Assert.Equal("APIFRAME_API_KEY", ApiframeFlex.Flux2FlexClient.Description.Auth.EnvironmentVariable);
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

        var fal = provider.GetRequiredService<FalFlex.Flux2FlexClient>();
        var oxen = provider.GetRequiredService<OxenFlex.Flux2FlexClient>();
        Assert.Equal(new Uri(_emulator.BaseUrl), fal.BaseAddress);
        Assert.NotEmpty((await fal.SubmitAndWaitAsync(FalInput(), null, Within(10))).Images);
        Assert.Equal("queued", (await oxen.EnqueueAsync(OxenInput(), Within(10))).Status);
        Assert.True(counter.Count >= 3, "the fal calls did not go through the factory's handler: " + counter.Count);
    }

    [Fact]
    public async Task TheKeyAppearsInNoExceptionTextAndNoLogLine()
    {
        var logs = new CapturingLoggerProvider();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        services.AddFalFlux2FlexClient(o => { _emulator.Configure(o, "fal"); o.Retry = Fast; });
        services.AddApiframeFlux2FlexClient(o => { _emulator.Configure(o, "apiframe"); o.ApiKey = "wrong-" + Secret; o.Retry = Fast; });
        using ServiceProvider provider = services.BuildServiceProvider();
        var fal = provider.GetRequiredService<FalFlex.Flux2FlexClient>();
        var apiframe = provider.GetRequiredService<ApiframeFlex.Flux2FlexClient>();

        var failures = new List<Exception>();
        await fal.RunAsync(FalInput(), Within(10));
        _emulator.Faults["/fal-ai/flux-2-flex"] = Fault.ServerError;
        failures.Add(await Assert.ThrowsAsync<ProviderApiException>(() => fal.RunAsync(FalInput(), Within(15))));
        _emulator.Faults["/fal-ai/flux-2-flex"] = Fault.DroppedConnection;
        failures.Add(await Assert.ThrowsAsync<HttpRequestException>(() => fal.RunAsync(FalInput(), Within(15))));
        _emulator.Faults.Clear();
        failures.Add(await Assert.ThrowsAsync<ProviderApiException>(() => apiframe.GenerateAsync(new ApiframeFlex.Flux2FlexGenerateRequest { Prompt = "p", Model = "flux-2-flex" }, Within(10))));
        failures.Add(Assert.Throws<InvalidOperationException>(() => new FalFlex.Flux2FlexClient(_http, new SchemaClientOptions { ApiKeyEnvironmentVariable = "SCHEMACLIENTS_UNSET_" + Guid.NewGuid().ToString("N") })));

        Assert.Equal(HttpStatusCode.Unauthorized, ((ProviderApiException)failures[2]).StatusCode);
        string[] lines = logs.Lines.ToArray();
        Assert.True(lines.Length >= 8, "too few log lines to mean anything: " + lines.Length);
        Assert.Contains(lines, l => l.Contains("answered 500", StringComparison.Ordinal));
        foreach (string text in failures.SelectMany(e => new[] { e.Message, e.ToString() }).Concat(lines)
            .Append(new ApiKey(Secret).ToString()).Append(_emulator.OptionsFor("fal").ToString()!))
        {
            Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
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

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
                => owner.Lines.Enqueue(logLevel + " " + category + ": " + formatter(state, exception) + (exception != null ? " " + exception : string.Empty));
        }
    }
}

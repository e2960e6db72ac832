using System;
using System.Collections.Generic;
using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using SchemaClients.Clients;
using SchemaClients.Emulator;
using SchemaClients.Files;
using Xunit;
using ApiframeFlex = SchemaClients.Runtime.Tests.Schemas.Apiframe.Flux2Flex;
using FalEdit = SchemaClients.Runtime.Tests.Schemas.Fal.Flux2FlexEdit;
using FalFlex = SchemaClients.Runtime.Tests.Schemas.Fal.Flux2Flex;
using OxenFlex = SchemaClients.Runtime.Tests.Schemas.Oxen.Flux2Flex;

namespace SchemaClients.Runtime.Tests;

/// <summary>
/// No continuation inside the runtime or the generated clients waits for the caller's synchronization context, so
/// an app that blocks on a call from a UI thread or a classic ASP.NET request (<c>.Result</c>, <c>.Wait()</c>)
/// cannot deadlock. Each call starts on a thread whose context counts what is posted to it; none may be.
/// Against a replay server on loopback, with the providers' documented answers.
/// </summary>
public sealed class SynchronizationContextTests : IAsyncLifetime
{
    private const string Key = "sync-context-key-0123456789";
    private const string FalRequests = "/fal-ai/flux-2-flex/requests/" + DocumentedAnswers.FalRequestId;

    private readonly HttpClient _http = new();
    private ReplayServer _server = null!;
    private string _dir = null!;

    public async Task InitializeAsync()
    {
        _server = await ReplayServer.StartAsync();
        _dir = Path.Combine(Path.GetTempPath(), "schemaclients-context-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
        static string Data(string json) => "data: " + json.ReplaceLineEndings(" ") + "\n\n";
        _server.On("POST", "/fal-ai/flux-2-flex", Scripted.Json(200, DocumentedAnswers.FalSubmit));
        _server.On("GET", FalRequests + "/status", Scripted.Json(200, DocumentedAnswers.FalCompleted));
        _server.On("GET", FalRequests + "/status/stream", Scripted.Events(Data(DocumentedAnswers.FalInProgress) + Data(DocumentedAnswers.FalCompleted)));
        _server.On("GET", FalRequests, Scripted.Json(200, DocumentedAnswers.FalExampleOutput));
        _server.On("PUT", FalRequests + "/cancel", Scripted.Json(400, """{"status": "ALREADY_COMPLETED"}"""));
        _server.On("POST", "/storage/upload/initiate", Scripted.Json(200, "{\"upload_url\": \"" + _server.BaseUrl + "upload/target\", \"file_url\": \"https://v3.fal.media/files/penguin/ref-0.png\"}"));
        _server.On("PUT", "/upload/target", new Scripted(200, null));
        _server.On("POST", "/fal-ai/flux-2-flex/edit", Scripted.Json(200, DocumentedAnswers.FalSubmit));
        _server.On("POST", "/api/ai/queue", Scripted.Json(200, DocumentedAnswers.OxenEnqueued));
        _server.On("GET", "/api/ai/queue/" + DocumentedAnswers.OxenGenerationId, Scripted.Json(200, DocumentedAnswers.OxenProcessing), Scripted.Json(200, DocumentedAnswers.OxenSucceeded));
        _server.On("GET", "/api/events", Scripted.Events(DocumentedAnswers.OxenCompletedEvent));
        _server.On("POST", "/api/ai/images/edit", Scripted.Json(200, "{\"images\": [{\"url\": \"https://hub.oxen.ai/a.png\"}]}"));
        _server.On("GET", "/api/ai/models/flux-2-flex", Scripted.Json(200, "{\"id\": \"flux-2-flex\"}"));
        _server.On("POST", "/v2/images/generate", Scripted.Json(202, DocumentedAnswers.ApiframeAccepted));
        _server.On("GET", "/v2/jobs/" + DocumentedAnswers.ApiframeJobId, Scripted.Json(200, DocumentedAnswers.ApiframeProcessing), Scripted.Json(200, DocumentedAnswers.ApiframeCompletedUrl));
        _server.On("GET", "/files/result.png", new Scripted(200, "PNGDATA", "image/png"));
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private SchemaClientOptions Options() => new()
    {
        BaseAddress = _server.BaseUrl,
        QueueBaseAddress = _server.BaseUrl,
        StorageBaseAddress = _server.BaseUrl,
        ApiKey = Key,
        PollInterval = TimeSpan.FromMilliseconds(10),
        WaitTimeout = TimeSpan.FromSeconds(10),
        Retry = new Http.RetryOptions { MaxRetries = 1, BaseDelay = TimeSpan.FromMilliseconds(10) },
    };

    /// <summary>
    /// Starts <paramref name="call"/> with a counting context as the current one (as on a UI thread), then waits for it.
    /// Every continuation that asks for the caller's context is posted there and counted; none may be. It runs on the
    /// test's own thread, not a thread of its own, so per-test coverage (mutation testing) sees what it runs.
    /// </summary>
    private static void AssertNothingIsPosted(string name, Func<Task> call)
    {
        var context = new CountingContext();
        Task running = StartedUnder(context, call);

        Exception? failure = null;
        try
        {
            Assert.True(running.Wait(TimeSpan.FromSeconds(20)), name + " did not finish");
        }
        catch (AggregateException e)
        {
            failure = e.InnerException;
        }

        Assert.True(failure == null, name + " failed: " + failure);
        Assert.True(context.Posts == 0, name + " posted " + context.Posts + " continuations to the caller's context: a caller that blocks on it would deadlock");
    }

    /// <summary>
    /// Takes <paramref name="count"/> items, each <c>MoveNextAsync</c> started with the counting context current (as a
    /// consumer on a UI thread would), the consumer's own awaits not asking for it: any post comes from inside.
    /// </summary>
    private static async Task AssertIteratingPostsNothing<T>(string name, IAsyncEnumerable<T> items, int count)
    {
        var context = new CountingContext();
        IAsyncEnumerator<T> enumerator = items.GetAsyncEnumerator();
        try
        {
            for (int i = 0; i < count; i++)
            {
                Assert.True(await StartedUnder(context, enumerator.MoveNextAsync).ConfigureAwait(false), name + " ended after " + i + " items");
            }
        }
        finally
        {
            await StartedUnder(context, enumerator.DisposeAsync).ConfigureAwait(false);
        }

        Assert.True(context.Posts == 0, name + " posted " + context.Posts + " continuations to the consumer's context");
    }

    /// <summary>Runs <paramref name="start"/> with <paramref name="context"/> current, up to its first real wait, and restores the one before.</summary>
    private static TResult StartedUnder<TResult>(SynchronizationContext context, Func<TResult> start)
    {
        SynchronizationContext? previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(context);
        try
        {
            return start();
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }
    }

    /// <summary>The transport itself on <paramref name="http"/>, as a caller without a generated client makes it.</summary>
    private static Http.ProviderHttpClient Transport(HttpClient http, Http.RetryOptions retry)
        => new(http, "fal", Http.ProviderAuth.Fal, new Http.ApiKey(Key), retry);

    private sealed class CountingContext : SynchronizationContext
    {
        private int _posts;

        public int Posts => Volatile.Read(ref _posts);

        public override void Post(SendOrPostCallback d, object? state)
        {
            Interlocked.Increment(ref _posts);
            ThreadPool.QueueUserWorkItem(_ => d(state)); // run anyway, so a failing case reports instead of hanging
        }

        public override void Send(SendOrPostCallback d, object? state) => throw new NotSupportedException();
    }

    private static async Task Drain<T>(IAsyncEnumerable<T> items)
    {
        await foreach (T unused in items.ConfigureAwait(false))
        {
        }
    }

    [Fact]
    public async Task FalsSyncRunNeverNeedsTheCallersContext()
    {
        // fal's sync run is on another host than its queue: a server of its own.
        await using ReplayServer run = await ReplayServer.StartAsync();
        run.On("POST", "/fal-ai/flux-2-flex", Scripted.Json(200, DocumentedAnswers.FalExampleOutput));
        SchemaClientOptions options = Options();
        options.BaseAddress = run.BaseUrl;
        var fal = new FalFlex.FalFlux2FlexClient(_http, options);

        AssertNothingIsPosted("fal run", () => fal.RunAsync(new FalFlex.Flux2FlexInput { Prompt = "a poster" }));
        Assert.Single(run.To("POST", "/fal-ai/flux-2-flex"));
    }

    [Fact]
    public void FalCallsNeverNeedTheCallersContext()
    {
        var fal = new FalFlex.FalFlux2FlexClient(_http, Options());
        var edit = new FalEdit.FalFlux2FlexEditClient(_http, Options());
        var input = new FalFlex.Flux2FlexInput { Prompt = "a poster" };
        byte[] png = ProviderEmulator.RenderImage("reference", 1, 16, 16);
        string local = Path.Combine(_dir, "ref.png");
        File.WriteAllBytes(local, png);

        AssertNothingIsPosted("fal submit", () => fal.SubmitAsync(input));
        AssertNothingIsPosted("fal status", () => fal.GetStatusAsync(DocumentedAnswers.FalRequestId));
        AssertNothingIsPosted("fal wait", () => fal.WaitAsync(DocumentedAnswers.FalRequestId));
        AssertNothingIsPosted("fal result", () => fal.GetResultAsync(DocumentedAnswers.FalRequestId));
        AssertNothingIsPosted("fal cancel", () => fal.CancelAsync(DocumentedAnswers.FalRequestId));
        AssertNothingIsPosted("fal submit and wait", () => fal.SubmitAndWaitAsync(input));
        AssertNothingIsPosted("fal status stream", () => Drain(fal.StreamStatusAsync(DocumentedAnswers.FalRequestId)));
        AssertNothingIsPosted("fal edit with a local image", () => edit.SubmitAsync(new FalEdit.Flux2FlexInput { Prompt = "p", ImageUrls = [ImageInput.FromFile(local)] }));
        AssertNothingIsPosted("fal edit with a stream", () => edit.SubmitAsync(new FalEdit.Flux2FlexInput { Prompt = "p", ImageUrls = [ImageInput.FromStream(new MemoryStream(png))] }));
        AssertNothingIsPosted("fal save a data URI", () => fal.SaveAsync(DataUri.Create(png, "image/png"), Path.Combine(_dir, "inline.png")));
        byte[] large = new byte[200_000]; // past the file buffer, so the write itself waits for the disk
        png.AsSpan(0, 8).CopyTo(large);
        AssertNothingIsPosted("fal save a large data URI", () => fal.SaveAsync(DataUri.Create(large, "image/png"), Path.Combine(_dir, "large.png")));
        AssertNothingIsPosted("fal save a URL", () => fal.SaveAsync(_server.BaseUrl + "files/result.png", Path.Combine(_dir, "downloaded.png")));
        AssertNothingIsPosted("fal download", () => fal.DownloadAsync(new Uri(_server.BaseUrl, "files/result.png"), new MemoryStream()));
    }

    [Fact]
    public void OxenAndApiframeCallsNeverNeedTheCallersContext()
    {
        var oxen = new OxenFlex.OxenFlux2FlexClient(_http, Options());
        var apiframe = new ApiframeFlex.ApiframeFlux2FlexClient(_http, Options());
        var request = new OxenFlex.Flux2FlexRequest { Prompt = "a poster" };
        var generate = new ApiframeFlex.Flux2FlexGenerateRequest { Prompt = "a poster", Model = ApiframeFlex.ApiframeFlux2FlexClient.ModelId };

        AssertNothingIsPosted("oxen generate", () => oxen.GenerateAsync(request));
        AssertNothingIsPosted("oxen enqueue", () => oxen.EnqueueAsync(request));
        AssertNothingIsPosted("oxen enqueue and wait", () => oxen.EnqueueAndWaitAsync(request));
        AssertNothingIsPosted("oxen enqueue and wait for all", () => oxen.EnqueueAndWaitAllAsync(request, null));
        AssertNothingIsPosted("oxen generation", () => oxen.GetGenerationAsync(DocumentedAnswers.OxenGenerationId));
        AssertNothingIsPosted("oxen wait", () => oxen.WaitAsync(DocumentedAnswers.OxenGenerationId));
        AssertNothingIsPosted("oxen wait for all", () => oxen.WaitAllAsync([DocumentedAnswers.OxenGenerationId]));
        AssertNothingIsPosted("oxen completion event", () => oxen.WaitForCompletionEventAsync(DocumentedAnswers.OxenGenerationId));
        AssertNothingIsPosted("oxen model", () => oxen.GetModelAsync());
        AssertNothingIsPosted("oxen download to a file", () => oxen.DownloadToFileAsync(new Uri(_server.BaseUrl, "files/result.png"), Path.Combine(_dir, "oxen.png")));
        AssertNothingIsPosted("apiframe generate", () => apiframe.GenerateAsync(generate));
        AssertNothingIsPosted("apiframe generate and wait", () => apiframe.GenerateAndWaitAsync(generate));
        AssertNothingIsPosted("apiframe wait", () => apiframe.WaitAsync(DocumentedAnswers.ApiframeJobId));
        AssertNothingIsPosted("apiframe job", () => apiframe.GetJobAsync(DocumentedAnswers.ApiframeJobId));
    }

    [Fact]
    public async Task IteratingAnEventStreamNeverNeedsTheConsumersContext()
    {
        // Each MoveNextAsync starts on the consumer's thread, so the awaits inside an iterator must not capture it either.
        // The replayed stream has two events and ends: five items take two reconnects.
        using var direct = new HttpClient { BaseAddress = _server.BaseUrl };
        var http = Transport(direct, Options().Retry);

        await AssertIteratingPostsNothing("stream events", http.StreamEventsAsync(FalRequests + "/status/stream"), 5);
        await using (Http.EventStream stream = await http.OpenEventStreamAsync(FalRequests + "/status/stream"))
        {
            await AssertIteratingPostsNothing("an event stream", stream.ReadAllAsync(), 5);
        }

        var oxen = new OxenTransport(new ModelClientCore(_http, Options(), new ClientDescription("oxen", "flux-2-flex", Http.ProviderAuth.Oxen, null, null)));
        await AssertIteratingPostsNothing("oxen completions", oxen.StreamCompletionsAsync(default), 2);

        // Reconnecting at once (no delay to suspend at first): the connect itself must not capture the context.
        var eager = Transport(direct, new Http.RetryOptions { MaxRetries = 1, BaseDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero });
        await AssertIteratingPostsNothing("an event stream that reconnects at once", eager.StreamEventsAsync(FalRequests + "/status/stream"), 5);

        // Events that arrive apart, so each read waits for the network.
        (Microsoft.AspNetCore.Builder.WebApplication app, Uri baseUrl) = await Loopback.StartAsync(async context =>
        {
            context.Response.ContentType = "text/event-stream";
            for (int i = 0; i < 3; i++)
            {
                await context.Response.WriteAsync("data: {\"n\": " + i + "}\n\n");
                await context.Response.Body.FlushAsync();
                await Task.Delay(50);
            }
        });
        await using (app)
        {
            using var apart = new HttpClient { BaseAddress = baseUrl };
            var slow = Transport(apart, Options().Retry);
            await AssertIteratingPostsNothing("events that arrive apart", slow.StreamEventsAsync("/events"), 3);
            using Stream raw = await apart.GetStreamAsync("/events");
            await AssertIteratingPostsNothing("events read from a stream", Http.ServerSentEvents.ReadAsync(raw), 3);
        }
    }

    [Fact]
    public void TheTransportsOwnCallsNeverNeedTheCallersContext()
    {
        // The transport's public methods, for callers who use it without a generated client.
        _server.On("POST", "/echo", Scripted.Json(200, "{\"Prompt\":\"p\",\"Attempt\":1}"));
        using var direct = new HttpClient { BaseAddress = _server.BaseUrl };
        var http = Transport(direct, Options().Retry);

        AssertNothingIsPosted("send typed", () => http.SendAsync(HttpMethod.Post, "/echo", new Echo("p"), TestJson.Default.Echo, TestJson.Default.EchoResult));
        AssertNothingIsPosted("get typed", () => http.GetAsync(HttpMethod.Post, "/echo", TestJson.Default.EchoResult));
        AssertNothingIsPosted("send for answer", () => http.SendForAnswerAsync(HttpMethod.Put, FalRequests + "/cancel", null, default, _ => true, default));
        AssertNothingIsPosted("put a file", () => http.PutFileAsync(new Uri(_server.BaseUrl, "upload/target"), new byte[] { 1 }, "image/png"));
        AssertNothingIsPosted("download", () => http.DownloadAsync(new Uri(_server.BaseUrl, "files/result.png"), new MemoryStream()));
        AssertNothingIsPosted("event stream", async () =>
        {
            await using Http.EventStream stream = await http.OpenEventStreamAsync("/api/events").ConfigureAwait(false);
        });
        AssertNothingIsPosted("stream events", async () =>
        {
            await foreach (Http.ServerSentEvent first in http.StreamEventsAsync(FalRequests + "/status/stream").ConfigureAwait(false))
            {
                break; // the replayed stream starts again on each reconnect: one event is enough
            }
        });
    }
}

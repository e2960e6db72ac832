using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using SchemaClients.Clients;
using SchemaClients.Http;
using SchemaClients.Validation;
using Xunit;

namespace SchemaClients.Runtime.Tests;

/// <summary>
/// The queue transports of the three providers at the edges of their protocols, against a replay server on
/// loopback: answers of every documented shape, URLs fal returned with queries, waits that run out, events that
/// are not the one waited for, and the arguments each public method refuses.
/// </summary>
public sealed class TransportEdgeTests : IAsyncLifetime
{
    private const string Key = "edge-test-key-0123456789";
    private const string FalSubmit = "/fal-ai/flux-2-flex";
    private const string FalStatus = "/fal-ai/flux-2-flex/requests/{request_id}/status";
    private const string FalResult = "/fal-ai/flux-2-flex/requests/{request_id}";
    private const string FalCancel = "/fal-ai/flux-2-flex/requests/{request_id}/cancel";

    private readonly HttpClient _http = new();
    private ReplayServer _server = null!;

    public async Task InitializeAsync() => _server = await ReplayServer.StartAsync();

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    private static CancellationToken Within(int seconds) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    private static JsonElement Json(string text)
    {
        using JsonDocument document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    /// <summary>A core whose base host is /run/ and whose queue host is /queue/ on the replay server.</summary>
    private ModelClientCore Core(string provider, Action<SchemaClientOptions>? change = null)
    {
        var options = new SchemaClientOptions
        {
            BaseAddress = new Uri(_server.BaseUrl, "run/"),
            QueueBaseAddress = new Uri(_server.BaseUrl, "queue/"),
            ApiKey = Key,
            PollInterval = TimeSpan.FromMilliseconds(10),
            WaitTimeout = TimeSpan.FromSeconds(5),
            Retry = new RetryOptions { MaxRetries = 0 },
        };
        change?.Invoke(options);
        ProviderAuth auth = provider switch { "fal" => ProviderAuth.Fal, "oxen" => ProviderAuth.Oxen, _ => ProviderAuth.Apiframe };
        return new ModelClientCore(_http, options, new ClientDescription(provider, "flux-2-flex", auth, null, null));
    }

    private FalQueueTransport Fal(Action<SchemaClientOptions>? change = null, string? cancel = FalCancel) => new(Core("fal", change), FalSubmit, FalStatus, FalResult, cancel);

    private OxenTransport Oxen(Action<SchemaClientOptions>? change = null) => new(Core("oxen", change));

    private ApiframeTransport Apiframe(string jobPath = "/v2/jobs/{id}", Action<SchemaClientOptions>? change = null) => new(Core("apiframe", change), "/v2/images/generate", jobPath);

    private static string Data(string json, string? type = null) => (type != null ? "event: " + type + "\n" : string.Empty) + "data: " + json + "\n\n";

    private static readonly byte[] Body = "{\"prompt\":\"p\"}"u8.ToArray();

    // ---------------------------------------------------------------- fal

    [Fact]
    public async Task FalsSyncRunGoesToTheRunHostAndTheQueueToTheQueueHost()
    {
        _server.On("POST", "/run" + FalSubmit, Scripted.Json(200, "{\"images\":[]}"));
        _server.On("POST", "/queue" + FalSubmit, Scripted.Json(200, "{\"request_id\":\"r1\"}"));
        FalQueueTransport fal = Fal();

        JsonElement output = await fal.RunJsonAsync(Body, Within(10));
        FalQueuedRequest queued = await fal.SubmitAsync(Body, null, Within(10));

        Assert.Equal(JsonValueKind.Array, output.GetProperty("images").ValueKind);
        Assert.Equal("r1", queued.RequestId);
        Assert.Equal(new[] { "/run" + FalSubmit, "/queue" + FalSubmit }, _server.Requests.Select(r => r.Path).ToArray());
    }

    [Fact]
    public async Task ARelativeWebhookIsRefusedBeforeAnythingIsSent()
    {
        ArgumentException e = await Assert.ThrowsAsync<ArgumentException>(() => Fal().SubmitAsync(Body, new Uri("/hooks/fal", UriKind.Relative), Within(10)));
        Assert.Equal("webhook", e.ParamName);
        Assert.StartsWith("The webhook URL must be absolute.", e.Message, StringComparison.Ordinal);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task AnAnswerWithoutTheIdOfWhatItStartedSaysWhatIsMissingAndQuotesTheAnswer()
    {
        _server.On("POST", "/queue" + FalSubmit, Scripted.Json(200, "{\"status\":\"IN_QUEUE\"}"));
        _server.On("POST", "/run/api/ai/queue", Scripted.Json(200, "{\"generations\":[]}"));
        _server.On("POST", "/run/v2/images/generate", new Scripted(202, null));

        ProviderApiException fal = await Assert.ThrowsAsync<ProviderApiException>(() => Fal().SubmitAsync(Body, null, Within(10)));
        ProviderApiException oxen = await Assert.ThrowsAsync<ProviderApiException>(() => Oxen().EnqueueAsync(Body, Within(10)));
        ProviderApiException apiframe = await Assert.ThrowsAsync<ProviderApiException>(() => Apiframe().GenerateAsync(Body, null, Within(10)));

        Assert.Equal("fal answered 200 OK: the answer has no request_id: {\"status\":\"IN_QUEUE\"}", fal.Message);
        Assert.Equal("oxen answered 200 OK: the answer has no generations[].generation_id: {\"generations\":[]}", oxen.Message);
        Assert.Equal("apiframe answered 202 Accepted: the answer has no jobId: (no JSON body)", apiframe.Message);
        Assert.Single(_server.To("POST", "/queue" + FalSubmit)); // billed: sent once
    }

    [Fact]
    public async Task EveryMethodThatTakesARequestRefusesNone()
    {
        FalQueueTransport fal = Fal();
        Assert.Equal("request", (await Assert.ThrowsAsync<ArgumentNullException>(() => fal.GetStatusAsync(null!, false, default))).ParamName);
        Assert.Equal("request", (await Assert.ThrowsAsync<ArgumentNullException>(async () => await fal.StreamStatusAsync(null!, false, default).GetAsyncEnumerator().MoveNextAsync())).ParamName);
        Assert.Equal("request", (await Assert.ThrowsAsync<ArgumentNullException>(() => fal.GetResultJsonAsync(null!, default))).ParamName);
        Assert.Equal("request", (await Assert.ThrowsAsync<ArgumentNullException>(() => fal.GetResultAsync(null!, Serialization.PrimitiveConverters.String, default))).ParamName);
        Assert.Equal("request", (await Assert.ThrowsAsync<ArgumentNullException>(() => fal.CancelAsync(null!, default))).ParamName);
        Assert.Equal("request", (await Assert.ThrowsAsync<ArgumentNullException>(() => fal.WaitAsync(null!, null, default))).ParamName);
        Assert.Equal("status", Assert.Throws<ArgumentNullException>(() => FalQueueTransport.Describe(null!, TimeSpan.Zero)).ParamName);

        ApiframeTransport apiframe = Apiframe();
        Assert.Equal("jobId", (await Assert.ThrowsAsync<ArgumentException>(() => apiframe.GetJobAsync(string.Empty, default))).ParamName);
        Assert.Equal("jobId", (await Assert.ThrowsAsync<ArgumentException>(() => apiframe.WaitAsync(string.Empty, null, default))).ParamName);
        Assert.Equal("jobId", Assert.Throws<ArgumentException>(() => { _ = apiframe.WaitAsync(string.Empty, null, default); }).ParamName); // as it is called

        OxenTransport oxen = Oxen();
        Assert.Equal("generationId", (await Assert.ThrowsAsync<ArgumentException>(() => oxen.GetGenerationAsync(string.Empty, default))).ParamName);
        Assert.Equal("generationIds", (await Assert.ThrowsAsync<ArgumentNullException>(() => oxen.WaitAllAsync(null!, null, default))).ParamName);
        Assert.Equal("generationId", (await Assert.ThrowsAsync<ArgumentException>(() => oxen.WaitForCompletionEventAsync(string.Empty, default))).ParamName);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task CancellingWhereTheDocumentHasNoCancelOperationIsNotSupported()
    {
        NotSupportedException e = await Assert.ThrowsAsync<NotSupportedException>(() => Fal(cancel: null).CancelAsync("r1", default));
        Assert.Equal("This endpoint's queue document has no cancel operation.", e.Message);
        Assert.Empty(_server.Requests);
    }

    [Theory]
    [InlineData(400, "{\"status\":\"CANCELLATION_REQUESTED\"}", FalCancelOutcome.CancellationRequested)]
    [InlineData(400, "{\"status\":\"NOT_FOUND\"}", FalCancelOutcome.NotFound)]
    [InlineData(409, "{\"status\":\"ALREADY_COMPLETED\"}", FalCancelOutcome.AlreadyCompleted)]
    [InlineData(200, "{}", FalCancelOutcome.CancellationRequested)]
    [InlineData(202, null, FalCancelOutcome.CancellationRequested)]
    [InlineData(200, "{\"success\":false}", FalCancelOutcome.AlreadyCompleted)]
    [InlineData(410, null, FalCancelOutcome.NotFound)]
    public async Task EachDocumentedCancelAnswerIsAnOutcome(int status, string? body, FalCancelOutcome expected)
    {
        _server.On("PUT", "/queue/fal-ai/flux-2-flex/requests/r1/cancel", new Scripted(status, body));
        FalCancelResult result = await Fal().CancelAsync("r1", Within(10));
        Assert.Equal((expected, (HttpStatusCode)status, expected == FalCancelOutcome.CancellationRequested), (result.Outcome, result.StatusCode, result.Accepted));
    }

    [Fact]
    public void AStatusAsProgressNamesItsRequestAndItsLatestLogLine()
    {
        QueueProgress none = FalQueueTransport.Describe(FalQueueStatus.Parse(Json("{}"), "r1"), TimeSpan.FromSeconds(2));
        Assert.Equal(new QueueProgress("(no status)", null, null, TimeSpan.FromSeconds(2)) { JobId = "r1" }, none);
        QueueProgress logs = FalQueueTransport.Describe(FalQueueStatus.Parse(Json("{\"status\":\"IN_PROGRESS\",\"logs\":[{\"message\":\"a\"},{\"message\":\"b\"}]}"), "r2"), TimeSpan.Zero);
        Assert.Equal(("IN_PROGRESS", "b", "r2"), (logs.Status, logs.Log, logs.JobId));
    }

    [Fact]
    public async Task TheStatusStreamSkipsEventsThatAreNoStatusAndStopsAtCompleted()
    {
        _server.On("GET", "/queue/fal-ai/flux-2-flex/requests/r1/status/stream", Scripted.Events(
            ": keep-alive\n\n" + Data("[1,2]") + Data("not json") + Data("\"IN_QUEUE\"") + Data("{\"status\":\"IN_PROGRESS\"}") + Data("{\"status\":\"COMPLETED\"}") + Data("{\"status\":\"AFTER\"}")));
        var seen = new List<string?>();
        await foreach (FalQueueStatus status in Fal().StreamStatusAsync("r1", false, Within(10)))
        {
            seen.Add(status.Status);
        }

        Assert.Equal(new[] { "IN_PROGRESS", "COMPLETED" }, seen);
    }

    [Fact]
    public async Task AStatusUrlFalReturnedKeepsItsQueryAndGetsLogsOnlyOnce()
    {
        string root = new Uri(_server.BaseUrl, "queue/fal-ai/flux-2-flex/requests/r1/").AbsoluteUri;
        _server.On("GET", "/queue/fal-ai/flux-2-flex/requests/r1/status", Scripted.Json(200, "{\"status\":\"IN_QUEUE\"}"));
        _server.On("GET", "/queue/fal-ai/flux-2-flex/requests/r1/status/stream", Scripted.Events(Data("{\"status\":\"COMPLETED\"}")));
        FalQueueTransport fal = Fal();
        FalQueuedRequest withQuery = FalQueuedRequest.Parse(Json("{\"request_id\":\"r1\",\"status_url\":\"" + root + "status?region=eu\"}"))!;
        FalQueuedRequest withLogs = FalQueuedRequest.Parse(Json("{\"request_id\":\"r1\",\"status_url\":\"" + root + "status?logs=0\"}"))!;

        await fal.GetStatusAsync(withQuery, true, Within(10));
        await fal.GetStatusAsync(withQuery, false, Within(10));
        await fal.GetStatusAsync(withLogs, true, Within(10));
        await foreach (FalQueueStatus _ in fal.StreamStatusAsync(withQuery, true, Within(10)))
        {
        }

        await foreach (FalQueueStatus _ in fal.StreamStatusAsync("r1", false, Within(10)))
        {
        }

        Assert.Equal(
            new[] { "status?region=eu&logs=1", "status?region=eu", "status?logs=0", "status/stream?region=eu&logs=1", "status/stream" },
            _server.Requests.Select(r => r.Path.Substring(r.Path.LastIndexOf("/status", StringComparison.Ordinal) + 1) + r.Query).ToArray());
    }

    [Fact]
    public async Task AWaitThatRunsOutOfTimeNamesWhatItWaitedFor()
    {
        _server.On("GET", "/queue/fal-ai/flux-2-flex/requests/r1/status", Scripted.Json(200, "{\"status\":\"IN_QUEUE\"}"));
        _server.On("GET", "/run/v2/jobs/j1", Scripted.Json(200, "{\"id\":\"j1\",\"status\":\"PROCESSING\"}"));
        _server.On("GET", "/run/api/ai/queue/g1", Scripted.Json(200, "{\"generation_id\":\"g1\",\"status\":\"processing\"}"));
        _server.On("GET", "/run/api/ai/queue/g2", Scripted.Json(200, "{\"generation_id\":\"g2\",\"status\":\"processing\"}"));
        _server.On("GET", "/run/api/events", Scripted.Events(": nothing yet\n\n"));
        Action<SchemaClientOptions> brief = o => o.WaitTimeout = TimeSpan.FromMilliseconds(300);

        TimeoutException fal = await Assert.ThrowsAsync<TimeoutException>(() => Fal(brief).WaitAsync("r1", null, default));
        TimeoutException apiframe = await Assert.ThrowsAsync<TimeoutException>(() => Apiframe(change: brief).WaitAsync("j1", null, default));
        TimeoutException oxen = await Assert.ThrowsAsync<TimeoutException>(() => Oxen(brief).WaitAsync("g1", null, default));
        TimeoutException all = await Assert.ThrowsAsync<TimeoutException>(() => Oxen(brief).WaitAllAsync(new[] { "g1", "g2" }, null, default));
        TimeoutException evented = await Assert.ThrowsAsync<TimeoutException>(() => Oxen(o => { brief(o); o.Retry = new RetryOptions { MaxRetries = 1000, BaseDelay = TimeSpan.FromMilliseconds(10) }; }).WaitForCompletionEventAsync("g1", default));

        Assert.Equal("fal: request r1 did not complete within 00:00:00.3000000.", fal.Message);
        Assert.Equal("apiframe: job j1 did not finish within 00:00:00.3000000.", apiframe.Message);
        Assert.Equal("oxen: generation g1 did not finish within 00:00:00.3000000.", oxen.Message);
        Assert.Equal("oxen: generations g1, g2 did not all finish within 00:00:00.3000000.", all.Message);
        Assert.Equal("oxen: no completion event for g1 within 00:00:00.3000000.", evented.Message);
    }

    // ---------------------------------------------------------------- apiframe

    [Fact]
    public async Task AJobThatIsCompleteAtOnceIsNotPolled()
    {
        _server.On("POST", "/run/v2/images/generate", Scripted.Json(202, "{\"jobId\":\"j1\",\"status\":\"COMPLETED\",\"result\":\"https://cdn.example/a.png\"}"));
        ApiframeJob job = await Apiframe().GenerateAndWaitAsync(Body, "key-1", null, Within(10));
        Assert.Equal(ApiframeJobState.Completed, job.State);
        Assert.Equal(new[] { "POST /run/v2/images/generate" }, _server.Requests.Select(r => r.Method + " " + r.Path).ToArray());
        Assert.Equal("key-1", _server.Requests[0].Header("Idempotency-Key"));
    }

    [Theory]
    [InlineData("/v2/jobs/{id}", "/run/v2/jobs/j1")]
    [InlineData("/v2/jobs/{jobId}/", "/run/v2/jobs/j1/")]
    [InlineData("/v2/jobs", "/run/v2/jobs/j1")]
    [InlineData("/v2/jobs/", "/run/v2/jobs/j1")]
    [InlineData("{id}", "/run/j1")]
    [InlineData("/v2/jobs/{id", "/run/v2/jobs/{id/j1")]
    public async Task TheJobPathTakesTheIdInItsPlaceholderOrAtItsEnd(string template, string path)
    {
        _server.On("GET", path, Scripted.Json(200, "{\"id\":\"j1\",\"status\":\"QUEUED\"}"));
        ApiframeJob job = await Apiframe(template).GetJobAsync("j1", Within(10));
        Assert.Equal("j1", job.Id);
        Assert.Equal(path, Assert.Single(_server.Requests).Path);
    }

    [Fact]
    public async Task AJobWithoutAStatusIsReportedAsSuchWhileItIsPolled()
    {
        _server.On("GET", "/run/v2/jobs/j1", Scripted.Json(200, "{\"id\":\"j1\",\"progress\":10}"), Scripted.Json(200, "{\"id\":\"j1\",\"status\":\"COMPLETED\"}"));
        var progress = new Recorder<QueueProgress>();
        await Apiframe().WaitAsync("j1", progress, Within(10));
        Assert.Equal(new[] { "(no status)", "COMPLETED" }, progress.Items.Select(p => p.Status).ToArray());
        Assert.Equal(10, progress.Items[0].Percent);
    }

    // ---------------------------------------------------------------- oxen

    [Theory]
    [InlineData(1, null)]
    [InlineData(4, null)]
    [InlineData(0, "$.num_generations: 0 breaks minimum 1")]
    [InlineData(-3, "$.num_generations: -3 breaks minimum 1")]
    [InlineData(5, "$.num_generations: 5 breaks maximum 4")]
    public void TheQueuesOwnGenerationCountIsOneToFour(int count, string? violation)
    {
        var queue = new OxenQueueOptions { NumGenerations = count };
        if (violation == null)
        {
            OxenTransport.ValidateQueueOptions(queue);
            Assert.Equal("num_generations", Assert.Single(OxenTransport.QueueMembers(queue)).Key);
            return;
        }

        SchemaValidationException e = Assert.Throws<SchemaValidationException>(() => OxenTransport.ValidateQueueOptions(queue));
        Assert.Equal(violation, Assert.Single(e.Violations).Message);
    }

    [Fact]
    public void AnEmptyTargetNamespaceIsRefusedAndNoneSendsNothing()
    {
        SchemaValidationException e = Assert.Throws<SchemaValidationException>(() => OxenTransport.QueueMembers(new OxenQueueOptions { TargetNamespace = "  " }));
        Assert.Equal(new SchemaViolation("$.target_namespace", "minLength", "1", "\"\""), Assert.Single(e.Violations));
        Assert.Empty(OxenTransport.QueueMembers(null));
        Assert.Equal(new[] { new KeyValuePair<string, string>("target_namespace", "\"team\"") }, OxenTransport.QueueMembers(new OxenQueueOptions { TargetNamespace = "team" }));
    }

    [Fact]
    public async Task AnEnqueueAnswerWithoutAStatusIsQueuedAndASingleGenerationObjectIsReadToo()
    {
        _server.On("POST", "/run/api/ai/queue",
            Scripted.Json(200, "{\"generations\":[{\"generation_id\":\"g1\"},{\"generation_id\":\"g2\",\"status\":\"processing\"},{\"status\":\"queued\"}]}"),
            Scripted.Json(200, "{\"generation_id\":\"g3\"}"),
            Scripted.Json(200, "{\"generation_id\":\"g4\",\"status\":\"processing\"}"));
        OxenTransport oxen = Oxen();

        OxenQueueSubmission list = await oxen.EnqueueAsync(Body, Within(10));
        OxenQueueSubmission single = await oxen.EnqueueAsync(Body, Within(10));
        OxenQueueSubmission singleWithStatus = await oxen.EnqueueAsync(Body, Within(10));

        Assert.Equal(new[] { ("g1", "queued"), ("g2", "processing") }, list.Generations.Select(g => (g.GenerationId, g.Status!)).ToArray());
        Assert.Equal(new[] { "g1", "g2" }, list.GenerationIds);
        Assert.Equal(("g3", "queued"), (single.First.GenerationId, single.First.Status));
        Assert.Equal(("g4", "processing"), (singleWithStatus.First.GenerationId, singleWithStatus.First.Status));
    }

    [Fact]
    public async Task WaitingForEveryGenerationReturnsThemAllInOrderSucceededOrNot()
    {
        _server.On("POST", "/run/api/ai/queue", Scripted.Json(200, "{\"generations\":[{\"generation_id\":\"g1\"},{\"generation_id\":\"g2\"}]}"));
        _server.On("GET", "/run/api/ai/queue/g1", Scripted.Json(200, "{\"generation_id\":\"g1\"}"), Scripted.Json(200, "{\"generation_id\":\"g1\",\"status\":\"succeeded\",\"result_url\":\"https://hub.oxen.ai/1.png\"}"));
        _server.On("GET", "/run/api/ai/queue/g2", Scripted.Json(200, "{\"generation_id\":\"g2\",\"status\":\"failed\",\"error_message\":\"nsfw\"}"));
        var progress = new Recorder<QueueProgress>();

        IReadOnlyList<OxenGeneration> all = await Oxen().EnqueueAndWaitAllAsync(Body, progress, Within(10));

        Assert.Equal(new[] { ("g1", "succeeded"), ("g2", "failed") }, all.Select(g => (g.GenerationId, g.Status!)).ToArray());
        Assert.Contains(progress.Items, p => p.JobId == "g1" && p.Status == "(no status)");
        Assert.Contains(progress.Items, p => p.JobId == "g2" && p.Status == "failed" && p.Log == "nsfw");
    }

    [Fact]
    public async Task AGenerationThatIsDoneWhenTheWaitBeginsIsReturnedWithoutAnEvent()
    {
        _server.On("GET", "/run/api/events", Scripted.Events(": open\n\n"));
        _server.On("GET", "/run/api/ai/queue/g1", Scripted.Json(200, "{\"generation_id\":\"g1\",\"status\":\"succeeded\",\"result_url\":\"https://hub.oxen.ai/1.png\"}"));
        OxenGeneration done = await Oxen(o => o.Retry = new RetryOptions { MaxRetries = 0 }).WaitForCompletionEventAsync("g1", Within(10));
        Assert.Equal(new Uri("https://hub.oxen.ai/1.png"), done.ResultUrl);
        Assert.Single(_server.To("GET", "/run/api/events"));
    }

    [Theory]
    [InlineData("{\"generation_id\":\"g1\",\"result_url\":\"https://hub.oxen.ai/e.png\"}", "succeeded", "https://hub.oxen.ai/e.png", 1)]
    [InlineData("{\"generation_id\":\"g1\",\"status\":\"succeeded\",\"result_url\":\"https://hub.oxen.ai/e.png\"}", "succeeded", "https://hub.oxen.ai/e.png", 1)]
    [InlineData("{\"generation_id\":\"g1\",\"status\":\"failed\",\"error_message\":\"nsfw\"}", "failed", null, 1)]
    [InlineData("{\"generation_id\":\"g1\",\"status\":\"failed\",\"result_url\":\"https://hub.oxen.ai/partial.png\"}", "failed", "https://hub.oxen.ai/partial.png", 1)]
    [InlineData("{\"generation_id\":\"g1\"}", "succeeded", "https://hub.oxen.ai/read.png", 4)]
    public async Task ACompletionEventEndsTheWaitAndWhatItLeavesOutIsReadFromTheGeneration(string announced, string status, string? result, int reads)
    {
        // other events first: another type for the same id, data that is no JSON, another generation's completion
        _server.On("GET", "/run/api/events", Scripted.Events(
            Data("{\"generation_id\":\"g1\",\"status\":\"succeeded\",\"result_url\":\"https://hub.oxen.ai/wrong.png\"}", "media_generation_started")
            + Data("not json", OxenTransport.CompletedEvent)
            + Data("{\"generation_id\":\"g0\",\"status\":\"succeeded\",\"result_url\":\"https://hub.oxen.ai/other.png\"}", OxenTransport.CompletedEvent)
            + Data(announced, OxenTransport.CompletedEvent)));
        _server.On("GET", "/run/api/ai/queue/g1",
            Scripted.Json(200, "{\"generation_id\":\"g1\",\"status\":\"processing\"}"),
            Scripted.Json(200, "{\"generation_id\":\"g1\",\"status\":\"processing\"}"),
            Scripted.Json(200, "{\"generation_id\":\"g1\",\"status\":\"processing\"}"),
            Scripted.Json(200, "{\"generation_id\":\"g1\",\"status\":\"succeeded\",\"result_url\":\"https://hub.oxen.ai/read.png\"}"));

        OxenGeneration done = await Oxen().WaitForCompletionEventAsync("g1", Within(10));

        Assert.Equal((status, result), (done.Status, done.ResultUrl?.AbsoluteUri));
        Assert.Equal(reads, _server.To("GET", "/run/api/ai/queue/g1").Count);
    }

    // ---------------------------------------------------------------- the core

    [Fact]
    public void AMissingKeyOrServerUrlIsNamedWithWhereToSetIt()
    {
        string variable = "SCHEMACLIENTS_TEST_KEY_" + Guid.NewGuid().ToString("N");
        var description = new ClientDescription("fal", "fal-ai/flux-2-flex", ProviderAuth.Fal, null, null);
        InvalidOperationException key = Assert.Throws<InvalidOperationException>(() => new ModelClientCore(_http, new SchemaClientOptions { ApiKeyEnvironmentVariable = variable }, description));
        Assert.Equal("No API key for fal fal-ai/flux-2-flex: set SchemaClientOptions.ApiKey or the " + variable + " environment variable.", key.Message);
        InvalidOperationException url = Assert.Throws<InvalidOperationException>(() => new ModelClientCore(_http, new SchemaClientOptions { ApiKey = Key }, description));
        Assert.Equal("fal fal-ai/flux-2-flex: the schema names no server URL; set SchemaClientOptions.BaseAddress.", url.Message);
        Assert.Equal("http", Assert.Throws<ArgumentNullException>(() => new ModelClientCore(null!, new SchemaClientOptions { ApiKey = Key }, description)).ParamName);
    }

    [Fact]
    public async Task AJobThatFailsWithoutAReasonEndsInTheFailureWithNone()
    {
        // Liberal reading: a failed generation whose answer gives no error_message still ends as the failure it is.
        _server.On("POST", "/run/api/ai/queue", Scripted.Json(200, DocumentedAnswers.OxenEnqueued))
            .On("GET", "/run/api/ai/queue/" + DocumentedAnswers.OxenGenerationId, Scripted.Json(200, """{"status": "failed"}"""));

        QueueJobFailedException e = await Assert.ThrowsAsync<QueueJobFailedException>(() => Oxen().EnqueueAndWaitAsync("{}"u8.ToArray(), null, Within(10)));

        Assert.Equal((DocumentedAnswers.OxenGenerationId, "failed", (string?)null), (e.JobId, e.Status, e.Reason));
    }

    [Fact]
    public async Task TheCoresMethodsRefuseMissingArguments()
    {
        ModelClientCore core = Core("fal");
        var converter = new EchoConverter();
        Func<Echo, ValidationResult> valid = _ => ValidationResult.Success;
        var none = Array.Empty<KeyValuePair<string, string>>();
        Assert.Equal("path", Assert.Throws<ArgumentNullException>(() => core.Url(null!)).ParamName);
        Assert.Equal("request", Assert.Throws<ArgumentNullException>(() => core.Serialize<Echo>(null!, TestJson.Default.Echo, valid)).ParamName);
        Assert.Equal("requestType", Assert.Throws<ArgumentNullException>(() => core.Serialize(new Echo("p"), (System.Text.Json.Serialization.Metadata.JsonTypeInfo<Echo>)null!, valid)).ParamName);
        Assert.Equal("validate", Assert.Throws<ArgumentNullException>(() => core.Serialize(new Echo("p"), TestJson.Default.Echo, null!)).ParamName);
        Assert.Equal("request", Assert.Throws<ArgumentNullException>(() => core.Serialize<Echo>(null!, converter, valid)).ParamName);
        Assert.Equal("converter", Assert.Throws<ArgumentNullException>(() => core.Serialize(new Echo("p"), (Serialization.SchemaConverter<Echo>)null!, valid)).ParamName);
        Assert.Equal("validate", Assert.Throws<ArgumentNullException>(() => core.Serialize(new Echo("p"), converter, (Func<Echo, ValidationResult>)null!)).ParamName);
        Assert.Equal("request", Assert.Throws<ArgumentNullException>(() => core.Serialize<ValidatedEcho>(null!, ValidatedEcho.Converter)).ParamName);
        Assert.Equal("converter", Assert.Throws<ArgumentNullException>(() => core.Serialize(new ValidatedEcho(), (Serialization.SchemaConverter<ValidatedEcho>)null!)).ParamName);
        Assert.Equal("converter", (await Assert.ThrowsAsync<ArgumentNullException>(() => core.SerializeAsync(new ValidatedEcho(), null!, default))).ParamName);
        Assert.Equal("request", (await Assert.ThrowsAsync<ArgumentNullException>(() => core.SerializeAsync<ValidatedEcho>(null!, ValidatedEcho.Converter, default))).ParamName);
        Assert.Equal("request", (await Assert.ThrowsAsync<ArgumentNullException>(() => core.SerializeWithAsync<ValidatedEcho>(null!, ValidatedEcho.Converter, none, none, default))).ParamName);
        Assert.Equal("converter", (await Assert.ThrowsAsync<ArgumentNullException>(() => core.SerializeWithAsync(new ValidatedEcho(), null!, none, none, default))).ParamName);
        Assert.Equal("leading", Assert.Throws<ArgumentNullException>(() => core.SerializeWith(new Echo("p"), TestJson.Default.Echo, valid, null!, none)).ParamName);
        Assert.Equal("trailing", Assert.Throws<ArgumentNullException>(() => core.SerializeWith(new Echo("p"), TestJson.Default.Echo, valid, none, null!)).ParamName);
        Assert.Equal("wait", (await Assert.ThrowsAsync<ArgumentNullException>(() => core.WaitWithTimeoutAsync<int>(null!, "x", default))).ParamName);
        Assert.Equal("url", (await Assert.ThrowsAsync<ArgumentNullException>(() => core.DownloadAsync(null!, Stream.Null, default))).ParamName);
        // Methods that are not async refuse their arguments as they are called, not in the task they return.
        Assert.Equal("url", Assert.Throws<ArgumentNullException>(() => { _ = core.DownloadAsync(null!, Stream.Null, default); }).ParamName);
        Assert.Equal("destination", Assert.Throws<ArgumentNullException>(() => { _ = core.DownloadAsync(new Uri("https://cdn.example/a.png"), null!, default); }).ParamName);
        Assert.Equal("url", Assert.Throws<ArgumentNullException>(() => { _ = core.DownloadToFileAsync(null!, "a.png", default); }).ParamName);
        Assert.Equal("fileUrl", (await Assert.ThrowsAsync<ArgumentNullException>(() => core.SaveAsync(null!, "a.png", null, default))).ParamName);
        Assert.Equal("destination", (await Assert.ThrowsAsync<ArgumentNullException>(() => core.DownloadAsync(new Uri("https://cdn.example/a.png"), null!, default))).ParamName);
        Assert.Equal("url", (await Assert.ThrowsAsync<ArgumentNullException>(() => core.DownloadToFileAsync(null!, "a.png", default))).ParamName);
        Assert.Equal("path", (await Assert.ThrowsAsync<ArgumentException>(() => core.DownloadToFileAsync(new Uri("https://cdn.example/a.png"), string.Empty, default))).ParamName);
        Assert.Equal("fileUrl", (await Assert.ThrowsAsync<ArgumentException>(() => core.SaveAsync(string.Empty, "a.png", null, default))).ParamName);
        Assert.Equal("path", (await Assert.ThrowsAsync<ArgumentException>(() => core.SaveAsync("https://cdn.example/a.png", string.Empty, null, default))).ParamName);
        // the path is refused before the file URL is read: neither a bad data URI nor a URL of another scheme is looked at first
        Assert.Equal("path", (await Assert.ThrowsAsync<ArgumentException>(() => core.SaveAsync("data:image/png;base64,***", string.Empty, null, default))).ParamName);
        Assert.Equal("path", (await Assert.ThrowsAsync<ArgumentException>(() => core.SaveAsync("ftp://files.example.com/a.png", string.Empty, null, default))).ParamName);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public void ARequestWrittenWithItsConverterIsValidatedOnlyWhenAsked()
    {
        Func<Echo, ValidationResult> refuse = _ => { var c = new ViolationCollector(); c.Add("$.prompt", "minLength", "1", "\"\""); return c.ToResult(); };
        Assert.Throws<SchemaValidationException>(() => Core("fal").Serialize(new Echo(""), new EchoConverter(), refuse));
        byte[] sent = Core("fal", o => o.ValidateBeforeSend = false).Serialize(new Echo(""), new EchoConverter(), refuse);
        Assert.Equal("{\"prompt\":\"\"}", Encoding.UTF8.GetString(sent));
    }

    [Fact]
    public void MembersThatGoOnlyAfterTheRequestsOwnAreAddedToo()
    {
        byte[] json = Core("oxen").SerializeWith(new Echo("p"), TestJson.Default.Echo, _ => ValidationResult.Success, Array.Empty<KeyValuePair<string, string>>(), new[] { new KeyValuePair<string, string>("num_generations", "2") });
        Assert.Equal("{\"Prompt\":\"p\",\"num_generations\":2}", Encoding.UTF8.GetString(json));

        // with nothing to add, the request's own bytes are sent as its serializer wrote them: its escaping, its layout
        var unusual = new Echo("caf\u00e9 \u6f22\u5b57 <b>&</b>");
        byte[] own = Core("oxen").SerializeWith(unusual, IndentedJson.Default.Echo, _ => ValidationResult.Success, Array.Empty<KeyValuePair<string, string>>(), Array.Empty<KeyValuePair<string, string>>());
        byte[] written = JsonSerializer.SerializeToUtf8Bytes(unusual, IndentedJson.Default.Echo);
        Assert.Contains((byte)'\n', written);
        Assert.Equal(written, own);
    }

    private sealed class EchoConverter : Serialization.SchemaConverter<Echo>
    {
        public override Echo ReadValue(ref Utf8JsonReader reader) => throw new NotSupportedException();

        public override void WriteValue(Utf8JsonWriter writer, Echo value)
        {
            writer.WriteStartObject();
            writer.WriteString("prompt", value.Prompt);
            writer.WriteEndObject();
        }
    }

    private sealed class ValidatedEcho : ISchemaValidated
    {
        public static readonly Serialization.SchemaConverter<ValidatedEcho> Converter = new ValidatedEchoConverter();

        public ValidationResult Validate() => ValidationResult.Success;

        public bool IsValid() => true;

        private sealed class ValidatedEchoConverter : Serialization.SchemaConverter<ValidatedEcho>
        {
            public override ValidatedEcho ReadValue(ref Utf8JsonReader reader) => throw new NotSupportedException();

            public override void WriteValue(Utf8JsonWriter writer, ValidatedEcho value)
            {
                writer.WriteStartObject();
                writer.WriteEndObject();
            }
        }
    }
}

/// <summary>A caller's own serializer options that differ from the runtime's writer: indented output.</summary>
[System.Text.Json.Serialization.JsonSourceGenerationOptions(WriteIndented = true)]
[System.Text.Json.Serialization.JsonSerializable(typeof(Echo))]
internal sealed partial class IndentedJson : System.Text.Json.Serialization.JsonSerializerContext;

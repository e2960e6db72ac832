using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using SchemaClients.Clients;
using SchemaClients.Http;
using SchemaClients.Testing;
using Xunit;
using ApiframeFlex = SchemaClients.Runtime.Tests.Schemas.Apiframe.Flux2Flex;
using FalFlex = SchemaClients.Runtime.Tests.Schemas.Fal.Flux2Flex;
using OxenFlex = SchemaClients.Runtime.Tests.Schemas.Oxen.Flux2Flex;

namespace SchemaClients.Runtime.Tests;

/// <summary>
/// The answers the providers' own documentation shows (the seed pages in ../shared/seeds and the facts collected in
/// ../shared/PROVIDERS.md), written here byte for byte where a page gives the text and with concrete ids where it gives
/// a shape. They are the contract: the clients must read every one of them.
/// </summary>
internal static class DocumentedAnswers
{
    public const string FalRequestId = "764cabcf-b745-4b3e-ae38-1200304cf45b";

    /// <summary>fal flux-2-flex page, "Example Response" (abridged by fal: no seed, though the output schema requires it).</summary>
    public const string FalExampleOutput = """
        {
          "images": [
            {
              "url": "https://storage.googleapis.com/falserverless/example_outputs/flux2_flex_t2i_output.png"
            }
          ]
        }
        """;

    public const string FalExampleImage = "https://storage.googleapis.com/falserverless/example_outputs/flux2_flex_t2i_output.png";

    /// <summary>PROVIDERS.md: a documented example has a seed above 2^53, which a double cannot hold.</summary>
    public const string FalOutputWithLargeSeed = """{"images": [{"url": "https://storage.googleapis.com/falserverless/example_outputs/flux2_flex_t2i_output.png"}], "seed": 196619188014358660}""";

    /// <summary>fal queue docs: the submit answer, with no status. Its URLs are on queue.fal.run.</summary>
    public const string FalSubmit = """
        {
          "request_id": "764cabcf-b745-4b3e-ae38-1200304cf45b",
          "response_url": "https://queue.fal.run/fal-ai/flux-2-flex/requests/764cabcf-b745-4b3e-ae38-1200304cf45b",
          "status_url": "https://queue.fal.run/fal-ai/flux-2-flex/requests/764cabcf-b745-4b3e-ae38-1200304cf45b/status",
          "cancel_url": "https://queue.fal.run/fal-ai/flux-2-flex/requests/764cabcf-b745-4b3e-ae38-1200304cf45b/cancel"
        }
        """;

    /// <summary>Newer fal pages add queue_position to the submit answer.</summary>
    public const string FalSubmitWithPosition = """
        {
          "request_id": "764cabcf-b745-4b3e-ae38-1200304cf45b",
          "response_url": "https://queue.fal.run/fal-ai/flux-2-flex/requests/764cabcf-b745-4b3e-ae38-1200304cf45b",
          "status_url": "https://queue.fal.run/fal-ai/flux-2-flex/requests/764cabcf-b745-4b3e-ae38-1200304cf45b/status",
          "cancel_url": "https://queue.fal.run/fal-ai/flux-2-flex/requests/764cabcf-b745-4b3e-ae38-1200304cf45b/cancel",
          "queue_position": 0
        }
        """;

    /// <summary>The queue OpenAPI document types the submit answer as QueueStatus, status required.</summary>
    public const string FalSubmitAsQueueStatus = """{"status": "IN_QUEUE", "request_id": "764cabcf-b745-4b3e-ae38-1200304cf45b", "queue_position": 2}""";

    /// <summary>With a webhook, the submit answer may be as small as this.</summary>
    public const string FalSubmitWithWebhook = """{"request_id": "764cabcf-b745-4b3e-ae38-1200304cf45b"}""";

    public const string FalInQueue = """
        {
          "status": "IN_QUEUE",
          "queue_position": 0,
          "response_url": "https://queue.fal.run/fal-ai/flux-2-flex/requests/764cabcf-b745-4b3e-ae38-1200304cf45b"
        }
        """;

    public const string FalInProgress = """
        {
          "status": "IN_PROGRESS",
          "response_url": "https://queue.fal.run/fal-ai/flux-2-flex/requests/764cabcf-b745-4b3e-ae38-1200304cf45b",
          "logs": [
            {
              "message": "[INFO] Processing request",
              "level": "INFO",
              "source": "stdout",
              "timestamp": "2024-04-09T16:36:04.385823"
            }
          ]
        }
        """;

    public const string FalCompleted = """
        {
          "status": "COMPLETED",
          "response_url": "https://queue.fal.run/fal-ai/flux-2-flex/requests/764cabcf-b745-4b3e-ae38-1200304cf45b",
          "logs": [
            {
              "message": "[INFO] Processing request",
              "level": "INFO",
              "source": "stdout",
              "timestamp": "2024-04-09T16:36:04.385823"
            }
          ],
          "metrics": {
            "inference_time": 4.2
          }
        }
        """;

    public const string OxenGenerationId = "0b6a2f9e-5a3b-4c1d-9e8f-7a6b5c4d3e2f";

    /// <summary>Oxen async queue reference: the enqueue answer (newer copies say queued, older processing).</summary>
    public const string OxenEnqueued = """{"generations": [{"generation_id": "0b6a2f9e-5a3b-4c1d-9e8f-7a6b5c4d3e2f", "status": "queued"}]}""";

    public const string OxenEnqueuedOlder = """{"generations": [{"generation_id": "0b6a2f9e-5a3b-4c1d-9e8f-7a6b5c4d3e2f", "status": "processing"}]}""";

    public const string OxenEnqueuedTwo = """{"generations": [{"generation_id": "0b6a2f9e-5a3b-4c1d-9e8f-7a6b5c4d3e2f", "status": "queued"}, {"generation_id": "1c7b3a0f-6b4c-4d2e-8f90-8b7c6d5e4f30", "status": "queued"}]}""";

    public const string OxenQueued = """{"status": "queued"}""";

    public const string OxenProcessing = """{"status": "processing"}""";

    public const string OxenResult = "https://hub.oxen.ai/api/repos/elau/assets/file/main/generations/0b6a2f9e.png";

    public const string OxenSucceeded = """{"status": "succeeded", "result_url": "https://hub.oxen.ai/api/repos/elau/assets/file/main/generations/0b6a2f9e.png"}""";

    public const string OxenFailed = """{"status": "failed", "error_message": "NSFW content detected in the output"}""";

    /// <summary>The model pages match the completion event on generation_id alone.</summary>
    public const string OxenCompletedEvent = "event: media_generation_completed\ndata: {\"generation_id\": \"0b6a2f9e-5a3b-4c1d-9e8f-7a6b5c4d3e2f\"}\n\n";

    public const string ApiframeJobId = "5f0c2a8e-1d3b-4e6f-9a7c-2b4d6e8f0a1c";

    /// <summary>apiframe images page: generate answers 202 at once.</summary>
    public const string ApiframeAccepted = """{"jobId": "5f0c2a8e-1d3b-4e6f-9a7c-2b4d6e8f0a1c", "status": "QUEUED"}""";

    public const string ApiframeQueued = """{"id": "5f0c2a8e-1d3b-4e6f-9a7c-2b4d6e8f0a1c", "status": "QUEUED", "model": "flux-2-flex", "progress": 0, "result": null, "error": null, "creditCost": null, "webhookStatus": null, "createdAt": "2025-06-01T12:00:00Z", "completedAt": null}""";

    public const string ApiframeProcessing = """{"id": "5f0c2a8e-1d3b-4e6f-9a7c-2b4d6e8f0a1c", "status": "PROCESSING", "model": "flux-2-flex", "progress": 40, "result": null, "error": null, "creditCost": null, "webhookStatus": null, "createdAt": "2025-06-01T12:00:00Z", "completedAt": null}""";

    public const string ApiframeImage = "https://cdn.apiframe.ai/images/5f0c2a8e-1d3b-4e6f-9a7c-2b4d6e8f0a1c.png";

    /// <summary>apiframe jobs page: result as a URL string.</summary>
    public const string ApiframeCompletedUrl = """{"id": "5f0c2a8e-1d3b-4e6f-9a7c-2b4d6e8f0a1c", "status": "COMPLETED", "model": "flux-2-flex", "progress": 100, "result": "https://cdn.apiframe.ai/images/5f0c2a8e-1d3b-4e6f-9a7c-2b4d6e8f0a1c.png", "error": null, "creditCost": 4, "webhookStatus": null, "createdAt": "2025-06-01T12:00:00Z", "completedAt": "2025-06-01T12:00:09Z"}""";

    /// <summary>apiframe images page: result as {"images": [...]}.</summary>
    public const string ApiframeCompletedImages = """{"id": "5f0c2a8e-1d3b-4e6f-9a7c-2b4d6e8f0a1c", "status": "COMPLETED", "model": "flux-2-flex", "progress": 100, "result": {"images": ["https://cdn.apiframe.ai/images/5f0c2a8e-1d3b-4e6f-9a7c-2b4d6e8f0a1c.png", "https://cdn.apiframe.ai/images/5f0c2a8e-1d3b-4e6f-9a7c-2b4d6e8f0a1c-2.png"]}, "error": null, "creditCost": 4, "webhookStatus": null, "createdAt": "2025-06-01T12:00:00Z", "completedAt": "2025-06-01T12:00:09Z"}""";

    /// <summary>A failed job: credits refunded, error says why.</summary>
    public const string ApiframeFailed = """{"id": "5f0c2a8e-1d3b-4e6f-9a7c-2b4d6e8f0a1c", "status": "FAILED", "model": "flux-2-flex", "progress": 0, "result": null, "error": "Content policy violation: the prompt was rejected", "creditCost": 0, "webhookStatus": null, "createdAt": "2025-06-01T12:00:00Z", "completedAt": "2025-06-01T12:00:02Z"}""";
}

/// <summary>Each provider's documented answers replayed verbatim, over loopback, through the generated clients.</summary>
public sealed class DocumentedAnswerTests : IAsyncLifetime
{
    private const string Key = "replay-key-0123456789";
    private ReplayServer _server = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _server = await ReplayServer.StartAsync();
        _http = new HttpClient();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    private SchemaClientOptions Options() => new()
    {
        BaseAddress = _server.BaseUrl,
        QueueBaseAddress = _server.BaseUrl,
        ApiKey = Key,
        PollInterval = TimeSpan.FromMilliseconds(10),
        Retry = new RetryOptions { MaxRetries = 3, BaseDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromSeconds(2) },
    };

    private static CancellationToken Within(int seconds) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    private static FalFlex.Flux2FlexInput FalInput() => new() { Prompt = "a poster reading SUMMER SALE" };

    private static OxenFlex.Flux2FlexRequest OxenInput() => new() { Prompt = "a poster reading SUMMER SALE" };

    private static ApiframeFlex.Flux2FlexGenerateRequest ApiframeInput() => new() { Prompt = "a poster reading SUMMER SALE", Model = ApiframeFlex.ApiframeFlux2FlexClient.ModelId };

    private const string FalRequests = "/fal-ai/flux-2-flex/requests/" + DocumentedAnswers.FalRequestId;

    // ---------------------------------------------------------------- fal

    [SharedFact]
    public void TheFalExampleOutputHereIsTheSeedPagesTextVerbatim()
    {
        string page = File.ReadAllText(Directory.GetFiles(Path.Combine(TestRepository.Shared, "seeds"), "003_*.txt").Single());
        Match block = Regex.Match(page, @"\*\*Example Response\*\*:\s*```json\n(?<json>.*?)\n```", RegexOptions.Singleline, TimeSpan.FromSeconds(5));
        Assert.True(block.Success, "the seed page has no Example Response block");
        Assert.Equal(DocumentedAnswers.FalExampleOutput.ReplaceLineEndings("\n"), block.Groups["json"].Value.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task FalSyncReadsThePagesAbridgedExampleOutput()
    {
        _server.On("POST", "/fal-ai/flux-2-flex", Scripted.Json(200, DocumentedAnswers.FalExampleOutput));
        var client = new FalFlex.FalFlux2FlexClient(_http, Options());
        FalFlex.Flux2FlexOutput output = await client.RunAsync(FalInput(), Within(10));

        Assert.Equal(DocumentedAnswers.FalExampleImage, Assert.Single(output.Images!).Url);
        Assert.Null(output.Seed);
        Assert.Equal("$.seed required", string.Join(", ", output.Validate().Violations.Select(v => v.Path + " " + v.Rule)));
        Assert.Equal("Key " + Key, _server.To("POST", "/fal-ai/flux-2-flex").Single().Header("Authorization"));
    }

    [Fact]
    public async Task FalSeedsAboveTwoToThe53AreReadExactly()
    {
        _server.On("POST", "/fal-ai/flux-2-flex", Scripted.Json(200, DocumentedAnswers.FalOutputWithLargeSeed));
        FalFlex.Flux2FlexOutput output = await new FalFlex.FalFlux2FlexClient(_http, Options()).RunAsync(FalInput(), Within(10));
        Assert.Equal(196619188014358660L, output.Seed);
    }

    [Fact]
    public async Task FalUnknownMembersAndNewStatusValuesAreKept()
    {
        _server.On("POST", "/fal-ai/flux-2-flex", Scripted.Json(200, """{"images": [{"url": "https://x.test/a.png", "content_type": "image/png", "width": 1024}], "timings": {"inference": 1.5}, "has_nsfw_concepts": [false]}"""));
        FalFlex.Flux2FlexOutput output = await new FalFlex.FalFlux2FlexClient(_http, Options()).RunAsync(FalInput(), Within(10));
        Assert.Equal(new[] { "has_nsfw_concepts", "timings" }, output.AdditionalProperties!.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(1024, output.Images![0].AdditionalProperties!["width"].GetInt32());

        // The queue's status answers are read by the runtime, which keeps a status word it does not know.
        using var answer = System.Text.Json.JsonDocument.Parse("""{"status": "CANCELLED", "request_id": "r"}""");
        FalQueueStatus status = FalQueueStatus.Parse(answer.RootElement, "fallback");
        Assert.Equal("CANCELLED", status.Status);
        Assert.Equal(FalRequestState.Unknown, status.State);
        Assert.Equal("r", status.RequestId);
    }

    public static IEnumerable<object[]> FalSubmitAnswers() => new[]
    {
        new object[] { "docs", DocumentedAnswers.FalSubmit },
        new object[] { "newer docs", DocumentedAnswers.FalSubmitWithPosition },
        new object[] { "queue document", DocumentedAnswers.FalSubmitAsQueueStatus },
    };

    [Theory]
    [MemberData(nameof(FalSubmitAnswers))]
    public async Task FalQueueFlowEndsWithTheImageUrlWhateverSubmitAnswerCame(string source, string submit)
    {
        _server.On("POST", "/fal-ai/flux-2-flex", Scripted.Json(200, submit))
            .On("GET", FalRequests + "/status", Scripted.Json(200, DocumentedAnswers.FalInQueue), Scripted.Json(200, DocumentedAnswers.FalInProgress), Scripted.Json(200, DocumentedAnswers.FalCompleted))
            .On("GET", FalRequests, Scripted.Json(200, DocumentedAnswers.FalExampleOutput));
        var client = new FalFlex.FalFlux2FlexClient(_http, Options());
        var progress = new Recorder<QueueProgress>();
        FalFlex.Flux2FlexOutput output = await client.SubmitAndWaitAsync(FalInput(), progress, Within(10));

        Assert.True(DocumentedAnswers.FalExampleImage == output.Images![0].Url, source);
        Assert.Equal(new[] { "IN_QUEUE", "IN_PROGRESS", "COMPLETED" }, progress.Items.Select(p => p.Status).Distinct().ToArray());
        Assert.Contains(progress.Items, p => p.Log == "[INFO] Processing request");
        // The answer's URLs point at queue.fal.run, not at the configured queue host: the key went nowhere else, and
        // status and result were built from the document's paths on the configured host.
        Assert.All(_server.Requests, r => Assert.Equal("Key " + Key, r.Header("Authorization")));
        Assert.Equal("?logs=1", _server.To("GET", FalRequests + "/status")[0].Query);
    }

    [Fact]
    public async Task FalStatusResultAndCancelGoToTheUrlsTheSubmitAnswerReturnedOnTheQueueHost()
    {
        string elsewhere = _server.BaseUrl + "returned/fal-ai/flux-2-flex/requests/r1";
        _server.On("POST", "/fal-ai/flux-2-flex", Scripted.Json(200, "{\"request_id\":\"r1\",\"response_url\":\"" + elsewhere + "\",\"status_url\":\"" + elsewhere + "/status\",\"cancel_url\":\"" + elsewhere + "/cancel\"}"))
            .On("GET", "/returned/fal-ai/flux-2-flex/requests/r1/status", Scripted.Json(200, DocumentedAnswers.FalCompleted))
            .On("GET", "/returned/fal-ai/flux-2-flex/requests/r1", Scripted.Json(200, DocumentedAnswers.FalExampleOutput))
            .On("PUT", "/returned/fal-ai/flux-2-flex/requests/r1/cancel", Scripted.Json(400, """{"status": "ALREADY_COMPLETED"}"""));
        var client = new FalFlex.FalFlux2FlexClient(_http, Options());
        FalQueuedRequest submitted = await client.SubmitAsync(FalInput(), Within(10));
        Assert.True((await client.WaitAsync(submitted, null, Within(10))).IsCompleted);
        Assert.NotNull((await client.GetResultAsync(submitted, Within(10))).Images);
        Assert.Equal(FalCancelOutcome.AlreadyCompleted, (await client.CancelAsync(submitted, Within(10))).Outcome);

        // Known only by its id, the same request is found by the document's paths.
        _server.On("GET", "/fal-ai/flux-2-flex/requests/r1/status", Scripted.Json(200, DocumentedAnswers.FalCompleted));
        Assert.True((await client.GetStatusAsync("r1", false, Within(10))).IsCompleted);
    }

    [Fact]
    public async Task FalSubmitWithAWebhookSendsFalWebhookAndReadsTheIdOnlyAnswer()
    {
        _server.On("POST", "/fal-ai/flux-2-flex", Scripted.Json(200, DocumentedAnswers.FalSubmitWithWebhook))
            .On("GET", FalRequests + "/status", Scripted.Json(200, DocumentedAnswers.FalCompleted));
        var client = new FalFlex.FalFlux2FlexClient(_http, Options());
        FalQueuedRequest submitted = await client.SubmitAsync(FalInput(), new Uri("https://example.test/hooks/fal?user=1"), Within(10));

        Assert.Equal(DocumentedAnswers.FalRequestId, submitted.RequestId);
        Assert.Equal("?fal_webhook=" + Uri.EscapeDataString("https://example.test/hooks/fal?user=1"), _server.To("POST", "/fal-ai/flux-2-flex").Single().Query);
        Assert.True((await client.GetStatusAsync(submitted, false, Within(10))).IsCompleted);
    }

    [Theory]
    [InlineData(200, """{"success": true}""", FalCancelOutcome.CancellationRequested)]
    [InlineData(200, """{"success": false}""", FalCancelOutcome.AlreadyCompleted)]
    [InlineData(202, """{"status": "CANCELLATION_REQUESTED"}""", FalCancelOutcome.CancellationRequested)]
    [InlineData(400, """{"status": "ALREADY_COMPLETED"}""", FalCancelOutcome.AlreadyCompleted)]
    [InlineData(409, """{"status": "ALREADY_COMPLETED"}""", FalCancelOutcome.AlreadyCompleted)]
    [InlineData(404, """{"status": "NOT_FOUND"}""", FalCancelOutcome.NotFound)]
    [InlineData(404, "", FalCancelOutcome.NotFound)]
    [InlineData(204, "", FalCancelOutcome.CancellationRequested)]
    public async Task FalCancelMapsEveryDocumentedAnswerToAResult(int status, string body, FalCancelOutcome expected)
    {
        _server.On("PUT", FalRequests + "/cancel", new Scripted(status, body.Length == 0 ? null : body));
        FalCancelResult result = await new FalFlex.FalFlux2FlexClient(_http, Options()).CancelAsync(DocumentedAnswers.FalRequestId, Within(10));
        Assert.Equal(expected, result.Outcome);
        Assert.Equal((HttpStatusCode)status, result.StatusCode);
        Assert.Single(_server.Requests); // a 4xx outcome is an answer, not a failure to retry
    }

    [Fact]
    public async Task FalCancelAnswersThatNameNoOutcomeOrFailAuthStayErrors()
    {
        _server.On("PUT", FalRequests + "/cancel", Scripted.Json(401, """{"detail": "Unauthorized"}"""));
        var client = new FalFlex.FalFlux2FlexClient(_http, Options());
        Assert.Equal(HttpStatusCode.Unauthorized, (await Assert.ThrowsAsync<ProviderApiException>(() => client.CancelAsync(DocumentedAnswers.FalRequestId, Within(10)))).StatusCode);
        await using ReplayServer other = await ReplayServer.StartAsync();
        other.On("PUT", FalRequests + "/cancel", Scripted.Json(400, """{"detail": "bad request"}"""));
        SchemaClientOptions options = Options();
        options.QueueBaseAddress = other.BaseUrl;
        ProviderApiException unclear = await Assert.ThrowsAsync<ProviderApiException>(() => new FalFlex.FalFlux2FlexClient(_http, options).CancelAsync(DocumentedAnswers.FalRequestId, Within(10)));
        Assert.Contains("no cancellation outcome", unclear.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FalStatusStreamYieldsTheDocumentedStatusesUntilCompleted()
    {
        static string Data(string json) => "data: " + json.ReplaceLineEndings(" ") + "\n\n";
        _server.On("GET", FalRequests + "/status/stream", Scripted.Events(Data(DocumentedAnswers.FalInQueue) + Data(DocumentedAnswers.FalInProgress) + Data(DocumentedAnswers.FalCompleted)));
        var states = new List<FalRequestState>();
        await foreach (FalQueueStatus status in new FalFlex.FalFlux2FlexClient(_http, Options()).StreamStatusAsync(DocumentedAnswers.FalRequestId, true, Within(10)))
        {
            states.Add(status.State);
        }

        Assert.Equal(new[] { FalRequestState.InQueue, FalRequestState.InProgress, FalRequestState.Completed }, states);
        Assert.Single(_server.To("GET", FalRequests + "/status/stream")); // it stopped at COMPLETED instead of reconnecting
    }

    [Fact]
    public async Task AFalSubmitAnswered500IsSentExactlyOnceAndEndsInATypedError()
    {
        _server.On("POST", "/fal-ai/flux-2-flex", Scripted.Json(500, """{"detail": "Internal Server Error"}"""), Scripted.Json(200, DocumentedAnswers.FalSubmit));
        ProviderApiException e = await Assert.ThrowsAsync<ProviderApiException>(() => new FalFlex.FalFlux2FlexClient(_http, Options()).SubmitAsync(FalInput(), Within(10)));
        Assert.Equal(HttpStatusCode.InternalServerError, e.StatusCode);
        Assert.Single(_server.To("POST", "/fal-ai/flux-2-flex"));
    }

    [Fact]
    public async Task AFalSubmitAnswered429WithRetryAfterIsSentAgain()
    {
        _server.On("POST", "/fal-ai/flux-2-flex", new Scripted(429, """{"detail": "rate limited"}""", Headers: new Dictionary<string, string> { ["Retry-After"] = "1" }), Scripted.Json(200, DocumentedAnswers.FalSubmit));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        FalQueuedRequest submitted = await new FalFlex.FalFlux2FlexClient(_http, Options()).SubmitAsync(FalInput(), Within(10));
        Assert.Equal(DocumentedAnswers.FalRequestId, submitted.RequestId);
        Assert.Equal(2, _server.To("POST", "/fal-ai/flux-2-flex").Count);
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(0.9), "Retry-After was not honoured: " + watch.Elapsed);
    }

    // ---------------------------------------------------------------- Oxen

    [Theory]
    [InlineData(DocumentedAnswers.OxenEnqueued)]
    [InlineData(DocumentedAnswers.OxenEnqueuedOlder)]
    public async Task OxenQueueFlowEndsWithTheResultUrl(string enqueued)
    {
        _server.On("POST", "/api/ai/queue", Scripted.Json(200, enqueued))
            .On("GET", "/api/ai/queue/" + DocumentedAnswers.OxenGenerationId, Scripted.Json(200, DocumentedAnswers.OxenQueued), Scripted.Json(200, DocumentedAnswers.OxenProcessing), Scripted.Json(200, DocumentedAnswers.OxenSucceeded));
        OxenGeneration done = await new OxenFlex.OxenFlux2FlexClient(_http, Options()).EnqueueAndWaitAsync(OxenInput(), null, Within(10));

        Assert.Equal(DocumentedAnswers.OxenGenerationId, done.GenerationId); // the poll answer has no id: the client keeps it
        Assert.Equal(new Uri(DocumentedAnswers.OxenResult), done.ResultUrl);
        string body = _server.To("POST", "/api/ai/queue").Single().Body;
        Assert.StartsWith("{\"model\":\"flux-2-flex\",\"prompt\":", body, StringComparison.Ordinal);
        Assert.Equal("Bearer " + Key, _server.Requests[0].Header("Authorization"));
    }

    [Fact]
    public async Task AnOxenGenerationThatFailsEndsInTheDocumentedExceptionWithItsMessage()
    {
        _server.On("POST", "/api/ai/queue", Scripted.Json(200, DocumentedAnswers.OxenEnqueued))
            .On("GET", "/api/ai/queue/" + DocumentedAnswers.OxenGenerationId, Scripted.Json(200, DocumentedAnswers.OxenProcessing), Scripted.Json(200, DocumentedAnswers.OxenFailed));
        QueueJobFailedException e = await Assert.ThrowsAsync<QueueJobFailedException>(() => new OxenFlex.OxenFlux2FlexClient(_http, Options()).EnqueueAndWaitAsync(OxenInput(), null, Within(10)));
        Assert.Equal("failed", e.Status);
        Assert.Equal("NSFW content detected in the output", e.Reason);
    }

    [Fact]
    public async Task AnOxenCompletionEventWithOnlyTheIdEndsTheWaitAndTheResultIsReadFromTheGeneration()
    {
        _server.On("POST", "/api/ai/queue", Scripted.Json(200, DocumentedAnswers.OxenEnqueued))
            .On("GET", "/api/events", Scripted.Events(": connected\n\n" + DocumentedAnswers.OxenCompletedEvent))
            .On("GET", "/api/ai/queue/" + DocumentedAnswers.OxenGenerationId, Scripted.Json(200, DocumentedAnswers.OxenProcessing), Scripted.Json(200, DocumentedAnswers.OxenSucceeded));
        var client = new OxenFlex.OxenFlux2FlexClient(_http, Options());
        OxenGeneration queued = (await client.EnqueueAsync(OxenInput(), Within(10))).First;
        OxenGeneration done = await client.WaitForCompletionEventAsync(queued.GenerationId, Within(10));

        Assert.True(done.Succeeded);
        Assert.Equal(new Uri(DocumentedAnswers.OxenResult), done.ResultUrl);
        Assert.Equal(2, _server.To("GET", "/api/ai/queue/" + DocumentedAnswers.OxenGenerationId).Count); // once before the event, once after
    }

    [Fact]
    public async Task AnEventStreamReconnectsAfterTheServersRetryWithLastEventId()
    {
        _server.On("POST", "/api/ai/queue", Scripted.Json(200, DocumentedAnswers.OxenEnqueued))
            .On("GET", "/api/events", Scripted.Events("retry: 50\nid: 7\nevent: media_generation_started\ndata: {\"generation_id\": \"other\"}\n\n"), Scripted.Events("id: 8\n" + DocumentedAnswers.OxenCompletedEvent))
            .On("GET", "/api/ai/queue/" + DocumentedAnswers.OxenGenerationId, Scripted.Json(200, DocumentedAnswers.OxenProcessing), Scripted.Json(200, DocumentedAnswers.OxenSucceeded));
        var client = new OxenFlex.OxenFlux2FlexClient(_http, Options());
        OxenGeneration done = await client.WaitForCompletionEventAsync(DocumentedAnswers.OxenGenerationId, Within(10));

        Assert.True(done.Succeeded);
        IReadOnlyList<Seen> connections = _server.To("GET", "/api/events");
        Assert.Equal(2, connections.Count);
        Assert.Null(connections[0].Header("Last-Event-ID"));
        Assert.Equal("7", connections[1].Header("Last-Event-ID"));
        Assert.Equal("text/event-stream", connections[1].Header("Accept"));
    }

    [Fact]
    public async Task OxenEnqueueWithTwoGenerationsReturnsBothAndSendsTheQueueParameters()
    {
        _server.On("POST", "/api/ai/queue", Scripted.Json(200, DocumentedAnswers.OxenEnqueuedTwo));
        OxenQueueSubmission queued = await new OxenFlex.OxenFlux2FlexClient(_http, Options()).EnqueueAsync(OxenInput(), new OxenQueueOptions { NumGenerations = 2, TargetNamespace = "my-team" }, Within(10));

        Assert.Equal(new[] { DocumentedAnswers.OxenGenerationId, "1c7b3a0f-6b4c-4d2e-8f90-8b7c6d5e4f30" }, queued.GenerationIds);
        string body = _server.To("POST", "/api/ai/queue").Single().Body;
        Assert.EndsWith(",\"num_generations\":2,\"target_namespace\":\"my-team\"}", body, StringComparison.Ordinal);
    }

    // ---------------------------------------------------------------- apiframe

    [Theory]
    [InlineData(DocumentedAnswers.ApiframeCompletedUrl, 1)]
    [InlineData(DocumentedAnswers.ApiframeCompletedImages, 2)]
    public async Task ApiframeJobFlowEndsWithTheImageUrls(string completed, int images)
    {
        _server.On("POST", "/v2/images/generate", Scripted.Json(202, DocumentedAnswers.ApiframeAccepted))
            .On("GET", "/v2/jobs/" + DocumentedAnswers.ApiframeJobId, Scripted.Json(200, DocumentedAnswers.ApiframeQueued), Scripted.Json(200, DocumentedAnswers.ApiframeProcessing), Scripted.Json(200, completed));
        var progress = new Recorder<QueueProgress>();
        ApiframeJob done = await new ApiframeFlex.ApiframeFlux2FlexClient(_http, Options()).GenerateAndWaitAsync(ApiframeInput(), progress, Within(10));

        Assert.Equal(images, done.ResultUrls.Count);
        Assert.Equal(new Uri(DocumentedAnswers.ApiframeImage), done.ResultUrls[0]);
        Assert.Equal(4, done.CreditCost);
        Assert.Equal(new DateTimeOffset(2025, 6, 1, 12, 0, 9, TimeSpan.Zero), done.CompletedAt);
        Assert.Equal(new int?[] { 0, 40, 100 }, progress.Items.Select(p => p.Percent).ToArray());
        Seen generate = _server.To("POST", "/v2/images/generate").Single();
        Assert.Equal(Key, generate.Header("X-API-Key"));
        Assert.True(Guid.TryParse(generate.Header("Idempotency-Key"), out _));
    }

    [Fact]
    public async Task AFailedApiframeJobEndsInTheDocumentedExceptionWithApiframesError()
    {
        _server.On("POST", "/v2/images/generate", Scripted.Json(202, DocumentedAnswers.ApiframeAccepted))
            .On("GET", "/v2/jobs/" + DocumentedAnswers.ApiframeJobId, Scripted.Json(200, DocumentedAnswers.ApiframeProcessing), Scripted.Json(200, DocumentedAnswers.ApiframeFailed));
        QueueJobFailedException e = await Assert.ThrowsAsync<QueueJobFailedException>(() => new ApiframeFlex.ApiframeFlux2FlexClient(_http, Options()).GenerateAndWaitAsync(ApiframeInput(), null, Within(10)));
        Assert.Equal("FAILED", e.Status);
        Assert.Equal("Content policy violation: the prompt was rejected", e.Reason);
    }

    [Fact]
    public async Task AnApiframeGenerateAnswered500IsRetriedAndBothAttemptsCarryTheSameIdempotencyKey()
    {
        _server.On("POST", "/v2/images/generate", Scripted.Json(500, """{"error": "internal"}"""), Scripted.Json(202, DocumentedAnswers.ApiframeAccepted));
        ApiframeJob job = await new ApiframeFlex.ApiframeFlux2FlexClient(_http, Options()).GenerateAsync(ApiframeInput(), Within(10));

        Assert.Equal(DocumentedAnswers.ApiframeJobId, job.Id);
        IReadOnlyList<Seen> attempts = _server.To("POST", "/v2/images/generate");
        Assert.Equal(2, attempts.Count);
        Assert.NotNull(attempts[0].Header("Idempotency-Key"));
        Assert.Equal(attempts[0].Header("Idempotency-Key"), attempts[1].Header("Idempotency-Key"));
    }
}

/// <summary>fal's documented webhook deliveries read into <see cref="FalWebhookDelivery"/>.</summary>
public sealed class FalWebhookTests
{
    [Fact]
    public void ASuccessfulDeliveryCarriesTheTypedOutput()
    {
        FalWebhookDelivery delivery = FalWebhookDelivery.Parse(System.Text.Encoding.UTF8.GetBytes(
            "{\"request_id\": \"" + DocumentedAnswers.FalRequestId + "\", \"gateway_request_id\": \"" + DocumentedAnswers.FalRequestId + "\", \"status\": \"OK\", \"payload\": " + DocumentedAnswers.FalExampleOutput + ", \"error\": null}"))!;
        Assert.True(delivery.IsOk);
        Assert.Equal(DocumentedAnswers.FalRequestId, delivery.RequestId);
        FalFlex.Flux2FlexOutput output = delivery.PayloadAs(Schemas.SchemaClientsJsonContext.Default.FalFlux2FlexFlux2FlexOutput)!;
        Assert.Equal(DocumentedAnswers.FalExampleImage, output.Images![0].Url);
    }

    [Fact]
    public void FailedAndUnreadableDeliveriesSayWhy()
    {
        FalWebhookDelivery error = FalWebhookDelivery.Parse("""{"request_id": "r", "gateway_request_id": "g", "status": "ERROR", "payload": {"detail": [{"loc": ["body", "prompt"], "msg": "field required"}]}, "error": "Invalid status code: 422"}"""u8)!;
        Assert.False(error.IsOk);
        Assert.Equal("Invalid status code: 422", error.Error);
        Assert.Null(error.PayloadAs(Schemas.SchemaClientsJsonContext.Default.FalFlux2FlexFlux2FlexOutput));

        FalWebhookDelivery unreadable = FalWebhookDelivery.Parse("""{"request_id": "r", "status": "OK", "payload": null, "payload_error": "Response payload is not JSON serializable"}"""u8)!;
        Assert.Equal("Response payload is not JSON serializable", unreadable.PayloadError);
        Assert.Null(unreadable.PayloadAs(Schemas.SchemaClientsJsonContext.Default.FalFlux2FlexFlux2FlexOutput));

        Assert.Null(FalWebhookDelivery.Parse("not json"u8));
        Assert.Null(FalWebhookDelivery.Parse("""{"status": "OK"}"""u8));
    }
}

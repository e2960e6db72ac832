using System;
using System.Linq;
using System.Text.Json;
using SchemaClients.Clients;
using Xunit;

namespace SchemaClients.Runtime.Tests;

/// <summary>
/// The protocol types read the providers' answers liberally: a member of another JSON type than documented reads as
/// null or is converted when the meaning is plain (a number sent as a string), never as an exception.
/// </summary>
public sealed class LiberalReadingTests
{
    private static JsonElement Json(string text)
    {
        using JsonDocument document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    [Theory]
    [InlineData("55", 55)]
    [InlineData("\"55\"", 55)]
    [InlineData("55.6", 56)]
    [InlineData("150", 100)]
    [InlineData("-5", 0)]
    [InlineData("1e12", null)]
    [InlineData("\"fifty\"", null)]
    [InlineData("true", null)]
    [InlineData("null", null)]
    public void ProgressIsAPercentageFromANumberOrAString(string value, int? expected)
        => Assert.Equal(expected, ApiframeJob.Parse(Json("{\"jobId\":\"j\",\"progress\":" + value + "}"))!.Progress);

    [Theory]
    [InlineData("4", 4.0)]
    [InlineData("\"4.5\"", 4.5)]
    [InlineData("\"-\"", null)]
    [InlineData("[]", null)]
    public void NumbersAreReadFromNumbersOrNumericStrings(string value, double? expected)
        => Assert.Equal(expected, ApiframeJob.Parse(Json("{\"jobId\":\"j\",\"creditCost\":" + value + "}"))!.CreditCost);

    [Theory]
    [InlineData("\"2026-12-01T10:30:00Z\"", "2026-12-01T10:30:00+00:00")]
    [InlineData("\"2026-12-01T10:30:00\"", "2026-12-01T10:30:00+00:00")]
    [InlineData("\"2026-12-01T12:30:00+02:00\"", "2026-12-01T10:30:00+00:00")]
    [InlineData("1764585000", "2025-12-01T10:30:00+00:00")]
    [InlineData("0", "1970-01-01T00:00:00+00:00")]
    [InlineData("-1", null)]
    [InlineData("253402300800", null)]
    [InlineData("1.5", null)]
    [InlineData("\"yesterday\"", null)]
    public void TimesAreIsoTextOrUnixSecondsInUtc(string value, string? expected)
    {
        DateTimeOffset? time = ApiframeJob.Parse(Json("{\"jobId\":\"j\",\"createdAt\":" + value + ",\"completedAt\":" + value + "}"))!.CreatedAt;
        Assert.Equal(expected, time?.ToString("yyyy-MM-ddTHH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(time, ApiframeJob.Parse(Json("{\"id\":\"j\",\"completedAt\":" + value + "}"))!.CompletedAt);
    }

    [Fact]
    public void IdsTextAndUrlsOfTheWrongKindReadAsNull()
    {
        Assert.Null(ApiframeJob.Parse(Json("{\"jobId\":5}")));
        Assert.Null(ApiframeJob.Parse(Json("[\"jobId\"]")));
        Assert.Equal("fallback", ApiframeJob.Parse(Json("{\"jobId\":5}"), "fallback")!.Id);
        Assert.Equal("second", ApiframeJob.Parse(Json("{\"id\":\"second\"}"))!.Id);
        Assert.Equal("first", ApiframeJob.Parse(Json("{\"jobId\":\"first\",\"id\":\"second\"}"))!.Id);

        ApiframeJob job = ApiframeJob.Parse(Json("""
            {"jobId":"j","status":"COMPLETED","model":7,"webhookStatus":"delivered",
             "result":{"images":["https://cdn.example/a.png",{"url":"https://cdn.example/b.png"},{"url":"ftp://cdn.example/c.png"},"not a url","https://cdn.example/a.png",3],"url":"data:image/png;base64,AAAA"}}
            """))!;
        Assert.Null(job.Model);
        Assert.Equal("delivered", job.WebhookStatus);
        Assert.Equal(new[] { "https://cdn.example/a.png", "https://cdn.example/b.png", "data:image/png;base64,AAAA" }, job.ResultUrls.Select(u => u.OriginalString));
        Assert.Equal(new[] { "http://cdn.example/x.png" }, ApiframeJob.Parse(Json("{\"jobId\":\"j\",\"result\":[\"http://cdn.example/x.png\"]}"))!.ResultUrls.Select(u => u.OriginalString));
        Assert.Empty(ApiframeJob.Parse(Json("{\"jobId\":\"j\",\"result\":{\"images\":\"https://cdn.example/a.png\"}}"))!.ResultUrls);
        Assert.Empty(ApiframeJob.Parse(Json("{\"jobId\":\"j\",\"result\":7}"))!.ResultUrls);
    }

    [Theory]
    [InlineData("\"quota exceeded\"", "quota exceeded")]
    [InlineData("{\"message\":\"quota exceeded\",\"code\":402}", "quota exceeded")]
    [InlineData("{\"code\":402}", "{\"code\":402}")]
    [InlineData("402", "402")]
    [InlineData("null", null)]
    public void AnApiframeErrorIsItsTextItsMessageOrItsJson(string error, string? expected)
        => Assert.Equal(expected, ApiframeJob.Parse(Json("{\"jobId\":\"j\",\"status\":\"FAILED\",\"error\":" + error + "}"))!.Error);

    [Fact]
    public void FalAnswersReadTheirNumbersUrlsAndLogsLiberally()
    {
        FalQueuedRequest submitted = FalQueuedRequest.Parse(Json("""
            {"request_id":"r1","response_url":"https://queue.fal.run/x/requests/r1","status_url":"not a url","cancel_url":7,"queue_position":"3","status":"IN_QUEUE","gateway_request_id":"g1"}
            """))!;
        Assert.Equal("r1", submitted.RequestId);
        Assert.Equal(new Uri("https://queue.fal.run/x/requests/r1"), submitted.ResponseUrl);
        Assert.Null(submitted.StatusUrl);
        Assert.Null(submitted.CancelUrl);
        Assert.Equal(3, submitted.QueuePosition);
        Assert.Equal("IN_QUEUE", submitted.Status);
        Assert.Equal("g1", submitted.GatewayRequestId);
        Assert.Null(FalQueuedRequest.Parse(Json("{\"request_id\":\"\"}")));
        Assert.Null(FalQueuedRequest.Parse(Json("{\"request_id\":null}")));

        FalQueueStatus status = FalQueueStatus.Parse(Json("""
            {"status":"COMPLETED","logs":{"lines":[{"message":"step 1"},"step 2",{"level":"INFO"},3]},"metrics":{"inference_time":"2.5"},"error":"boom"}
            """), "fallback");
        Assert.Equal("fallback", status.RequestId);
        Assert.Equal(new[] { "step 1", "step 2" }, status.Logs);
        Assert.Equal(TimeSpan.FromSeconds(2.5), status.InferenceTime);
        Assert.True(status.IsCompleted);
        Assert.Equal("boom", status.Error);
        Assert.Null(FalQueueStatus.Parse(Json("{\"metrics\":{\"inference_time\":-1}}"), "r").InferenceTime);
        Assert.Null(FalQueueStatus.Parse(Json("{\"metrics\":{\"inference_time\":1e300}}"), "r").InferenceTime);
        Assert.Equal(FalRequestState.Unknown, FalQueueStatus.Parse(Json("{\"status\":\"PAUSED\"}"), "r").State);
        Assert.Equal(FalRequestState.Unknown, FalQueueStatus.Parse(Json("\"COMPLETED\""), "r").State);
    }

    [Fact]
    public void OxenGenerationsKeepOnlyAbsoluteHttpOrDataResultUrls()
    {
        Assert.Equal(new Uri("https://hub.oxen.ai/r.png"), OxenGeneration.Parse(Json("{\"generation_id\":\"g\",\"status\":\"succeeded\",\"result_url\":\"https://hub.oxen.ai/r.png\"}"))!.ResultUrl);
        Assert.Null(OxenGeneration.Parse(Json("{\"generation_id\":\"g\",\"result_url\":\"/relative.png\"}"))!.ResultUrl);
        Assert.Null(OxenGeneration.Parse(Json("{\"generation_id\":\"g\",\"result_url\":\"file:///etc/passwd\"}"))!.ResultUrl);
        Assert.Equal("g2", OxenGeneration.Parse(Json("{\"id\":\"g2\"}"))!.GenerationId);
        Assert.Equal("fb", OxenGeneration.Parse(Json("{\"status\":\"queued\"}"), "fb")!.GenerationId);
    }

    [Fact]
    public void AFailedJobCarriesItsProviderIdStatusAndReason()
    {
        var failed = new QueueJobFailedException("oxen", "gen-1", "failed", "out of memory");
        Assert.Equal("oxen request gen-1 ended failed: out of memory", failed.Message);
        Assert.Equal(("oxen", "gen-1", "failed", "out of memory"), (failed.Provider, failed.JobId, failed.Status, failed.Reason));
        Assert.Equal("fal request r ended cancelled.", new QueueJobFailedException("fal", "r", "cancelled", null).Message);
        Assert.Equal("fal request r ended cancelled.", new QueueJobFailedException("fal", "r", "cancelled", string.Empty).Message);
    }
    [Theory]
    [InlineData("QUEUED", ApiframeJobState.Queued, false)]
    [InlineData("PROCESSING", ApiframeJobState.Processing, false)]
    [InlineData("COMPLETED", ApiframeJobState.Completed, true)]
    [InlineData("FAILED", ApiframeJobState.Failed, true)]
    [InlineData("processing", ApiframeJobState.Unknown, false)]
    public void EachApiframeStatusWordHasItsState(string status, ApiframeJobState state, bool terminal)
    {
        ApiframeJob job = ApiframeJob.Parse(Json("{\"jobId\":\"j\",\"status\":\"" + status + "\",\"model\":\"flux-2-pro\"}"), "fallback")!;
        Assert.Equal((state, terminal), (job.State, job.IsTerminal));
        Assert.Equal("j", job.Id); // the answer's own id wins over the fallback
        Assert.Equal("flux-2-pro", job.Model);
    }

    [Theory]
    [InlineData("queued", OxenGenerationState.Queued, false)]
    [InlineData("processing", OxenGenerationState.Processing, false)]
    [InlineData("succeeded", OxenGenerationState.Succeeded, true)]
    [InlineData("failed", OxenGenerationState.Failed, true)]
    [InlineData("cancelled", OxenGenerationState.Cancelled, true)]
    [InlineData("QUEUED", OxenGenerationState.Unknown, false)]
    public void EachOxenStatusWordHasItsState(string status, OxenGenerationState state, bool terminal)
    {
        OxenGeneration generation = OxenGeneration.Parse(Json("{\"generation_id\":\"g\",\"status\":\"" + status + "\"}"), "fallback")!;
        Assert.Equal((state, terminal, state == OxenGenerationState.Succeeded), (generation.State, generation.IsTerminal, generation.Succeeded));
        Assert.Equal("g", generation.GenerationId); // the answer's own id wins over the fallback
    }

    [Fact]
    public void AFalStatusReadsItsPositionAndResultUrlAndAnInferenceTimeAtTheEdges()
    {
        FalQueueStatus status = FalQueueStatus.Parse(Json("{\"status\":\"IN_QUEUE\",\"request_id\":\"r9\",\"queue_position\":2,\"response_url\":\"https://queue.fal.run/x/requests/r9\"}"), "fallback");
        Assert.Equal(("IN_QUEUE", "r9", 2), (status.Status, status.RequestId, status.QueuePosition));
        Assert.Equal(new Uri("https://queue.fal.run/x/requests/r9"), status.ResponseUrl);
        Assert.Equal(TimeSpan.Zero, FalQueueStatus.Parse(Json("{\"metrics\":{\"inference_time\":0}}"), "r").InferenceTime);

        // the largest time a TimeSpan cannot hold reads as unknown, not as an overflow
        string max = TimeSpan.MaxValue.TotalSeconds.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Null(FalQueueStatus.Parse(Json("{\"metrics\":{\"inference_time\":" + max + "}}"), "r").InferenceTime);
    }

    [Theory]
    [InlineData("2147483647.0", 2147483647)]
    [InlineData("-2147483648.0", -2147483648)]
    [InlineData("2147483648.0", null)]
    [InlineData("2.4", 2)]
    public void AWholeNumberWrittenWithAFractionIsReadWithinThe32BitRange(string value, int? expected)
        => Assert.Equal(expected, FalQueuedRequest.Parse(Json("{\"request_id\":\"r\",\"queue_position\":" + value + "}"))!.QueuePosition);

    [Fact]
    public void ARequestMadeFromAnIdNeedsAnId()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => FalQueuedRequest.FromId(string.Empty));
        Assert.Equal("requestId", e.ParamName);
        Assert.StartsWith("A request id cannot be empty.", e.Message, StringComparison.Ordinal);
        FalQueuedRequest fromText = "r-7";
        Assert.Equal(("r-7", JsonValueKind.Undefined), (fromText.RequestId, fromText.Json.ValueKind));
    }

    [Fact]
    public void AWebhookDeliveryReadsItsIdsAndStatusAndRefusesWhatIsNotJson()
    {
        FalWebhookDelivery delivery = FalWebhookDelivery.Parse("{\"request_id\":\"r1\",\"gateway_request_id\":\"g1\",\"status\":\"ERROR\",\"error\":\"boom\",\"payload\":null}"u8)!;
        Assert.Equal(("r1", "g1", "ERROR", false, "boom"), (delivery.RequestId, delivery.GatewayRequestId, delivery.Status, delivery.IsOk, delivery.Error));
        Assert.Null(FalWebhookDelivery.Parse("{\"request_id\":"u8));
        Assert.Null(FalWebhookDelivery.Parse("not json"u8));
        Assert.Equal("outputType", Assert.Throws<ArgumentNullException>(() => delivery.PayloadAs<EchoResult>(null!)).ParamName);
    }

    [Fact]
    public void AResultFileShowsItsUrlOrOnlyTheSizeOfItsDataUri()
    {
        Assert.Equal("https://cdn.example/a.png", new ResultFile("https://cdn.example/a.png", "image/png").ToString());
        Assert.Equal("data URI (1,234 characters)", new ResultFile("data:image/png;base64," + new string('A', 1234 - 22), null).ToString());
        Assert.Equal("path", Assert.Throws<ArgumentException>(() => ResultFiles.PathFor(string.Empty, "image/png")).ParamName);
    }

    [Fact]
    public void FilesAreFoundAsDeepAsSixtyFourLevelsAndAContentTypeThatIsNoStringIsIgnored()
    {
        static JsonElement Nested(int depth)
        {
            string text = new string('[', depth) + "\"https://cdn.example/deep.png\"" + new string(']', depth);
            using JsonDocument document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 256 });
            return document.RootElement.Clone();
        }

        Assert.Single(ResultFiles.FindFiles(Nested(64)));
        Assert.Empty(ResultFiles.FindFiles(Nested(65)));
        Assert.Empty(ResultFiles.FindFiles(Nested(200)));
        using (JsonDocument deepObjects = JsonDocument.Parse(string.Concat(Enumerable.Repeat("{\"a\":", 100)) + "\"https://cdn.example/o.png\"" + new string('}', 100), new JsonDocumentOptions { MaxDepth = 256 }))
        {
            Assert.Empty(ResultFiles.FindFiles(deepObjects.RootElement));
        }

        ResultFile file = Assert.Single(ResultFiles.FindFiles(Json("{\"url\":\"https://cdn.example/a.png\",\"content_type\":5}")));
        Assert.Null(file.ContentType);
    }
}

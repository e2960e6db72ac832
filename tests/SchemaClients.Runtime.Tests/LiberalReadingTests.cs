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
}

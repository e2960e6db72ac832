using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace SchemaClients.Emulator.Tests;

/// <summary>The emulator's inference contracts over real loopback HTTP.</summary>
public sealed class EmulatorTests : IAsyncLifetime
{
    private ProviderEmulator _emulator = null!;
    private HttpClient _http = null!;

    private static string Root => SchemaClients.Testing.TestRepository.Root;

    public async Task InitializeAsync()
    {
        _emulator = await ProviderEmulator.StartAsync(new EmulatorOptions { Root = Root, QueueTime = TimeSpan.FromMilliseconds(1000), RunTime = TimeSpan.FromMilliseconds(1000) });
        _http = new HttpClient { BaseAddress = new Uri(_emulator.BaseUrl) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _emulator.DisposeAsync();
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> Send(HttpMethod method, string path, string? json, string provider, bool auth = true)
    {
        using var request = new HttpRequestMessage(method, path);
        if (auth)
        {
            if (provider == "oxen")
            {
                request.Headers.TryAddWithoutValidation("Authorization", "Bearer emulator-key");
            }
            else if (provider == "fal")
            {
                request.Headers.TryAddWithoutValidation("Authorization", "Key emulator-key");
            }
            else
            {
                request.Headers.TryAddWithoutValidation("X-API-Key", "emulator-key");
            }
        }

        if (json != null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using HttpResponseMessage response = await _http.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    [Fact]
    public async Task FalsUploadTakesTheBytesOnlyAtItsSignedUrlAndServesThemAtTheFileUrl()
    {
        (HttpStatusCode status, JsonElement answer) = await Send(HttpMethod.Post, "/storage/upload/initiate", "{\"content_type\":\"image/png\",\"file_name\":\"a.png\"}", "fal");
        Assert.Equal(HttpStatusCode.OK, status);
        var upload = new Uri(answer.GetProperty("upload_url").GetString()!);
        var file = new Uri(answer.GetProperty("file_url").GetString()!);
        byte[] png = ProviderEmulator.RenderImage("in", 1, 4, 4);

        using (var forged = new ByteArrayContent(png))
        {
            HttpResponseMessage refused = await _http.PutAsync(upload.GetLeftPart(UriPartial.Path) + "?token=forged", forged);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        using (var content = new ByteArrayContent(png))
        {
            HttpResponseMessage stored = await _http.PutAsync(upload, content); // no key: the URL is signed
            Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
        }

        Assert.Equal(png, await _http.GetByteArrayAsync(file));
        Assert.Equal(1, _emulator.UploadCount);
        (HttpStatusCode noKey, _) = await Send(HttpMethod.Post, "/storage/upload/initiate", "{\"content_type\":\"image/png\"}", "fal", auth: false);
        Assert.Equal(HttpStatusCode.Unauthorized, noKey);
    }

    [Theory]
    [InlineData("oxen", "/api/ai/images/edit", "{\"model\":\"flux-2-flex\",\"prompt\":\"p\",\"input_image\":[\"DATA\"]}", "takes image URLs only")]
    [InlineData("apiframe", "/v2/images/generate", "{\"model\":\"flux-2-flex\",\"prompt\":\"p\",\"fluxParams\":{\"input_images\":[\"DATA\"]}}", "takes image URLs only")]
    [InlineData("fal", "/fal-ai/flux-2-flex/edit", "{\"prompt\":\"p\",\"image_urls\":[\"data:image/png;base64,bm90IGFuIGltYWdl\"]}", "not a PNG, JPEG or WebP")]
    [InlineData("fal", "/fal-ai/flux-2-flex/edit", "{\"prompt\":\"p\"}", "image_urls")]
    public async Task InputImagesAreCheckedAsTheProviderDocumentsThem(string provider, string path, string json, string expected)
    {
        string body = json.Replace("DATA", "data:image/png;base64," + Convert.ToBase64String(ProviderEmulator.RenderImage("in", 1, 4, 4)), StringComparison.Ordinal);
        (HttpStatusCode status, JsonElement answer) = await Send(HttpMethod.Post, path, body, provider);
        Assert.Equal((HttpStatusCode)422, status);
        Assert.Contains(expected, answer.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(0, _emulator.JobCount);
    }

    [Theory]
    [InlineData("fal", "/fal-ai/flux-2-flex")]
    [InlineData("oxen", "/api/ai/images/edit")]
    [InlineData("apiframe", "/v2/images/generate")]
    public async Task NoKeyIsA401AndNoBodyIsRead(string provider, string path)
    {
        (HttpStatusCode status, _) = await Send(HttpMethod.Post, path, "{\"prompt\":\"p\"}", provider, auth: false);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal(0, _emulator.ModelRequestCount);
    }

    [Fact]
    public async Task FalSyncAnswersWithARealPngThatDependsOnPromptAndSeed()
    {
        (HttpStatusCode status, JsonElement body) = await Send(HttpMethod.Post, "/fal-ai/flux-2-flex", "{\"prompt\":\"a poster\",\"seed\":7}", "fal");
        Assert.Equal(HttpStatusCode.OK, status);
        // The seed page's example output, abridged by fal itself: images with a url, and nothing else.
        Assert.Equal(new[] { "images" }, Names(body));
        Assert.Equal(new[] { "url" }, Names(body.GetProperty("images")[0]));
        byte[] first = await _http.GetByteArrayAsync(body.GetProperty("images")[0].GetProperty("url").GetString());
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, first.Take(4).ToArray());

        (_, JsonElement other) = await Send(HttpMethod.Post, "/fal-ai/flux-2-flex", "{\"prompt\":\"a poster\",\"seed\":8}", "fal");
        byte[] second = await _http.GetByteArrayAsync(other.GetProperty("images")[0].GetProperty("url").GetString());
        Assert.NotEqual(first, second);
    }

    [Theory]
    [InlineData("{\"prompt\":\"p\"}", 256, 192)] // fal's default, landscape_4_3
    [InlineData("{\"prompt\":\"p\",\"image_size\":\"portrait_16_9\"}", 144, 256)]
    [InlineData("{\"prompt\":\"p\",\"image_size\":\"square_hd\"}", 256, 256)]
    [InlineData("{\"prompt\":\"p\",\"image_size\":{\"width\":1024,\"height\":512}}", 256, 128)]
    public async Task FalImagesFollowTheRequestedSizeAtASmallScale(string request, int width, int height)
    {
        (HttpStatusCode status, JsonElement body) = await Send(HttpMethod.Post, "/fal-ai/flux-2-flex", request, "fal");
        Assert.Equal(HttpStatusCode.OK, status);
        byte[] png = await _http.GetByteArrayAsync(body.GetProperty("images")[0].GetProperty("url").GetString());
        Assert.Equal((width, height), PngSize(png));
    }

    [Theory]
    [InlineData("{\"model\":\"flux-2-flex\",\"prompt\":\"p\"}", 256, 144)] // Oxen's default, 16:9
    [InlineData("{\"model\":\"flux-2-flex\",\"prompt\":\"p\",\"aspect_ratio\":\"2:3\"}", 171, 256)]
    public async Task OxenImagesFollowTheAspectRatio(string request, int width, int height)
    {
        (HttpStatusCode status, JsonElement body) = await Send(HttpMethod.Post, "/api/ai/images/edit", request, "oxen");
        Assert.Equal(HttpStatusCode.OK, status);
        string url = body.GetProperty("images")[0].GetProperty("url").GetString()!;
        Assert.Equal((width, height), PngSize(await _http.GetByteArrayAsync(url)));
    }

    [Theory]
    [InlineData("{\"aspect_ratio\":\"9:16\"}", 144, 256)]
    [InlineData("{\"aspect_ratio\":\"custom\",\"width\":2048,\"height\":256}", 256, 32)]
    [InlineData("{\"aspect_ratio\":\"match_input_image\"}", 256, 256)]
    [InlineData("{}", 256, 256)]
    public void ApiframeImagesFollowFluxParams(string fluxParams, int width, int height)
    {
        using JsonDocument document = JsonDocument.Parse(fluxParams);
        Assert.Equal((width, height), ProviderEmulator.ImageSizeOf("apiframe", document.RootElement));
    }

    /// <summary>Width and height from a PNG's IHDR chunk (bytes 16 to 23, big-endian).</summary>
    private static (int Width, int Height) PngSize(byte[] png)
    {
        Assert.Equal("IHDR", Encoding.ASCII.GetString(png, 12, 4));
        return (System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
    }

    [Fact]
    public async Task BodiesThatBreakTheSchemaAre422WithEveryViolation()
    {
        (HttpStatusCode status, JsonElement body) = await Send(HttpMethod.Post, "/fal-ai/flux-2-flex", "{\"prompt\":\"p\",\"num_inference_steps\":80,\"guidance_scale\":1}", "fal");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal(new[] { "$.guidance_scale minimum", "$.num_inference_steps maximum" },
            body.GetProperty("detail").EnumerateArray().Select(d => d.GetProperty("loc").GetString() + " " + d.GetProperty("type").GetString()).Order().ToArray());

        (HttpStatusCode nested, JsonElement apiframe) = await Send(HttpMethod.Post, "/v2/images/generate", "{\"prompt\":\"p\",\"model\":\"flux-2-flex\",\"fluxParams\":{\"width\":100}}", "apiframe");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, nested);
        Assert.Equal("$.fluxParams.width", apiframe.GetProperty("detail")[0].GetProperty("loc").GetString());

        (HttpStatusCode pro, _) = await Send(HttpMethod.Post, "/api/ai/images/edit", "{\"model\":\"flux-2-pro\",\"prompt\":\"p\",\"output_quality\":101}", "oxen");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, pro);
    }

    [Fact]
    public async Task FalQueueMovesThroughItsStatesAndServesTheResult()
    {
        (_, JsonElement submitted) = await Send(HttpMethod.Post, "/queue/fal-ai/flux-2-flex", "{\"prompt\":\"p\"}", "fal");
        // fal's docs: the submit answer has the id and the three URLs, and no status.
        Assert.Equal(new[] { "cancel_url", "request_id", "response_url", "status_url" }, Names(submitted));
        string id = submitted.GetProperty("request_id").GetString()!;
        Assert.Equal(_emulator.BaseUrl + "/queue/fal-ai/flux-2-flex/requests/" + id + "/status", submitted.GetProperty("status_url").GetString());
        var seen = new System.Collections.Generic.List<string>();
        JsonElement last = default;
        for (int i = 0; i < 100 && !seen.Contains("COMPLETED"); i++)
        {
            (_, JsonElement status) = await Send(HttpMethod.Get, "/queue/fal-ai/flux-2-flex/requests/" + id + "/status?logs=1", null, "fal");
            string s = status.GetProperty("status").GetString()!;
            if (s == "IN_QUEUE")
            {
                Assert.True(status.TryGetProperty("queue_position", out _));
            }

            if (s == "IN_PROGRESS")
            {
                Assert.Equal(JsonValueKind.Array, status.GetProperty("logs").ValueKind);
                Assert.True(status.GetProperty("logs")[0].TryGetProperty("message", out _));
            }

            if (seen.Count == 0 || seen[^1] != s)
            {
                seen.Add(s);
            }

            last = status;
            await Task.Delay(50);
        }

        Assert.Equal(new[] { "IN_QUEUE", "IN_PROGRESS", "COMPLETED" }, seen);
        Assert.True(last.GetProperty("metrics").GetProperty("inference_time").GetDouble() > 0);
        (HttpStatusCode ok, JsonElement result) = await Send(HttpMethod.Get, "/queue/fal-ai/flux-2-flex/requests/" + id, null, "fal");
        Assert.Equal(HttpStatusCode.OK, ok);
        Assert.StartsWith(_emulator.BaseUrl + "/files/", result.GetProperty("images")[0].GetProperty("url").GetString());
    }

    [Fact]
    public async Task FalCancelStopsAQueuedRequest()
    {
        (_, JsonElement submitted) = await Send(HttpMethod.Post, "/queue/fal-ai/flux-2-flex", "{\"prompt\":\"p\"}", "fal");
        string id = submitted.GetProperty("request_id").GetString()!;
        (HttpStatusCode accepted, JsonElement cancel) = await Send(HttpMethod.Put, "/queue/fal-ai/flux-2-flex/requests/" + id + "/cancel", null, "fal");
        Assert.Equal(HttpStatusCode.Accepted, accepted);
        Assert.Equal("CANCELLATION_REQUESTED", cancel.GetProperty("status").GetString());
        (HttpStatusCode status, JsonElement body) = await Send(HttpMethod.Get, "/queue/fal-ai/flux-2-flex/requests/" + id, null, "fal");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("cancelled", body.GetProperty("detail").GetString());

        (HttpStatusCode late, JsonElement again) = await Send(HttpMethod.Put, "/queue/fal-ai/flux-2-flex/requests/" + id + "/cancel", null, "fal");
        Assert.Equal(HttpStatusCode.BadRequest, late);
        Assert.Equal("ALREADY_COMPLETED", again.GetProperty("status").GetString());
        (HttpStatusCode missing, JsonElement unknown) = await Send(HttpMethod.Put, "/queue/fal-ai/flux-2-flex/requests/nope/cancel", null, "fal");
        Assert.Equal(HttpStatusCode.NotFound, missing);
        Assert.Equal("NOT_FOUND", unknown.GetProperty("status").GetString());
    }

    [Fact]
    public async Task OxenQueueCompletesAndTheEventStreamAnnouncesIt()
    {
        using var events = new HttpRequestMessage(HttpMethod.Get, "/api/events");
        events.Headers.TryAddWithoutValidation("Authorization", "Bearer emulator-key");
        using HttpResponseMessage stream = await _http.SendAsync(events, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", stream.Content.Headers.ContentType?.MediaType);

        (_, JsonElement queued) = await Send(HttpMethod.Post, "/api/ai/queue", "{\"model\":\"flux-2-flex\",\"prompt\":\"p\"}", "oxen");
        string id = queued.GetProperty("generations")[0].GetProperty("generation_id").GetString()!;

        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        string? eventName = null;
        string? data = null;
        while (data == null && await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                eventName = line.Substring(7);
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && eventName == "media_generation_completed" && line.Contains(id, StringComparison.Ordinal))
            {
                data = line.Substring(6);
            }
        }

        Assert.NotNull(data);
        // The model pages match the completion event on generation_id alone; the default event carries nothing else.
        Assert.Equal(new[] { "generation_id" }, Names(JsonDocument.Parse(data!).RootElement));
        (_, JsonElement polled) = await Send(HttpMethod.Get, "/api/ai/queue/" + id, null, "oxen");
        Assert.Equal("succeeded", polled.GetProperty("status").GetString());
        Assert.True(polled.TryGetProperty("result_url", out _));
    }

    [Fact]
    public async Task PlannedFaultsAnswerOnceThenTheEndpointRecovers()
    {
        _emulator.FailNext("/fal-ai/flux-2-flex", Fault.TooManyRequests);
        _emulator.FailNext("/fal-ai/flux-2-flex", Fault.ServerError);
        using var first = new HttpRequestMessage(HttpMethod.Post, "/fal-ai/flux-2-flex") { Content = new StringContent("{\"prompt\":\"p\"}", Encoding.UTF8, "application/json") };
        first.Headers.TryAddWithoutValidation("Authorization", "Key emulator-key");
        using HttpResponseMessage limited = await _http.SendAsync(first);
        Assert.Equal((HttpStatusCode)429, limited.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), limited.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.InternalServerError, (await Send(HttpMethod.Post, "/fal-ai/flux-2-flex", "{\"prompt\":\"p\"}", "fal")).Status);
        Assert.Equal(HttpStatusCode.OK, (await Send(HttpMethod.Post, "/fal-ai/flux-2-flex", "{\"prompt\":\"p\"}", "fal")).Status);
    }

    [Fact]
    public async Task ApiframeGenerateAnswers202WithAJobThatMovesToItsResult()
    {
        (HttpStatusCode status, JsonElement job) = await SendWithKey("/v2/images/generate", "{\"prompt\":\"p\",\"model\":\"flux-2-flex\"}", "key-a");
        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal(new[] { "jobId", "status" }, Names(job));
        Assert.Equal("QUEUED", job.GetProperty("status").GetString());
        string id = job.GetProperty("jobId").GetString()!;

        // The same Idempotency-Key is the same job; another key is another job.
        (_, JsonElement same) = await SendWithKey("/v2/images/generate", "{\"prompt\":\"p\",\"model\":\"flux-2-flex\"}", "key-a");
        Assert.Equal(id, same.GetProperty("jobId").GetString());
        (_, JsonElement other) = await SendWithKey("/v2/images/generate", "{\"prompt\":\"p\",\"model\":\"flux-2-flex\"}", "key-b");
        Assert.NotEqual(id, other.GetProperty("jobId").GetString());

        var seen = new System.Collections.Generic.List<string>();
        JsonElement last = default;
        for (int i = 0; i < 100 && !seen.Contains("COMPLETED"); i++)
        {
            (_, last) = await Send(HttpMethod.Get, "/v2/jobs/" + id, null, "apiframe");
            string s = last.GetProperty("status").GetString()!;
            if (seen.Count == 0 || seen[^1] != s)
            {
                seen.Add(s);
            }

            int progress = last.GetProperty("progress").GetInt32();
            Assert.InRange(progress, 0, 100);
            await Task.Delay(50);
        }

        Assert.Equal(new[] { "QUEUED", "PROCESSING", "COMPLETED" }, seen);
        Assert.Equal(new[] { "completedAt", "createdAt", "creditCost", "error", "id", "model", "progress", "result", "status", "webhookStatus" }, Names(last));
        Assert.StartsWith(_emulator.BaseUrl + "/files/", last.GetProperty("result").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await Send(HttpMethod.Get, "/v2/jobs/nope", null, "apiframe")).Status);
    }

    [Fact]
    public async Task OxenChecksModelParametersOnlyWhenTheGenerationRunsAndStartsOneGenerationPerNumGenerations()
    {
        (HttpStatusCode status, JsonElement queued) = await Send(HttpMethod.Post, "/api/ai/queue", "{\"model\":\"flux-2-flex\",\"prompt\":\"p\",\"num_inference_steps\":80,\"num_generations\":2}", "oxen");
        Assert.Equal(HttpStatusCode.OK, status); // taken at enqueue time, as Oxen's reference says
        Assert.Equal(2, queued.GetProperty("generations").GetArrayLength());
        string id = queued.GetProperty("generations")[0].GetProperty("generation_id").GetString()!;
        JsonElement polled = default;
        for (int i = 0; i < 100; i++)
        {
            (_, polled) = await Send(HttpMethod.Get, "/api/ai/queue/" + id, null, "oxen");
            if (polled.GetProperty("status").GetString() is "failed" or "succeeded")
            {
                break;
            }

            await Task.Delay(50);
        }

        Assert.Equal("failed", polled.GetProperty("status").GetString());
        Assert.Contains("num_inference_steps", polled.GetProperty("error_message").GetString());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await Send(HttpMethod.Post, "/api/ai/queue", "{\"model\":\"flux-2-flex\",\"prompt\":\"p\",\"num_generations\":5}", "oxen")).Status);
    }

    [Fact]
    public async Task FullAnswersAddTheFieldsRealAnswersCarry()
    {
        await using ProviderEmulator full = await ProviderEmulator.StartAsync(new EmulatorOptions { Root = Root, FullAnswers = true, FalCancelAsSuccessFlag = true });
        using var http = new HttpClient { BaseAddress = new Uri(full.BaseUrl) };
        using var sync = new HttpRequestMessage(HttpMethod.Post, "/fal-ai/flux-2-flex") { Content = new StringContent("{\"prompt\":\"p\",\"seed\":196619188014358660}", Encoding.UTF8, "application/json") };
        sync.Headers.TryAddWithoutValidation("Authorization", "Key emulator-key");
        using HttpResponseMessage answer = await http.SendAsync(sync);
        JsonElement output = JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(new[] { "has_nsfw_concepts", "images", "prompt", "seed", "timings" }, Names(output));
        Assert.Equal(196619188014358660, output.GetProperty("seed").GetInt64());

        using var submit = new HttpRequestMessage(HttpMethod.Post, "/queue/fal-ai/flux-2-flex") { Content = new StringContent("{\"prompt\":\"p\"}", Encoding.UTF8, "application/json") };
        submit.Headers.TryAddWithoutValidation("Authorization", "Key emulator-key");
        using HttpResponseMessage submitted = await http.SendAsync(submit);
        JsonElement queued = JsonDocument.Parse(await submitted.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("IN_QUEUE", queued.GetProperty("status").GetString());
        using var cancel = new HttpRequestMessage(HttpMethod.Put, "/queue/fal-ai/flux-2-flex/requests/" + queued.GetProperty("request_id").GetString() + "/cancel");
        cancel.Headers.TryAddWithoutValidation("Authorization", "Key emulator-key");
        using HttpResponseMessage cancelled = await http.SendAsync(cancel);
        Assert.Equal("{\"success\":true}", await cancelled.Content.ReadAsStringAsync());
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> SendWithKey(string path, string json, string idempotencyKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("X-API-Key", "emulator-key");
        request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        using HttpResponseMessage response = await _http.SendAsync(request);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    private static string[] Names(JsonElement json) => json.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();
}

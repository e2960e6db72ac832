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
        Assert.Equal(7, body.GetProperty("seed").GetInt64());
        byte[] first = await _http.GetByteArrayAsync(body.GetProperty("images")[0].GetProperty("url").GetString());
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, first.Take(4).ToArray());

        (_, JsonElement other) = await Send(HttpMethod.Post, "/fal-ai/flux-2-flex", "{\"prompt\":\"a poster\",\"seed\":8}", "fal");
        byte[] second = await _http.GetByteArrayAsync(other.GetProperty("images")[0].GetProperty("url").GetString());
        Assert.NotEqual(first, second);
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
        Assert.Equal("IN_QUEUE", submitted.GetProperty("status").GetString());
        string id = submitted.GetProperty("request_id").GetString()!;
        var seen = new System.Collections.Generic.List<string>();
        for (int i = 0; i < 100 && !seen.Contains("COMPLETED"); i++)
        {
            (_, JsonElement status) = await Send(HttpMethod.Get, "/queue/fal-ai/flux-2-flex/requests/" + id + "/status?logs=1", null, "fal");
            string s = status.GetProperty("status").GetString()!;
            if (seen.Count == 0 || seen[^1] != s)
            {
                seen.Add(s);
            }

            await Task.Delay(50);
        }

        Assert.Equal(new[] { "IN_QUEUE", "IN_PROGRESS", "COMPLETED" }, seen);
        (HttpStatusCode ok, JsonElement result) = await Send(HttpMethod.Get, "/queue/fal-ai/flux-2-flex/requests/" + id, null, "fal");
        Assert.Equal(HttpStatusCode.OK, ok);
        Assert.StartsWith(_emulator.BaseUrl + "/files/", result.GetProperty("images")[0].GetProperty("url").GetString());
    }

    [Fact]
    public async Task FalCancelStopsAQueuedRequest()
    {
        (_, JsonElement submitted) = await Send(HttpMethod.Post, "/queue/fal-ai/flux-2-flex", "{\"prompt\":\"p\"}", "fal");
        string id = submitted.GetProperty("request_id").GetString()!;
        (_, JsonElement cancel) = await Send(HttpMethod.Put, "/queue/fal-ai/flux-2-flex/requests/" + id + "/cancel", null, "fal");
        Assert.True(cancel.GetProperty("success").GetBoolean());
        (HttpStatusCode status, JsonElement body) = await Send(HttpMethod.Get, "/queue/fal-ai/flux-2-flex/requests/" + id, null, "fal");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("cancelled", body.GetProperty("detail").GetString());
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
        Assert.Equal("succeeded", JsonDocument.Parse(data!).RootElement.GetProperty("status").GetString());
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
}

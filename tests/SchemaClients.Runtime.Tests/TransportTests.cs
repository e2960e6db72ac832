using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using SchemaClients.Emulator;
using SchemaClients.Http;
using Xunit;

namespace SchemaClients.Runtime.Tests;

/// <summary>Progress that records synchronously (Progress&lt;T&gt; posts to the thread pool and can arrive late).</summary>
internal sealed class Recorder<T> : IProgress<T>
{
    public List<T> Items { get; } = new();

    public void Report(T value)
    {
        lock (Items)
        {
            Items.Add(value);
        }
    }
}

public sealed class ServerSentEventTests
{
    [Fact]
    public async Task EventsFollowTheStandard()
    {
        const string text = ": comment\nevent: media_generation_completed\ndata: {\"a\":1}\nid: 7\n\ndata: first\ndata: second\n\nevent: ignored-no-blank-line\ndata: x";
        var events = new List<ServerSentEvent>();
        await foreach (ServerSentEvent e in ServerSentEvents.ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(text))))
        {
            events.Add(e);
        }

        Assert.Equal(new[] { new ServerSentEvent("media_generation_completed", "{\"a\":1}", "7"), new ServerSentEvent("message", "first\nsecond", "7") }, events);
    }
}

/// <summary>The transports against the provider emulator on loopback.</summary>
public sealed class TransportTests : IAsyncLifetime
{
    private ProviderEmulator _emulator = null!;
    private HttpClient _http = null!;
    private static readonly RetryOptions Fast = new() { MaxRetries = 3, BaseDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromSeconds(2) };

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

    private ProviderHttpClient Oxen() => new(_http, "oxen", ProviderAuth.Oxen, new ApiKey("emulator-key"), Fast);

    private ProviderHttpClient Fal() => new(_http, "fal", ProviderAuth.Fal, new ApiKey("emulator-key"), Fast);

    private static byte[] Json(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public async Task OxenQueueIsAnnouncedOnTheEventStreamPolledToTheEndAndDownloaded()
    {
        ProviderHttpClient oxen = Oxen();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        IAsyncEnumerator<ServerSentEvent> events = oxen.StreamEventsAsync("/api/events", stop.Token).GetAsyncEnumerator(stop.Token);
        Task<bool> first = events.MoveNextAsync().AsTask(); // connects before the job exists

        JsonElement queued = await oxen.SendJsonAsync(HttpMethod.Post, "/api/ai/queue", Json("{\"model\":\"flux-2-flex\",\"prompt\":\"a poster\",\"seed\":3}"));
        string id = queued.GetProperty("generations")[0].GetProperty("generation_id").GetString()!;

        var progress = new Recorder<QueueProgress>();
        JsonElement done = await QueueWaiter.WaitAsync(
            ct => oxen.SendJsonAsync(HttpMethod.Get, "/api/ai/queue/" + id, null, ct),
            s => s.GetProperty("status").GetString() is "succeeded" or "failed" or "cancelled",
            (s, elapsed) => new QueueProgress(s.GetProperty("status").GetString()!, null, null, elapsed),
            TimeSpan.FromMilliseconds(50),
            progress,
            stop.Token);
        // Reported once per change, in order; a late first poll under load may miss "queued", never "processing".
        string[] order = { "queued", "processing", "succeeded" };
        int[] seen = progress.Items.Select(p => Array.IndexOf(order, p.Status)).ToArray();
        Assert.All(seen, i => Assert.True(i >= 0));
        Assert.Equal(seen.OrderBy(i => i).Distinct(), seen);
        Assert.Equal(new[] { 1, 2 }, seen.Where(i => i > 0));

        ServerSentEvent? completed = null;
        for (bool more = await first; more; more = await events.MoveNextAsync())
        {
            if (events.Current.Event == "media_generation_completed" && events.Current.Data.Contains(id, StringComparison.Ordinal))
            {
                completed = events.Current;
                break;
            }
        }

        await events.DisposeAsync();
        Assert.NotNull(completed);

        using var image = new MemoryStream();
        long bytes = await oxen.DownloadAsync(new Uri(done.GetProperty("result_url").GetString()!), image);
        Assert.True(bytes > 100);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, image.ToArray().Take(4).ToArray());
    }

    [Fact]
    public async Task FalQueueWaitReportsPositionStatusAndLogs()
    {
        ProviderHttpClient fal = Fal();
        JsonElement submitted = await fal.SendJsonAsync(HttpMethod.Post, "/queue/fal-ai/flux-2-flex", Json("{\"prompt\":\"p\"}"));
        string id = submitted.GetProperty("request_id").GetString()!;
        var progress = new Recorder<QueueProgress>();
        int polls = 0;
        var watch = Stopwatch.StartNew();
        await QueueWaiter.WaitAsync(
            ct =>
            {
                Interlocked.Increment(ref polls);
                return fal.SendJsonAsync(HttpMethod.Get, "/queue/fal-ai/flux-2-flex/requests/" + id + "/status?logs=1", null, ct);
            },
            s => s.GetProperty("status").GetString() == "COMPLETED",
            (s, elapsed) => new QueueProgress(
                s.GetProperty("status").GetString()!,
                s.TryGetProperty("queue_position", out JsonElement p) ? p.GetInt32() : null,
                s.TryGetProperty("logs", out JsonElement l) ? l[0].GetProperty("message").GetString() : null,
                elapsed),
            TimeSpan.FromMilliseconds(50),
            progress,
            CancellationToken.None);
        // the interval is kept: about one poll per 50 ms over the 2 s the job takes, not a busy loop
        Assert.InRange(polls, 3, (int)(watch.ElapsedMilliseconds / 50) + 2);
        Assert.Equal("IN_QUEUE", progress.Items[0].Status);
        Assert.Equal(0, progress.Items[0].QueuePosition);
        Assert.Contains(progress.Items, p => p.Status == "IN_PROGRESS" && p.Log != null && p.Log.StartsWith("step ", StringComparison.Ordinal));
        Assert.Equal("COMPLETED", progress.Items[^1].Status);
        JsonElement result = await fal.SendJsonAsync(HttpMethod.Get, "/queue/fal-ai/flux-2-flex/requests/" + id, null);
        Assert.Equal(1, result.GetProperty("images").GetArrayLength());
    }

    [Fact]
    public async Task AStreamThatKeepsEndingEndsTheEnumerationWithAnErrorInsteadOfHanging()
    {
        _emulator.Faults["/api/events"] = Fault.StreamEndsEarly;
        try
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            int count = 0;
            int before = _emulator.CountOf("GET", "/api/events");
            await Assert.ThrowsAsync<EndOfStreamException>(async () =>
            {
                await foreach (ServerSentEvent unused in Oxen().StreamEventsAsync("/api/events", stop.Token))
                {
                    count++;
                }
            });

            Assert.Equal(0, count);
            Assert.False(stop.IsCancellationRequested);
            Assert.Equal(1 + Fast.MaxRetries, _emulator.CountOf("GET", "/api/events") - before); // the first connection and each reconnection
        }
        finally
        {
            _emulator.Faults.Clear();
        }
    }

    [Fact]
    public async Task AStreamThatEndsOnceIsReconnectedAndTheEventStillArrives()
    {
        ProviderHttpClient oxen = Oxen();
        JsonElement queued = await oxen.SendJsonAsync(HttpMethod.Post, "/api/ai/queue", Json("{\"model\":\"flux-2-flex\",\"prompt\":\"a poster\",\"seed\":4}"));
        string id = queued.GetProperty("generations")[0].GetProperty("generation_id").GetString()!;
        _emulator.FailNext("/api/events", Fault.StreamEndsEarly);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        int before = _emulator.CountOf("GET", "/api/events");
        await foreach (ServerSentEvent item in oxen.StreamEventsAsync("/api/events", stop.Token))
        {
            if (item.Data.Contains(id, StringComparison.Ordinal))
            {
                break;
            }
        }

        Assert.False(stop.IsCancellationRequested, "the completion event never came");
        Assert.Equal(2, _emulator.CountOf("GET", "/api/events") - before);
    }

    [Fact]
    public async Task EmulatorFaultsAreRecoveredByRetriesOrEndInTheDocumentedException()
    {
        // A billed POST is retried only after a 429; a GET after anything transient.
        _emulator.FailNext("/fal-ai/flux-2-flex", Fault.TooManyRequests);
        JsonElement ok = await Fal().SendJsonAsync(HttpMethod.Post, "/fal-ai/flux-2-flex", Json("{\"prompt\":\"p\"}"));
        Assert.Equal(1, ok.GetProperty("images").GetArrayLength());

        JsonElement submitted = await Fal().SendJsonAsync(HttpMethod.Post, "/queue/fal-ai/flux-2-flex", Json("{\"prompt\":\"p\"}"));
        string status = "/queue/fal-ai/flux-2-flex/requests/" + submitted.GetProperty("request_id").GetString() + "/status";
        _emulator.FailNext(status, Fault.DroppedConnection);
        _emulator.FailNext(status, Fault.ServerError);
        int before = _emulator.CountOf("GET", status);
        JsonElement read = await Fal().SendJsonAsync(HttpMethod.Get, status, null);
        Assert.True(read.TryGetProperty("status", out _));
        Assert.Equal(3, _emulator.CountOf("GET", status) - before);

        ProviderApiException invalid = await Assert.ThrowsAsync<ProviderApiException>(() => Fal().SendJsonAsync(HttpMethod.Post, "/fal-ai/flux-2-flex", Json("{\"prompt\":\"p\",\"num_inference_steps\":80}")));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, invalid.StatusCode);
        Assert.Contains("$.num_inference_steps", invalid.BodyExcerpt);
        Assert.Equal(1, invalid.Attempts);

        _emulator.FailNext("/fal-ai/flux-2-flex", Fault.MalformedBody);
        ProviderApiException malformed = await Assert.ThrowsAsync<ProviderApiException>(() => Fal().SendJsonAsync(HttpMethod.Post, "/fal-ai/flux-2-flex", Json("{\"prompt\":\"p\"}")));
        Assert.Contains("not the expected JSON", malformed.Message);
    }
}

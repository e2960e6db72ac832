using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using SchemaClients.Shared;
using SchemaClients.Validation;

namespace SchemaClients.Emulator;

/// <summary>One request the emulator received, for tests that count or inspect what a client sent.</summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The path, without the query.</param>
/// <param name="Query">The query string with its '?', or empty.</param>
/// <param name="IdempotencyKey">The <c>Idempotency-Key</c> header, if sent.</param>
/// <param name="LastEventId">The <c>Last-Event-ID</c> header, if sent.</param>
public sealed record ReceivedRequest(string Method, string Path, string Query, string? IdempotencyKey, string? LastEventId);

/// <summary>
/// The providers' inference contracts as the seed pages and ../shared/PROVIDERS.md document them. By default every
/// answer has the documented shape and no more (fal's submit answer without <c>status</c>, fal's abridged output,
/// Oxen's completion event with only <c>generation_id</c>, apiframe's 202 job), so clients are tested on the least a
/// provider promises; <see cref="EmulatorOptions.FullAnswers"/> adds the fields real answers carry too. Where the docs
/// give no body at all (Oxen's sync answer) the emulator answers <c>{"images":[{"url":...}],"seed":...}</c>, which
/// clients keep untyped.
/// </summary>
public sealed partial class ProviderEmulator
{
    private const string FalModel = "/fal-ai/flux-2-flex";
    private const string FalQueue = "/queue" + FalModel;

    private EmulatorOptions _options = null!;
    private readonly ConcurrentDictionary<string, Job> _jobs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _idempotentJobs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentQueue<Fault>> _plannedFaults = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<ReceivedRequest> _received = new();
    private readonly HttpClient _webhooks = new();
    private long _nextId;

    /// <summary>Makes the next request to <paramref name="path"/> (no query) answer with <paramref name="fault"/>; each call adds one.</summary>
    public void FailNext(string path, Fault fault) => _plannedFaults.GetOrAdd(path, _ => new ConcurrentQueue<Fault>()).Enqueue(fault);

    /// <summary>Jobs created so far (queue submissions and sync calls of every provider).</summary>
    public int JobCount => _jobs.Count;

    /// <summary>Bodies that reached a model endpoint (valid or not).</summary>
    public int ModelRequestCount => _modelRequests;

    /// <summary>How many of the latest requests <see cref="Received"/> keeps.</summary>
    public const int MaxReceived = 10_000;

    /// <summary>The latest requests received (at most <see cref="MaxReceived"/>), in order of arrival.</summary>
    public IReadOnlyList<ReceivedRequest> Received => _received.ToArray();

    /// <summary>Requests with <paramref name="method"/> to <paramref name="path"/> (no query) received so far.</summary>
    public int CountOf(string method, string path) => _received.Count(r => r.Method == method && r.Path == path);

    /// <summary>Webhook deliveries that failed (the receiver was unreachable or answered an error).</summary>
    public int FailedWebhooks => _failedWebhooks;

    private int _modelRequests;
    private int _failedWebhooks;

    private sealed class Job(string id, string provider, string model, string prompt, long seed, DateTimeOffset created, (int Width, int Height) size)
    {
        public string Id { get; } = id;

        public string Provider { get; } = provider;

        public string Model { get; } = model;

        public string Prompt { get; } = prompt;

        public long Seed { get; } = seed;

        public DateTimeOffset Created { get; } = created;

        /// <summary>The image's pixel size: the requested aspect ratio at a small scale (long side <see cref="ImageLongSide"/>).</summary>
        public (int Width, int Height) Size { get; } = size;

        /// <summary>Why the job fails when it runs (Oxen validates model parameters only then), or null.</summary>
        public string? FailsWith { get; set; }

        public bool Cancelled { get; set; }

        public bool Announced { get; set; }

        /// <summary>The tint the edit's input images give the output; null without inputs.</summary>
        public (byte R, byte G, byte B)? Tint { get; set; }

        /// <summary>fal's <c>sync_mode</c>: the output's image is a data URI.</summary>
        public bool SyncMode { get; set; }
    }

    private Fault NextFault(string path, string pathAndQuery)
    {
        if (_plannedFaults.TryGetValue(path, out ConcurrentQueue<Fault>? queue) && queue.TryDequeue(out Fault planned))
        {
            return planned;
        }

        return Faults.TryGetValue(pathAndQuery, out Fault fault) ? fault : Faults.TryGetValue(path, out fault) ? fault : Fault.None;
    }

    private enum Stage
    {
        Queued,
        Running,
        Done,
        Failed,
        Cancelled,
    }

    private Stage StageOf(Job job)
    {
        if (job.Cancelled)
        {
            return Stage.Cancelled;
        }

        TimeSpan age = DateTimeOffset.UtcNow - job.Created;
        return age < _options.QueueTime ? Stage.Queued
            : age < _options.QueueTime + _options.RunTime ? Stage.Running
            : job.FailsWith != null ? Stage.Failed
            : Stage.Done;
    }

    private void Record(HttpContext context)
    {
        string? Header(string name) => context.Request.Headers.TryGetValue(name, out var value) ? value.ToString() : null;
        _received.Enqueue(new ReceivedRequest(context.Request.Method, context.Request.Path.Value ?? string.Empty, context.Request.QueryString.Value ?? string.Empty, Header("Idempotency-Key"), Header("Last-Event-ID")));
        while (_received.Count > MaxReceived && _received.TryDequeue(out _))
        {
            // a long-running emulator keeps only the latest requests
        }
    }

    private async Task HandleInferenceAsync(HttpContext context, Fault fault)
    {
        string path = context.Request.Path.Value ?? string.Empty;
        string method = context.Request.Method;
        if (await HandleUploadAsync(context, path, method).ConfigureAwait(false))
        {
            return;
        }

        if (path.StartsWith("/files/", StringComparison.Ordinal) && method == "GET")
        {
            await ServeFileAsync(context, path.Substring("/files/".Length)).ConfigureAwait(false);
            return;
        }

        string? provider = path.StartsWith("/api/", StringComparison.Ordinal) ? "oxen"
            : path.StartsWith(FalModel, StringComparison.Ordinal) || path.StartsWith(FalQueue, StringComparison.Ordinal) || path.StartsWith("/storage/", StringComparison.Ordinal) ? "fal"
            : path.StartsWith("/v2/", StringComparison.Ordinal) ? "apiframe"
            : null;
        if (provider == null)
        {
            await JsonAsync(context, 404, "{\"detail\":\"Not Found\"}").ConfigureAwait(false);
            return;
        }

        if (!Authorized(context, provider))
        {
            await JsonAsync(context, 401, "{\"detail\":\"invalid or missing API key\"}").ConfigureAwait(false);
            return;
        }

        if (fault != Fault.JobFails && await ApplyFaultAsync(context, fault).ConfigureAwait(false))
        {
            return;
        }

        switch (provider, method)
        {
            case ("fal", "POST") when path == FalModel || path == FalModel + "/edit":
                await FalCallAsync(context, queue: false, edit: path.EndsWith("/edit", StringComparison.Ordinal)).ConfigureAwait(false);
                return;
            case ("fal", "POST") when path == FalQueue || path == FalQueue + "/edit":
                await FalCallAsync(context, queue: true, edit: path.EndsWith("/edit", StringComparison.Ordinal)).ConfigureAwait(false);
                return;
            case ("fal", "POST") when path == UploadInitiate:
                await InitiateUploadAsync(context).ConfigureAwait(false);
                return;
            case ("fal", _) when path.StartsWith(FalQueue + "/requests/", StringComparison.Ordinal):
                await FalRequestAsync(context, path.Substring((FalQueue + "/requests/").Length), method).ConfigureAwait(false);
                return;
            case ("oxen", "POST") when path == "/api/ai/images/edit":
                await OxenCallAsync(context, queue: false, fault).ConfigureAwait(false);
                return;
            case ("oxen", "POST") when path == "/api/ai/queue":
                await OxenCallAsync(context, queue: true, fault).ConfigureAwait(false);
                return;
            case ("oxen", "GET") when path.StartsWith("/api/ai/queue/", StringComparison.Ordinal):
                await OxenStatusAsync(context, path.Substring("/api/ai/queue/".Length)).ConfigureAwait(false);
                return;
            case ("oxen", "GET") when path == "/api/events":
                await EventsAsync(context, fault).ConfigureAwait(false);
                return;
            case ("apiframe", "POST") when path == "/v2/images/generate":
                await ApiframeGenerateAsync(context, fault).ConfigureAwait(false);
                return;
            case ("apiframe", "GET") when path.StartsWith("/v2/jobs/", StringComparison.Ordinal):
                await ApiframeJobAsync(context, path.Substring("/v2/jobs/".Length)).ConfigureAwait(false);
                return;
        }

        await JsonAsync(context, 404, "{\"detail\":\"Not Found\"}").ConfigureAwait(false);
    }

    private bool Authorized(HttpContext context, string provider)
    {
        string key = _options.Keys.TryGetValue(provider, out string? k) ? k : _options.DefaultKey;
        ProviderProfile profile = ProviderProfiles.Find(provider)!; // one of the three routed above
        return context.Request.Headers[profile.AuthHeader] == profile.AuthValue(key);
    }

    private static async Task<bool> ApplyFaultAsync(HttpContext context, Fault fault)
    {
        switch (fault)
        {
            case Fault.TooManyRequests:
                context.Response.Headers.RetryAfter = "1";
                await JsonAsync(context, 429, "{\"detail\":\"rate limited\"}").ConfigureAwait(false);
                return true;
            case Fault.ServerError:
                await JsonAsync(context, 500, "{\"detail\":\"internal error\"}").ConfigureAwait(false);
                return true;
            case Fault.Unauthorized:
                await JsonAsync(context, 401, "{\"detail\":\"invalid or missing API key\"}").ConfigureAwait(false);
                return true;
            case Fault.DroppedConnection:
                context.Abort();
                return true;
            case Fault.DroppedAfterBody:
                // The request was read in full (a provider would have started the job) before the connection is cut.
                await context.Request.Body.CopyToAsync(System.IO.Stream.Null).ConfigureAwait(false);
                context.Abort();
                return true;
            case Fault.MalformedBody:
                await JsonAsync(context, 200, "{\"images\": [{\"url\": \"http").ConfigureAwait(false);
                return true;
            case Fault.SlowResponse:
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }

                return true;
            default:
                return false;
        }
    }

    private async Task<JsonDocument?> ReadJsonAsync(HttpContext context)
    {
        Interlocked.Increment(ref _modelRequests);
        try
        {
            return await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            await JsonAsync(context, 400, "{\"detail\":" + Quote(e.Message) + "}").ConfigureAwait(false);
            return null;
        }
    }

    private static async Task<bool> RejectInvalidAsync(HttpContext context, ValidationResult result)
    {
        if (result.IsValid)
        {
            return false;
        }

        // 422 with every violation, as the providers answer a body that breaks their schema.
        var text = new StringBuilder("{\"detail\":[");
        for (int i = 0; i < result.Violations.Count; i++)
        {
            SchemaViolation v = result.Violations[i];
            text.Append(i > 0 ? "," : string.Empty)
                .Append("{\"loc\":").Append(Quote(v.Path))
                .Append(",\"type\":").Append(Quote(v.Rule))
                .Append(",\"limit\":").Append(Quote(v.Limit))
                .Append(",\"input\":").Append(Quote(v.Actual))
                .Append(",\"msg\":").Append(Quote(v.Message)).Append('}');
        }

        await JsonAsync(context, 422, text.Append("]}").ToString()).ConfigureAwait(false);
        return true;
    }

    // ---------------------------------------------------------------- fal

    private async Task FalCallAsync(HttpContext context, bool queue, bool edit)
    {
        using JsonDocument? body = await ReadJsonAsync(context).ConfigureAwait(false);
        if (body == null || await RejectInvalidAsync(context, Schemas.Fal.Flux2Flex.SchemaValidator.ValidateJson(body.RootElement)).ConfigureAwait(false))
        {
            return;
        }

        if (edit && !body.RootElement.TryGetProperty("image_urls", out _))
        {
            var missing = new ViolationCollector();
            missing.Add("$.image_urls", "required", "1 to 10 image URLs", "(missing)");
            await RejectInvalidAsync(context, missing.ToResult()).ConfigureAwait(false);
            return;
        }

        (List<byte[]> inputs, ValidationResult problems) = await ReadInputsAsync(context, "fal", body.RootElement).ConfigureAwait(false);
        if (await RejectInvalidAsync(context, problems).ConfigureAwait(false))
        {
            return;
        }

        Job job = NewJob("fal", edit ? "fal-ai/flux-2-flex/edit" : "fal-ai/flux-2-flex", body.RootElement);
        job.Tint = inputs.Count > 0 ? TintOf(inputs) : null;
        job.SyncMode = body.RootElement.TryGetProperty("sync_mode", out JsonElement sync) && sync.ValueKind == JsonValueKind.True;
        if (!queue)
        {
            if (_options.SyncRunTime > TimeSpan.Zero)
            {
                await Task.Delay(_options.SyncRunTime, context.RequestAborted).ConfigureAwait(false);
            }

            await JsonAsync(context, 200, FalOutput(context, job)).ConfigureAwait(false);
            return;
        }

        string requests = BaseOf(context) + FalQueue + "/requests/" + job.Id;
        string? webhook = context.Request.Query["fal_webhook"];
        if (!string.IsNullOrEmpty(webhook))
        {
            // fal's docs: with a webhook the submit answer may be as small as the ids.
            _ = DeliverFalWebhookAsync(webhook!, job, BaseOf(context));
            await JsonAsync(context, 200, "{\"request_id\":" + Quote(job.Id) + ",\"gateway_request_id\":" + Quote("gw-" + job.Id) + "}").ConfigureAwait(false);
            return;
        }

        // fal's docs show the submit answer without "status"; newer pages and the queue document add more.
        string full = _options.FullAnswers ? ",\"status\":\"IN_QUEUE\",\"queue_position\":" + QueuePosition(job).ToString(CultureInfo.InvariantCulture) : string.Empty;
        await JsonAsync(context, 200, "{\"request_id\":" + Quote(job.Id)
            + ",\"response_url\":" + Quote(requests)
            + ",\"status_url\":" + Quote(requests + "/status")
            + ",\"cancel_url\":" + Quote(requests + "/cancel")
            + full + "}").ConfigureAwait(false);
    }

    private async Task DeliverFalWebhookAsync(string url, Job job, string baseUrl)
    {
        try
        {
            await Task.Delay(_options.QueueTime + _options.RunTime).ConfigureAwait(false);
            string payload = FalOutputFor(baseUrl, job);
            string body = "{\"request_id\":" + Quote(job.Id) + ",\"gateway_request_id\":" + Quote("gw-" + job.Id)
                + (job.Cancelled ? ",\"status\":\"ERROR\",\"payload\":{\"detail\":\"cancelled\"},\"error\":\"Request was cancelled\"}" : ",\"status\":\"OK\",\"payload\":" + payload + ",\"error\":null}");
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using HttpResponseMessage answer = await _webhooks.PostAsync(url, content).ConfigureAwait(false);
            if (!answer.IsSuccessStatusCode)
            {
                Interlocked.Increment(ref _failedWebhooks);
            }
        }
        catch (Exception e) when (e is HttpRequestException || e is OperationCanceledException || e is InvalidOperationException || e is UriFormatException)
        {
            Interlocked.Increment(ref _failedWebhooks);
        }
    }

    private async Task FalRequestAsync(HttpContext context, string rest, string method)
    {
        string id = rest.Split('/')[0];
        string action = rest.Length > id.Length ? rest.Substring(id.Length + 1) : string.Empty;
        if (!_jobs.TryGetValue(id, out Job? job) || job.Provider != "fal")
        {
            await JsonAsync(context, 404, action == "cancel" && !_options.FalCancelAsSuccessFlag ? "{\"status\":\"NOT_FOUND\"}" : "{\"detail\":\"Request not found\"}").ConfigureAwait(false);
            return;
        }

        Stage stage = StageOf(job);
        switch (action, method)
        {
            case ("status", "GET"):
                await JsonAsync(context, 200, FalStatus(context, job, context.Request.Query["logs"] == "1")).ConfigureAwait(false);
                return;
            case ("status/stream", "GET"):
                await FalStatusStreamAsync(context, job).ConfigureAwait(false);
                return;
            case ("", "GET"):
                if (stage == Stage.Cancelled)
                {
                    await JsonAsync(context, 400, "{\"detail\":\"Request was cancelled\"}").ConfigureAwait(false);
                }
                else if (stage is Stage.Queued or Stage.Running)
                {
                    await JsonAsync(context, 400, "{\"detail\":\"Request is still in progress\"}").ConfigureAwait(false);
                }
                else
                {
                    await JsonAsync(context, 200, FalOutput(context, job)).ConfigureAwait(false);
                }

                return;
            case ("cancel", "PUT"):
                bool cancelled = stage is Stage.Queued or Stage.Running;
                job.Cancelled |= cancelled;
                if (_options.FalCancelAsSuccessFlag)
                {
                    await JsonAsync(context, 200, cancelled ? "{\"success\":true}" : "{\"success\":false}").ConfigureAwait(false);
                }
                else
                {
                    await JsonAsync(context, cancelled ? 202 : 400, cancelled ? "{\"status\":\"CANCELLATION_REQUESTED\"}" : "{\"status\":\"ALREADY_COMPLETED\"}").ConfigureAwait(false);
                }

                return;
        }

        await JsonAsync(context, 405, "{\"detail\":\"Method Not Allowed\"}").ConfigureAwait(false);
    }

    private string FalStatus(HttpContext context, Job job, bool logs)
    {
        Stage stage = StageOf(job);
        string status = stage switch { Stage.Queued => "IN_QUEUE", Stage.Running => "IN_PROGRESS", _ => "COMPLETED" };
        var text = new StringBuilder("{\"status\":").Append(Quote(status));
        if (_options.FullAnswers)
        {
            text.Append(",\"request_id\":").Append(Quote(job.Id));
        }

        if (stage == Stage.Queued)
        {
            text.Append(",\"queue_position\":").Append(QueuePosition(job).ToString(CultureInfo.InvariantCulture));
        }

        text.Append(",\"response_url\":").Append(Quote(BaseOf(context) + FalQueue + "/requests/" + job.Id));
        if (logs && stage != Stage.Queued)
        {
            // fal's docs: a list of {message, level, source, timestamp}.
            text.Append(",\"logs\":[{\"message\":").Append(Quote("step " + Step(job).ToString(CultureInfo.InvariantCulture)))
                .Append(",\"level\":\"INFO\",\"source\":\"stdout\",\"timestamp\":").Append(Quote(DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.ffffff", CultureInfo.InvariantCulture))).Append("}]");
        }

        if (stage is Stage.Done or Stage.Failed or Stage.Cancelled)
        {
            text.Append(",\"metrics\":{\"inference_time\":").Append(_options.RunTime.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)).Append('}');
        }

        return text.Append('}').ToString();
    }

    private async Task FalStatusStreamAsync(HttpContext context, Job job)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        string? last = null;
        try
        {
            while (!context.RequestAborted.IsCancellationRequested)
            {
                Stage stage = StageOf(job);
                string status = FalStatus(context, job, context.Request.Query["logs"] == "1");
                if (status != last)
                {
                    await context.Response.WriteAsync("data: " + status + "\n\n", context.RequestAborted).ConfigureAwait(false);
                    await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
                    last = status;
                }

                if (stage is Stage.Done or Stage.Failed or Stage.Cancelled)
                {
                    return; // the stream ends after the completed status, as fal's does
                }

                await Task.Delay(50, context.RequestAborted).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private string FalOutput(HttpContext context, Job job) => FalOutputFor(BaseOf(context), job);

    private string FalOutputFor(string baseUrl, Job job)
    {
        (int width, int height) = SizeOf(job);

        // sync_mode: the image comes inline as a data URI and is not stored (fal: not in the request history).
        string url = Quote(job.SyncMode ? SchemaClients.Files.DataUri.Create(RenderOf(job), "image/png") : baseUrl + "/files/" + job.Id + ".png");
        if (!_options.FullAnswers)
        {
            return job.SyncMode
                ? "{\"images\":[{\"url\":" + url + ",\"content_type\":\"image/png\"}]}"
                : "{\"images\":[{\"url\":" + url + "}]}"; // the seed page's example output, abridged by fal itself
        }

        return "{\"images\":[{\"url\":" + url + ",\"content_type\":\"image/png\",\"width\":" + Int(width) + ",\"height\":" + Int(height) + "}]"
            + ",\"seed\":" + job.Seed.ToString(CultureInfo.InvariantCulture)
            + ",\"prompt\":" + Quote(job.Prompt)
            + ",\"timings\":{\"inference\":" + _options.RunTime.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "}"
            + ",\"has_nsfw_concepts\":[false]}";
    }

    // ---------------------------------------------------------------- Oxen

    private async Task OxenCallAsync(HttpContext context, bool queue, Fault fault)
    {
        using JsonDocument? body = await ReadJsonAsync(context).ConfigureAwait(false);
        if (body == null)
        {
            return;
        }

        JsonElement json = body.RootElement;
        string? model = json.ValueKind == JsonValueKind.Object && json.TryGetProperty("model", out JsonElement m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
        if (model is not ("flux-2-flex" or "flux-2-pro"))
        {
            // Oxen routes by the body's "model": without a known one there is nothing to run.
            await RejectInvalidAsync(context, UnknownModel(model)).ConfigureAwait(false);
            return;
        }

        ValidationResult validation = model == "flux-2-pro" ? Schemas.Oxen.Flux2Pro.SchemaValidator.ValidateJson(json) : Schemas.Oxen.Flux2Flex.SchemaValidator.ValidateJson(json);
        (List<byte[]> inputs, ValidationResult problems) = validation.IsValid
            ? await ReadInputsAsync(context, "oxen", json).ConfigureAwait(false)
            : (new List<byte[]>(), ValidationResult.Success);
        (byte R, byte G, byte B)? tint = inputs.Count > 0 ? TintOf(inputs) : null;
        if (!queue)
        {
            if (await RejectInvalidAsync(context, validation).ConfigureAwait(false) || await RejectInvalidAsync(context, problems).ConfigureAwait(false))
            {
                return;
            }

            Job sync = NewJob("oxen", model, json);
            sync.Tint = tint;
            await JsonAsync(context, 200, OxenSyncAnswer(context, sync)).ConfigureAwait(false);
            return;
        }

        int count = 1;
        if (json.TryGetProperty("num_generations", out JsonElement n))
        {
            if (!n.TryGetInt32(out count) || count < 1 || count > 4)
            {
                var collector = new ViolationCollector();
                collector.Add("$.num_generations", "maximum", "4", n.GetRawText());
                await RejectInvalidAsync(context, collector.ToResult()).ConfigureAwait(false);
                return;
            }
        }

        // Oxen's async queue reference: model parameters are checked only when the generation runs; a bad value makes
        // it fail then, with no error at enqueue time.
        string? failure = !validation.IsValid ? string.Join("; ", validation.Violations.Select(v => v.Message))
            : !problems.IsValid ? string.Join("; ", problems.Violations.Select(v => v.Message))
            : fault == Fault.JobFails ? "the model failed (injected by the emulator)"
            : null;
        var generations = new StringBuilder("{\"generations\":[");
        for (int i = 0; i < count; i++)
        {
            Job job = NewJob("oxen", model, json, seedOffset: i);
            job.FailsWith = failure;
            job.Tint = tint;
            generations.Append(i > 0 ? "," : string.Empty).Append("{\"generation_id\":").Append(Quote(job.Id)).Append(",\"status\":\"queued\"}");
        }

        await JsonAsync(context, 200, generations.Append("]}").ToString()).ConfigureAwait(false);
    }

    private string OxenSyncAnswer(HttpContext context, Job job)
        => "{\"images\":[{\"url\":" + Quote(ImageUrl(context, job)) + "}],\"seed\":" + job.Seed.ToString(CultureInfo.InvariantCulture) + "}";

    private static ValidationResult UnknownModel(string? model)
    {
        var collector = new ViolationCollector();
        collector.Add("$.model", model == null ? "required" : "enum", "flux-2-flex, flux-2-pro", model == null ? "(missing)" : Quote(model));
        return collector.ToResult();
    }

    private async Task OxenStatusAsync(HttpContext context, string id)
    {
        if (!_jobs.TryGetValue(id, out Job? job) || job.Provider != "oxen")
        {
            await JsonAsync(context, 404, "{\"detail\":\"generation not found\"}").ConfigureAwait(false);
            return;
        }

        await JsonAsync(context, 200, OxenStatus(context, job, withId: _options.FullAnswers)).ConfigureAwait(false);
    }

    private string OxenStatus(HttpContext context, Job job, bool withId)
    {
        Stage stage = StageOf(job);
        string status = stage switch { Stage.Queued => "queued", Stage.Running => "processing", Stage.Done => "succeeded", Stage.Failed => "failed", _ => "cancelled" };
        // The async queue reference documents status, result_url on success and error_message on failure.
        return "{" + (withId ? "\"generation_id\":" + Quote(job.Id) + "," : string.Empty) + "\"status\":" + Quote(status)
            + (stage == Stage.Done ? ",\"result_url\":" + Quote(ImageUrl(context, job)) : string.Empty)
            + (stage == Stage.Failed ? ",\"error_message\":" + Quote(job.FailsWith!) : string.Empty)
            + (stage == Stage.Cancelled ? ",\"error_message\":\"cancelled\"" : string.Empty) + "}";
    }

    private async Task EventsAsync(HttpContext context, Fault fault)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        if (fault == Fault.StreamEndsEarly)
        {
            return;
        }

        DateTimeOffset since = DateTimeOffset.UtcNow - _options.QueueTime - _options.RunTime;
        try
        {
            while (!context.RequestAborted.IsCancellationRequested)
            {
                foreach (Job job in _jobs.Values.Where(j => j.Provider == "oxen" && j.Created >= since && (StageOf(j) is Stage.Done or Stage.Failed) && !j.Announced).OrderBy(j => j.Created).ToList())
                {
                    job.Announced = true;
                    // The model pages match the event on "generation_id" alone; that is all the default event carries.
                    string data = _options.FullAnswers ? OxenStatus(context, job, withId: true) : "{\"generation_id\":" + Quote(job.Id) + "}";
                    await context.Response.WriteAsync("event: media_generation_completed\ndata: " + data + "\n\n", context.RequestAborted).ConfigureAwait(false);
                }

                await context.Response.WriteAsync(": keep-alive\n\n", context.RequestAborted).ConfigureAwait(false);
                await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
                await Task.Delay(100, context.RequestAborted).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    // ---------------------------------------------------------------- apiframe

    private async Task ApiframeGenerateAsync(HttpContext context, Fault fault)
    {
        using JsonDocument? body = await ReadJsonAsync(context).ConfigureAwait(false);
        if (body == null || await RejectInvalidAsync(context, Schemas.Apiframe.Flux2Flex.SchemaValidator.ValidateJson(body.RootElement)).ConfigureAwait(false))
        {
            return;
        }

        (List<byte[]> inputs, ValidationResult problems) = await ReadInputsAsync(context, "apiframe", body.RootElement).ConfigureAwait(false);
        if (await RejectInvalidAsync(context, problems).ConfigureAwait(false))
        {
            return;
        }

        // apiframe honours Idempotency-Key: the same key never makes a second job.
        string? key = context.Request.Headers.TryGetValue("Idempotency-Key", out var k) ? k.ToString() : null;
        Job job;
        if (key != null && _idempotentJobs.TryGetValue(key, out string? existing) && _jobs.TryGetValue(existing, out Job? known))
        {
            job = known;
        }
        else
        {
            string model = body.RootElement.TryGetProperty("model", out JsonElement m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "flux-2-flex";
            job = NewJob("apiframe", model, body.RootElement);
            job.Tint = inputs.Count > 0 ? TintOf(inputs) : null;
            job.FailsWith = fault == Fault.JobFails ? "Generation failed: the model returned no image (injected by the emulator)" : null;
            if (key != null)
            {
                _idempotentJobs.TryAdd(key, job.Id);
            }
        }

        await JsonAsync(context, 202, "{\"jobId\":" + Quote(job.Id) + ",\"status\":\"QUEUED\"}").ConfigureAwait(false);
    }

    private async Task ApiframeJobAsync(HttpContext context, string id)
    {
        if (!_jobs.TryGetValue(id, out Job? job) || job.Provider != "apiframe")
        {
            await JsonAsync(context, 404, "{\"error\":\"Job not found\"}").ConfigureAwait(false);
            return;
        }

        Stage stage = StageOf(job);
        string status = stage switch { Stage.Queued => "QUEUED", Stage.Running => "PROCESSING", Stage.Done => "COMPLETED", _ => "FAILED" };
        int progress = stage switch
        {
            Stage.Queued => 0,
            Stage.Running => Math.Clamp((int)((DateTimeOffset.UtcNow - job.Created - _options.QueueTime).TotalMilliseconds * 100 / Math.Max(1, _options.RunTime.TotalMilliseconds)), 0, 99),
            _ => 100,
        };
        string url = ImageUrl(context, job);
        // The jobs page shows result as a URL; the images page as {"images": [...]}. Both are documented.
        string result = stage != Stage.Done ? "null" : _options.ApiframeResultAsImages ? "{\"images\":[" + Quote(url) + "]}" : Quote(url);
        string ended = stage is Stage.Done or Stage.Failed ? Quote((job.Created + _options.QueueTime + _options.RunTime).ToString("O", CultureInfo.InvariantCulture)) : "null";
        await JsonAsync(context, 200, "{\"id\":" + Quote(job.Id) + ",\"status\":" + Quote(status) + ",\"model\":" + Quote(job.Model)
            + ",\"progress\":" + Int(progress) + ",\"result\":" + result
            + ",\"error\":" + (stage == Stage.Failed ? Quote(job.FailsWith!) : "null")
            + ",\"creditCost\":" + (stage == Stage.Failed ? "0" : "4")
            + ",\"webhookStatus\":null,\"createdAt\":" + Quote(job.Created.ToString("O", CultureInfo.InvariantCulture))
            + ",\"completedAt\":" + ended + "}").ConfigureAwait(false);
    }

    // ---------------------------------------------------------------- jobs and files

    private Job NewJob(string provider, string model, JsonElement body, int seedOffset = 0)
    {
        JsonElement source = body.TryGetProperty("fluxParams", out JsonElement flux) ? flux : body;
        string prompt = body.TryGetProperty("prompt", out JsonElement p) && p.ValueKind == JsonValueKind.String ? p.GetString()! : string.Empty;
        long seed = (source.TryGetProperty("seed", out JsonElement s) && s.TryGetInt64(out long value) ? value : 42) + seedOffset;
        string id = provider + "-" + Interlocked.Increment(ref _nextId).ToString("D6", CultureInfo.InvariantCulture);
        var job = new Job(id, provider, model, prompt, seed, DateTimeOffset.UtcNow, ImageSizeOf(provider, source));
        _jobs[id] = job;
        return job;
    }

    private static (int Width, int Height) SizeOf(Job job) => job.Size;

    /// <summary>The long side of every emulated image in pixels: the aspect ratio is the provider's, the scale is small.</summary>
    internal const int ImageLongSide = 256;

    /// <summary>
    /// The size of the image a request asks for, scaled so its long side is <see cref="ImageLongSide"/>: fal's
    /// <c>image_size</c> (a preset name or <c>{"width","height"}</c>, default <c>landscape_4_3</c>), Oxen's and
    /// apiframe's <c>aspect_ratio</c> ("W:H"; apiframe's "custom" uses width and height; Oxen's default 16:9).
    /// A ratio the emulator cannot read (<c>match_input_image</c>) gives a square.
    /// </summary>
    internal static (int Width, int Height) ImageSizeOf(string provider, JsonElement source)
    {
        (double w, double h) = (1, 1);
        if (source.ValueKind != JsonValueKind.Object)
        {
            return Scale(w, h);
        }

        if (provider == "fal")
        {
            (w, h) = (4, 3);
            if (source.TryGetProperty("image_size", out JsonElement size))
            {
                if (size.ValueKind == JsonValueKind.String)
                {
                    (w, h) = size.GetString() switch
                    {
                        "square_hd" or "square" => (1, 1),
                        "portrait_4_3" => (3, 4),
                        "portrait_16_9" => (9, 16),
                        "landscape_16_9" => (16, 9),
                        _ => (4, 3),
                    };
                }
                else if (Dimension(size, "width") is double sw && Dimension(size, "height") is double sh)
                {
                    (w, h) = (sw, sh);
                }
            }

            return Scale(w, h);
        }

        if (provider == "oxen")
        {
            (w, h) = (16, 9);
        }

        if (source.TryGetProperty("aspect_ratio", out JsonElement ratio) && ratio.ValueKind == JsonValueKind.String)
        {
            string text = ratio.GetString()!;
            int colon = text.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0
                && double.TryParse(text.AsSpan(0, colon), NumberStyles.Integer, CultureInfo.InvariantCulture, out double rw)
                && double.TryParse(text.AsSpan(colon + 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out double rh)
                && rw > 0 && rh > 0)
            {
                (w, h) = (rw, rh);
            }
            else if (text == "custom" && Dimension(source, "width") is double cw && Dimension(source, "height") is double ch)
            {
                (w, h) = (cw, ch);
            }
            else
            {
                (w, h) = (1, 1);
            }
        }

        return Scale(w, h);

        static double? Dimension(JsonElement o, string name)
            => o.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out double d) && d > 0 ? d : null;

        static (int, int) Scale(double w, double h)
        {
            double longSide = Math.Max(w, h);
            return (Math.Max(1, (int)Math.Round(w * ImageLongSide / longSide)), Math.Max(1, (int)Math.Round(h * ImageLongSide / longSide)));
        }
    }

    private int QueuePosition(Job job) => _jobs.Values.Count(j => j.Provider == job.Provider && j.Created < job.Created && StageOf(j) == Stage.Queued);

    private int Step(Job job) => Math.Clamp((int)((DateTimeOffset.UtcNow - job.Created - _options.QueueTime).TotalMilliseconds * 28 / Math.Max(1, _options.RunTime.TotalMilliseconds)), 0, 28);

    private static string ImageUrl(HttpContext context, Job job) => BaseOf(context) + "/files/" + job.Id + ".png";

    private static string BaseOf(HttpContext context) => context.Request.Scheme + "://" + context.Request.Host;

    private async Task ServeFileAsync(HttpContext context, string name)
    {
        string id = name.EndsWith(".png", StringComparison.Ordinal) ? name.Substring(0, name.Length - 4) : name;
        if (!_jobs.TryGetValue(id, out Job? job))
        {
            context.Response.StatusCode = 404;
            return;
        }

        byte[] png = RenderOf(job);
        context.Response.ContentType = "image/png";
        context.Response.ContentLength = png.Length;
        await context.Response.Body.WriteAsync(png, context.RequestAborted).ConfigureAwait(false);
    }

    private static Task JsonAsync(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body);
    }

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Quote(string text) => JsonSerializer.Serialize(text, EmulatorJsonContext.Default.String);
}

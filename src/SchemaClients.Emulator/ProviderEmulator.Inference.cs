using System;
using System.Collections.Concurrent;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using SchemaClients.Validation;

namespace SchemaClients.Emulator;

/// <summary>
/// The providers' inference contracts as the seed pages document them. Where a page leaves a response
/// body out (Oxen's sync answer, apiframe's answer) the emulator answers with a small shape of its own,
/// documented here, that clients keep untyped: <c>{"images":[{"url":...}],"seed":...}</c>.
/// </summary>
public sealed partial class ProviderEmulator
{
    private const string FalModel = "/fal-ai/flux-2-flex";
    private const string FalQueue = "/queue" + FalModel;

    private EmulatorOptions _options = null!;
    private readonly ConcurrentDictionary<string, Job> _jobs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentQueue<Fault>> _plannedFaults = new(StringComparer.Ordinal);
    private long _nextId;

    /// <summary>Makes the next request to <paramref name="path"/> (no query) answer with <paramref name="fault"/>; each call adds one.</summary>
    public void FailNext(string path, Fault fault) => _plannedFaults.GetOrAdd(path, _ => new ConcurrentQueue<Fault>()).Enqueue(fault);

    /// <summary>Jobs created so far (queue submissions of every provider).</summary>
    public int JobCount => _jobs.Count;

    /// <summary>Bodies that reached a model endpoint (valid or not).</summary>
    public int ModelRequestCount => _modelRequests;

    private int _modelRequests;

    private sealed class Job(string id, string provider, string prompt, long seed, DateTimeOffset created)
    {
        public string Id { get; } = id;

        public string Provider { get; } = provider;

        public string Prompt { get; } = prompt;

        public long Seed { get; } = seed;

        public DateTimeOffset Created { get; } = created;

        public bool Cancelled { get; set; }

        public bool Announced { get; set; }
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
        Cancelled,
    }

    private Stage StageOf(Job job)
    {
        if (job.Cancelled)
        {
            return Stage.Cancelled;
        }

        TimeSpan age = DateTimeOffset.UtcNow - job.Created;
        return age < _options.QueueTime ? Stage.Queued : age < _options.QueueTime + _options.RunTime ? Stage.Running : Stage.Done;
    }

    private async Task HandleInferenceAsync(HttpContext context, Fault fault)
    {
        string path = context.Request.Path.Value ?? string.Empty;
        string method = context.Request.Method;
        if (path.StartsWith("/files/", StringComparison.Ordinal) && method == "GET")
        {
            await ServeFileAsync(context, path.Substring("/files/".Length)).ConfigureAwait(false);
            return;
        }

        string? provider = path.StartsWith("/api/", StringComparison.Ordinal) ? "oxen"
            : path.StartsWith(FalModel, StringComparison.Ordinal) || path.StartsWith(FalQueue, StringComparison.Ordinal) ? "fal"
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

        if (await ApplyFaultAsync(context, fault).ConfigureAwait(false))
        {
            return;
        }

        switch (provider, method)
        {
            case ("fal", "POST") when path == FalModel:
                await ModelCallAsync(context, "fal", Schemas.Fal.Flux2Flex.SchemaValidator.ValidateJson, queue: false).ConfigureAwait(false);
                return;
            case ("fal", "POST") when path == FalQueue:
                await ModelCallAsync(context, "fal", Schemas.Fal.Flux2Flex.SchemaValidator.ValidateJson, queue: true).ConfigureAwait(false);
                return;
            case ("fal", _) when path.StartsWith(FalQueue + "/requests/", StringComparison.Ordinal):
                await FalRequestAsync(context, path.Substring((FalQueue + "/requests/").Length), method).ConfigureAwait(false);
                return;
            case ("oxen", "POST") when path == "/api/ai/images/edit":
                await OxenCallAsync(context, queue: false).ConfigureAwait(false);
                return;
            case ("oxen", "POST") when path == "/api/ai/queue":
                await OxenCallAsync(context, queue: true).ConfigureAwait(false);
                return;
            case ("oxen", "GET") when path.StartsWith("/api/ai/queue/", StringComparison.Ordinal):
                await OxenStatusAsync(context, path.Substring("/api/ai/queue/".Length)).ConfigureAwait(false);
                return;
            case ("oxen", "GET") when path == "/api/events":
                await EventsAsync(context, fault).ConfigureAwait(false);
                return;
            case ("apiframe", "POST") when path == "/v2/images/generate":
                await ModelCallAsync(context, "apiframe", Schemas.Apiframe.Flux2Flex.SchemaValidator.ValidateJson, queue: false).ConfigureAwait(false);
                return;
        }

        await JsonAsync(context, 404, "{\"detail\":\"Not Found\"}").ConfigureAwait(false);
    }

    private bool Authorized(HttpContext context, string provider)
    {
        string key = _options.Keys.TryGetValue(provider, out string? k) ? k : _options.DefaultKey;
        return provider switch
        {
            "oxen" => context.Request.Headers.Authorization == "Bearer " + key,
            "fal" => context.Request.Headers.Authorization == "Key " + key,
            _ => context.Request.Headers["X-API-Key"] == key,
        };
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

    private async Task<JsonDocument?> ReadValidAsync(HttpContext context, Func<JsonElement, ValidationResult> validate)
    {
        Interlocked.Increment(ref _modelRequests);
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            await JsonAsync(context, 400, "{\"detail\":" + JsonSerializer.Serialize(e.Message, EmulatorJsonContext.Default.String) + "}").ConfigureAwait(false);
            return null;
        }

        ValidationResult result = validate(document.RootElement);
        if (!result.IsValid)
        {
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
            document.Dispose();
            return null;
        }

        return document;
    }

    private async Task ModelCallAsync(HttpContext context, string provider, Func<JsonElement, ValidationResult> validate, bool queue)
    {
        using JsonDocument? body = await ReadValidAsync(context, validate).ConfigureAwait(false);
        if (body == null)
        {
            return;
        }

        Job job = NewJob(provider, body.RootElement);
        if (!queue)
        {
            await JsonAsync(context, 200, Output(context, job)).ConfigureAwait(false);
            return;
        }

        string baseUrl = BaseOf(context);
        await JsonAsync(context, 200, "{\"status\":\"IN_QUEUE\",\"request_id\":" + Quote(job.Id)
            + ",\"response_url\":" + Quote(baseUrl + FalQueue + "/requests/" + job.Id)
            + ",\"status_url\":" + Quote(baseUrl + FalQueue + "/requests/" + job.Id + "/status")
            + ",\"cancel_url\":" + Quote(baseUrl + FalQueue + "/requests/" + job.Id + "/cancel")
            + ",\"queue_position\":" + QueuePosition(job).ToString(CultureInfo.InvariantCulture) + "}").ConfigureAwait(false);
    }

    private async Task OxenCallAsync(HttpContext context, bool queue)
    {
        // Oxen routes by the body's "model"; the model pages always send it. A body without a known model is
        // answered 422 like any other schema violation.
        Func<JsonElement, ValidationResult> validate = json =>
        {
            string? model = json.ValueKind == JsonValueKind.Object && json.TryGetProperty("model", out JsonElement m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            return model switch
            {
                "flux-2-pro" => Schemas.Oxen.Flux2Pro.SchemaValidator.ValidateJson(json),
                "flux-2-flex" => Schemas.Oxen.Flux2Flex.SchemaValidator.ValidateJson(json),
                _ => UnknownModel(model),
            };
        };
        using JsonDocument? body = await ReadValidAsync(context, validate).ConfigureAwait(false);
        if (body == null)
        {
            return;
        }

        Job job = NewJob("oxen", body.RootElement);
        await JsonAsync(context, 200, queue
            ? "{\"generations\":[{\"generation_id\":" + Quote(job.Id) + ",\"status\":\"queued\"}]}"
            : Output(context, job)).ConfigureAwait(false);
    }

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

        await JsonAsync(context, 200, OxenStatus(context, job)).ConfigureAwait(false);
    }

    private string OxenStatus(HttpContext context, Job job)
    {
        Stage stage = StageOf(job);
        string status = stage switch { Stage.Queued => "queued", Stage.Running => "processing", Stage.Done => "succeeded", _ => "cancelled" };
        return "{\"generation_id\":" + Quote(job.Id) + ",\"status\":" + Quote(status)
            + (stage == Stage.Done ? ",\"result_url\":" + Quote(ImageUrl(context, job)) : string.Empty)
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
                foreach (Job job in _jobs.Values.Where(j => j.Provider == "oxen" && j.Created >= since && StageOf(j) == Stage.Done && !j.Announced).OrderBy(j => j.Created).ToList())
                {
                    job.Announced = true;
                    await context.Response.WriteAsync("event: media_generation_completed\ndata: " + OxenStatus(context, job) + "\n\n", context.RequestAborted).ConfigureAwait(false);
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

    private async Task FalRequestAsync(HttpContext context, string rest, string method)
    {
        string id = rest.Split('/')[0];
        string action = rest.Length > id.Length ? rest.Substring(id.Length + 1) : string.Empty;
        if (!_jobs.TryGetValue(id, out Job? job) || job.Provider != "fal")
        {
            await JsonAsync(context, 404, "{\"detail\":\"Request not found\"}").ConfigureAwait(false);
            return;
        }

        Stage stage = StageOf(job);
        switch (action, method)
        {
            case ("status", "GET"):
                string status = stage switch { Stage.Queued => "IN_QUEUE", Stage.Running => "IN_PROGRESS", _ => "COMPLETED" };
                bool logs = context.Request.Query["logs"] == "1";
                string logText = logs && stage != Stage.Queued
                    ? ",\"logs\":{\"lines\":[{\"message\":\"step " + Step(job).ToString(CultureInfo.InvariantCulture) + "\",\"level\":\"INFO\"}]}"
                    : string.Empty;
                await JsonAsync(context, 200, "{\"status\":" + Quote(status) + ",\"request_id\":" + Quote(job.Id)
                    + (stage == Stage.Queued ? ",\"queue_position\":" + QueuePosition(job).ToString(CultureInfo.InvariantCulture) : string.Empty)
                    + logText + "}").ConfigureAwait(false);
                return;
            case ("", "GET"):
                if (stage == Stage.Cancelled)
                {
                    await JsonAsync(context, 400, "{\"detail\":\"Request was cancelled\"}").ConfigureAwait(false);
                }
                else if (stage != Stage.Done)
                {
                    await JsonAsync(context, 400, "{\"detail\":\"Request is still in progress\"}").ConfigureAwait(false);
                }
                else
                {
                    await JsonAsync(context, 200, Output(context, job)).ConfigureAwait(false);
                }

                return;
            case ("cancel", "PUT"):
                bool cancelled = stage is Stage.Queued or Stage.Running;
                job.Cancelled |= cancelled;
                await JsonAsync(context, 200, cancelled ? "{\"success\":true}" : "{\"success\":false}").ConfigureAwait(false);
                return;
        }

        await JsonAsync(context, 405, "{\"detail\":\"Method Not Allowed\"}").ConfigureAwait(false);
    }

    private Job NewJob(string provider, JsonElement body)
    {
        JsonElement source = body.TryGetProperty("fluxParams", out JsonElement flux) ? flux : body;
        string prompt = body.TryGetProperty("prompt", out JsonElement p) && p.ValueKind == JsonValueKind.String ? p.GetString()! : string.Empty;
        long seed = source.TryGetProperty("seed", out JsonElement s) && s.TryGetInt64(out long value) ? value : 42;
        string id = provider + "-" + Interlocked.Increment(ref _nextId).ToString("D6", CultureInfo.InvariantCulture);
        var job = new Job(id, provider, prompt, seed, DateTimeOffset.UtcNow);
        _jobs[id] = job;
        return job;
    }

    private int QueuePosition(Job job) => _jobs.Values.Count(j => j.Provider == job.Provider && j.Created < job.Created && StageOf(j) == Stage.Queued);

    private int Step(Job job) => Math.Clamp((int)((DateTimeOffset.UtcNow - job.Created - _options.QueueTime).TotalMilliseconds * 28 / Math.Max(1, _options.RunTime.TotalMilliseconds)), 0, 28);

    private string Output(HttpContext context, Job job) =>
        "{\"images\":[{\"url\":" + Quote(ImageUrl(context, job)) + ",\"content_type\":\"image/png\",\"width\":64,\"height\":64}],\"seed\":" + job.Seed.ToString(CultureInfo.InvariantCulture) + "}";

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

        byte[] png = Png.Render(job.Prompt, job.Seed);
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

    private static string Quote(string text) => JsonSerializer.Serialize(text, EmulatorJsonContext.Default.String);
}

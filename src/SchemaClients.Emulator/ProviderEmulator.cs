using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SchemaClients.Emulator;

/// <summary>What the emulator does with a request instead of answering it properly.</summary>
public enum Fault
{
    /// <summary>Answer normally.</summary>
    None,

    /// <summary>401, as a provider does for a wrong key.</summary>
    Unauthorized,

    /// <summary>200 with an HTML page (a login or error page) instead of JSON.</summary>
    HtmlPage,

    /// <summary>Half the body, then the connection is cut (Content-Length promises the whole).</summary>
    TruncatedBody,

    /// <summary>The connection is closed before any response.</summary>
    DroppedConnection,

    /// <summary>No answer for 30 seconds (or until the client gives up).</summary>
    SlowResponse,

    /// <summary>Not a fault: 200 with the same document written as YAML, as some providers serve theirs.</summary>
    AsYaml,

    /// <summary>500.</summary>
    ServerError,

    /// <summary>429 with Retry-After: 1.</summary>
    TooManyRequests,

    /// <summary>200 with a body that breaks off mid-JSON.</summary>
    MalformedBody,

    /// <summary>For the event stream: the stream ends before any event.</summary>
    StreamEndsEarly,

    /// <summary>The request body is read in full (so a provider would have started the job), then the connection is cut before any answer.</summary>
    DroppedAfterBody,

    /// <summary>Not a transport fault: the job this request starts fails when it runs (Oxen: <c>failed</c> with <c>error_message</c>; apiframe: <c>FAILED</c> with <c>error</c>).</summary>
    JobFails,
}

/// <summary>Options of an emulator instance.</summary>
public sealed class EmulatorOptions
{
    /// <summary>
    /// The repository root: the folder with schemas/manifest.json, whose files the emulator serves. Null serves the
    /// copies built into the emulator (the schemas/ of the build it came from), so it runs from any folder.
    /// </summary>
    public string? Root { get; init; }

    /// <summary>The key the emulator accepts per provider; a provider not listed accepts <see cref="DefaultKey"/>.</summary>
    public IReadOnlyDictionary<string, string> Keys { get; init; } = new Dictionary<string, string>();

    /// <summary>The key accepted for providers not in <see cref="Keys"/>.</summary>
    public string DefaultKey { get; init; } = "emulator-key";

    /// <summary>0 picks a free port.</summary>
    public int Port { get; init; }

    /// <summary>How long a queued job waits before it runs. Default 1 s.</summary>
    public TimeSpan QueueTime { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a job runs. Default 2 s.</summary>
    public TimeSpan RunTime { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long fal's sync run takes before it answers. Default 0: at once, so tests and benchmarks that call it in a loop stay fast.</summary>
    public TimeSpan SyncRunTime { get; init; }

    /// <summary>
    /// Whether answers carry the fields real ones do beyond the documented examples: fal's submit <c>status</c> and
    /// <c>queue_position</c>, its output's <c>seed</c>, <c>prompt</c>, <c>timings</c>, <c>has_nsfw_concepts</c> and image
    /// sizes, fal's status <c>request_id</c>, Oxen's <c>generation_id</c> in polls and <c>status</c>/<c>result_url</c> in
    /// completion events. Default false: the documented shapes only, so clients are tested on the least a provider promises.
    /// </summary>
    public bool FullAnswers { get; init; }

    /// <summary>Whether fal's cancel answers as its queue OpenAPI document types it (200 <c>{"success": bool}</c>) rather than with the docs' outcome words (202 <c>CANCELLATION_REQUESTED</c>, 400 <c>ALREADY_COMPLETED</c>, 404 <c>NOT_FOUND</c>). Default false.</summary>
    public bool FalCancelAsSuccessFlag { get; init; }

    /// <summary>Whether apiframe's job <c>result</c> is <c>{"images": [url]}</c> (its images page) rather than the URL string (its jobs page). Default false.</summary>
    public bool ApiframeResultAsImages { get; init; }

    /// <summary>
    /// The repository root for <see cref="Root"/>: the first folder, from each start folder upwards, that holds
    /// schemas/manifest.json; null when there is none.
    /// </summary>
    /// <param name="starts">Where to start looking, in order (for example the current folder, then the app's folder).</param>
    public static string? FindRoot(params string[] starts)
    {
        foreach (string start in starts)
        {
            for (DirectoryInfo? dir = new(start); dir != null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "schemas", "manifest.json")))
                {
                    return dir.FullName;
                }
            }
        }

        return null;
    }
}

/// <summary>
/// A real Kestrel server on 127.0.0.1 that serves each schema document where its provider serves it
/// (the Oxen models endpoint, fal's per-endpoint OpenAPI URL), from the manifest and files under schemas/,
/// with each provider's auth header checked. Documents can be replaced while it runs (to serve changed
/// versions) and faults injected per path; the providers' inference endpoints are in the other part of this class.
/// </summary>
public sealed partial class ProviderEmulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Dictionary<string, Route> _routes;

    private ProviderEmulator(WebApplication app, Dictionary<string, Route> routes)
    {
        _app = app;
        _routes = routes;
    }

    /// <summary>The base URL, for example http://127.0.0.1:41234.</summary>
    public string BaseUrl { get; private set; } = "";

    /// <summary>Faults by path and query (for example <c>/api/ai/models/flux-2-flex</c>); applied to every request on that path.</summary>
    public ConcurrentDictionary<string, Fault> Faults { get; } = new(StringComparer.Ordinal);

    /// <summary>Requests seen so far.</summary>
    public int RequestCount => _requests;

    private int _requests;

    private readonly ConcurrentDictionary<string, byte> _connections = new(StringComparer.Ordinal);

    /// <summary>Distinct TCP connections requests arrived on so far (to see that clients reuse connections).</summary>
    public int ConnectionCount => _connections.Count;

    /// <summary>The most requests that were being answered at one moment so far (to see that clients send in parallel).</summary>
    public int PeakInFlight => Volatile.Read(ref _peakInFlight);

    private int _inFlight;
    private int _peakInFlight;

    /// <summary>The paths (with query) the emulator serves documents on.</summary>
    public IReadOnlyCollection<string> DocumentPaths => _routes.Keys;

    /// <summary>Starts the emulator on 127.0.0.1.</summary>
    public static async Task<ProviderEmulator> StartAsync(EmulatorOptions options, CancellationToken cancellationToken = default)
    {
        Dictionary<string, Route> routes = LoadRoutes(options);
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:" + options.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.Logging.ClearProviders();
        WebApplication app = builder.Build();
        var emulator = new ProviderEmulator(app, routes) { _options = options };
        app.Run(emulator.HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        emulator.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return emulator;
    }

    /// <summary>
    /// Points generated-client options at this emulator for <paramref name="provider"/> (oxen, fal, apiframe): base
    /// URL, fal's queue host (served under <c>/queue</c>) and the key the emulator accepts. Other options are kept.
    /// </summary>
    public SchemaClients.SchemaClientOptions Configure(SchemaClients.SchemaClientOptions options, string provider)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.BaseAddress = new Uri(BaseUrl);
        options.QueueBaseAddress = new Uri(BaseUrl + "/queue");
        options.StorageBaseAddress = new Uri(BaseUrl);
        options.ApiKey = KeyFor(provider);
        return options;
    }

    /// <summary>Options for a generated client of <paramref name="provider"/> that call this emulator.</summary>
    public SchemaClients.SchemaClientOptions OptionsFor(string provider) => Configure(new SchemaClients.SchemaClientOptions(), provider);

    /// <summary>The key this emulator accepts for <paramref name="provider"/>.</summary>
    public string KeyFor(string provider) => _options.Keys.TryGetValue(provider, out string? key) ? key : _options.DefaultKey;

    /// <summary>Replaces the document served on a path, for example with a changed version.</summary>
    public void Serve(string pathAndQuery, string json)
    {
        if (!_routes.TryGetValue(pathAndQuery, out Route? route))
        {
            throw new ArgumentException("the emulator serves no document on " + pathAndQuery, nameof(pathAndQuery));
        }

        route.Body = json;
    }

    /// <summary>The document currently served on a path.</summary>
    public string Served(string pathAndQuery) => _routes[pathAndQuery].Body;

    private sealed class Route(string provider, string? authHeader, string? authScheme, string key, string body)
    {
        public string Provider { get; } = provider;

        public string? AuthHeader { get; } = authHeader;

        public string Expected { get; } = string.IsNullOrEmpty(authScheme) ? key : authScheme + " " + key;

        public string Body { get; set; } = body;
    }

    private static Dictionary<string, Route> LoadRoutes(EmulatorOptions options)
    {
        using JsonDocument manifest = JsonDocument.Parse(ReadSchemaFile(options, "manifest.json"));
        var routes = new Dictionary<string, Route>(StringComparer.Ordinal);
        foreach (JsonElement entry in manifest.RootElement.GetProperty("entries").EnumerateArray())
        {
            string? url = entry.TryGetProperty("fetchUrl", out JsonElement u) && u.ValueKind == JsonValueKind.String ? u.GetString() : null;
            if (url == null)
            {
                continue;
            }

            string provider = entry.GetProperty("provider").GetString()!;
            string? header = entry.TryGetProperty("authHeader", out JsonElement h) && h.ValueKind == JsonValueKind.String ? h.GetString() : null;
            string? scheme = entry.TryGetProperty("authScheme", out JsonElement s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
            string body = ReadSchemaFile(options, entry.GetProperty("file").GetString()!);
            string key = options.Keys.TryGetValue(provider, out string? k) ? k : options.DefaultKey;
            routes[new Uri(url).PathAndQuery] = new Route(provider, header, scheme, key, body);
        }

        return routes;
    }

    /// <summary>A file under schemas/: from <see cref="EmulatorOptions.Root"/>, or the copy built into this assembly.</summary>
    private static string ReadSchemaFile(EmulatorOptions options, string relative)
    {
        if (options.Root != null)
        {
            return File.ReadAllText(Path.Combine(options.Root, "schemas", relative));
        }

        string name = "schemas/" + relative.Replace('\\', '/');
        using Stream? stream = typeof(ProviderEmulator).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException("the emulator has no built-in copy of " + name + " (and no Root was given)");
        using var reader = new StreamReader(stream, System.Text.Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private async Task HandleAsync(HttpContext context)
    {
        int now = Interlocked.Increment(ref _inFlight);
        for (int peak = Volatile.Read(ref _peakInFlight); now > peak; peak = Volatile.Read(ref _peakInFlight))
        {
            if (Interlocked.CompareExchange(ref _peakInFlight, now, peak) == peak)
            {
                break;
            }
        }

        try
        {
            await AnswerAsync(context).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private async Task AnswerAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        Record(context);
        _connections.TryAdd(context.Connection.Id, 0);
        string key = context.Request.Path + context.Request.QueryString;
        Fault fault = NextFault(context.Request.Path.Value ?? string.Empty, key);
        if (!_routes.TryGetValue(key, out Route? route))
        {
            await HandleInferenceAsync(context, fault).ConfigureAwait(false);
            return;
        }

        if (route.AuthHeader != null && context.Request.Headers[route.AuthHeader] != route.Expected)
        {
            await JsonAsync(context, 401, "{\"detail\":\"invalid or missing API key\"}").ConfigureAwait(false);
            return;
        }

        // Faults every endpoint shares go through the one mechanism; only these three are about documents.
        if (await ApplyFaultAsync(context, fault).ConfigureAwait(false))
        {
            return;
        }

        switch (fault)
        {
            case Fault.HtmlPage:
                context.Response.ContentType = "text/html";
                await context.Response.WriteAsync("<!doctype html><html><body>Sign in to continue</body></html>").ConfigureAwait(false);
                return;
            case Fault.AsYaml:
                context.Response.ContentType = "application/yaml";
                await context.Response.WriteAsync(JsonAsYaml.Write(route.Body)).ConfigureAwait(false);
                return;
            case Fault.TruncatedBody:
                byte[] bytes = Encoding.UTF8.GetBytes(route.Body);
                context.Response.ContentType = "application/json";
                context.Response.ContentLength = bytes.Length;
                await context.Response.Body.WriteAsync(bytes.AsMemory(0, bytes.Length / 2)).ConfigureAwait(false);
                await context.Response.Body.FlushAsync().ConfigureAwait(false);
                context.Abort();
                return;
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(route.Body).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _webhooks.Dispose();
        _fetcher.Dispose();
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}

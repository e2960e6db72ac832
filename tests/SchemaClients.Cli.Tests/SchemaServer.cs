using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace SchemaClients.Cli.Tests;

/// <summary>How the server answers one path.</summary>
public enum Behaviour
{
    Serve,
    Unauthorized,
    Html,
    Truncated,
    Dropped,
    Slow,
    Yaml,
}

/// <summary>
/// A real Kestrel server on 127.0.0.1 and a free port that serves schema documents the way the providers
/// do (the Oxen models endpoint with a bearer key, fal's per-endpoint OpenAPI URL) and fails on request.
/// </summary>
public sealed class SchemaServer : IAsyncDisposable
{
    public const string OxenKey = "oxen-test-key";

    private readonly WebApplication _app;

    private SchemaServer(WebApplication app)
    {
        _app = app;
    }

    /// <summary>Documents by path and query, for example <c>/api/ai/models/flux-2-flex</c>.</summary>
    public ConcurrentDictionary<string, string> Documents { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, Behaviour> Faults { get; } = new(StringComparer.Ordinal);

    public int Requests;

    public string BaseUrl { get; private set; } = "";

    public static async Task<SchemaServer> StartAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        WebApplication app = builder.Build();
        var server = new SchemaServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        server.BaseUrl = app.Services.GetService(typeof(IServer)) is IServer s ? s.Features.Get<IServerAddressesFeature>()!.Addresses.First() : throw new InvalidOperationException("no server");
        return server;
    }

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref Requests);
        string key = context.Request.Path + context.Request.QueryString;
        if (context.Request.Path.StartsWithSegments("/api/ai/models") && context.Request.Headers.Authorization != "Bearer " + OxenKey)
        {
            context.Response.StatusCode = 401;
            await context.Response.WriteAsync("{\"error\":\"unauthorized\"}");
            return;
        }

        Faults.TryGetValue(key, out Behaviour behaviour);
        if (!Documents.TryGetValue(key, out string? body))
        {
            context.Response.StatusCode = 404;
            return;
        }

        switch (behaviour)
        {
            case Behaviour.Unauthorized:
                context.Response.StatusCode = 401;
                return;
            case Behaviour.Html:
                context.Response.ContentType = "text/html";
                await context.Response.WriteAsync("<html><body>Sign in</body></html>");
                return;
            case Behaviour.Yaml:
                context.Response.ContentType = "application/yaml";
                await context.Response.WriteAsync("openapi: 3.0.4\n");
                return;
            case Behaviour.Truncated:
                byte[] bytes = System.Text.Encoding.UTF8.GetBytes(body);
                context.Response.ContentType = "application/json";
                context.Response.ContentLength = bytes.Length;
                await context.Response.Body.WriteAsync(bytes.AsMemory(0, bytes.Length / 2));
                await context.Response.Body.FlushAsync();
                context.Abort();
                return;
            case Behaviour.Dropped:
                context.Abort();
                return;
            case Behaviour.Slow:
                await Task.Delay(TimeSpan.FromSeconds(10), context.RequestAborted).ContinueWith(_ => { });
                return;
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

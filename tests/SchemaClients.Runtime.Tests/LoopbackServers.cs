using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SchemaClients.Runtime.Tests;

/// <summary>Starts a Kestrel server on 127.0.0.1 at a free port, for the tests' own servers.</summary>
internal static class Loopback
{
    public static async Task<(WebApplication App, Uri BaseUrl)> StartAsync(RequestDelegate handle)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        WebApplication app = builder.Build();
        app.Run(handle);
        await app.StartAsync();
        return (app, new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/"));
    }

    /// <summary>The same over TLS, with a self-signed certificate for 127.0.0.1 made for this server (a client must be told to accept it).</summary>
    public static async Task<(WebApplication App, Uri BaseUrl)> StartHttpsAsync(RequestDelegate handle)
    {
        using RSA rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using X509Certificate2 made = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        X509Certificate2 certificate = X509CertificateLoader.LoadPkcs12(made.Export(X509ContentType.Pfx), null);

        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        builder.Logging.ClearProviders();
        WebApplication app = builder.Build();
        app.Run(handle);
        await app.StartAsync();
        return (app, new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/"));
    }
}

/// <summary>One answer a <see cref="ReplayServer"/> gives: a status, a body as written (verbatim), headers.</summary>
/// <param name="Status">The HTTP status.</param>
/// <param name="Body">The body, written byte for byte; null for none.</param>
/// <param name="ContentType">The content type of the body.</param>
/// <param name="Headers">Extra response headers.</param>
/// <param name="Drop">Cut the connection (after reading the request body) instead of answering.</param>
public sealed record Scripted(int Status, string? Body = null, string ContentType = "application/json", IReadOnlyDictionary<string, string>? Headers = null, bool Drop = false)
{
    /// <summary>A JSON answer.</summary>
    public static Scripted Json(int status, string body) => new(status, body);

    /// <summary>A server-sent event stream with these events, then the end of the response.</summary>
    public static Scripted Events(string text) => new(200, text, "text/event-stream");
}

/// <summary>A request a <see cref="ReplayServer"/> saw.</summary>
public sealed record Seen(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string Body, byte[]? Raw = null)
{
    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out string? value) ? value : null;
}

/// <summary>
/// A real Kestrel server on 127.0.0.1 that answers each (method, path) with scripted answers in order (the last one
/// repeats), and records every request. For replaying a provider's documented answers verbatim to a client.
/// </summary>
public sealed class ReplayServer : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<Scripted>> _routes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Scripted> _last = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<Seen> _seen = new();

    private WebApplication _app = null!;

    public Uri BaseUrl { get; private set; } = null!;

    public IReadOnlyList<Seen> Requests => _seen.ToArray();

    public static async Task<ReplayServer> StartAsync()
    {
        var server = new ReplayServer();
        (server._app, server.BaseUrl) = await Loopback.StartAsync(server.HandleAsync);
        return server;
    }

    /// <summary>Answers <paramref name="method"/> <paramref name="path"/> with these, in order; the last repeats.</summary>
    public ReplayServer On(string method, string path, params Scripted[] answers)
    {
        var queue = _routes.GetOrAdd(method + " " + path, _ => new ConcurrentQueue<Scripted>());
        foreach (Scripted answer in answers)
        {
            queue.Enqueue(answer);
        }

        return this;
    }

    /// <summary>Requests with <paramref name="method"/> to <paramref name="path"/>.</summary>
    public IReadOnlyList<Seen> To(string method, string path) => _seen.Where(r => r.Method == method && r.Path == path).ToArray();

    private async Task HandleAsync(HttpContext context)
    {
        using var raw = new MemoryStream();
        await context.Request.Body.CopyToAsync(raw);
        string body = Encoding.UTF8.GetString(raw.ToArray());

        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal);
        _seen.Enqueue(new Seen(context.Request.Method, context.Request.Path.Value ?? string.Empty, context.Request.QueryString.Value ?? string.Empty, headers, body, raw.ToArray()));
        string key = context.Request.Method + " " + context.Request.Path.Value;
        Scripted? answer = null;
        if (_routes.TryGetValue(key, out ConcurrentQueue<Scripted>? queue) && queue.TryDequeue(out Scripted? next))
        {
            answer = next;
            _last[key] = next;
        }
        else if (_last.TryGetValue(key, out Scripted? repeat))
        {
            answer = repeat;
        }

        if (answer == null)
        {
            context.Response.StatusCode = 404;
            await context.Response.WriteAsync("{\"detail\":\"the replay server has no answer for " + key + "\"}");
            return;
        }

        if (answer.Drop)
        {
            context.Abort();
            return;
        }

        context.Response.StatusCode = answer.Status;
        context.Response.ContentType = answer.ContentType;
        foreach (KeyValuePair<string, string> header in answer.Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[header.Key] = header.Value;
        }

        if (answer.Body != null)
        {
            await context.Response.WriteAsync(answer.Body);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>A loopback endpoint that takes webhook POSTs and hands each body to a callback.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private WebApplication _app = null!;

    public Uri Url { get; private set; } = null!;

    public static async Task<WebhookReceiver> StartAsync(Action<string> received)
    {
        var receiver = new WebhookReceiver();
        (receiver._app, Uri baseUrl) = await Loopback.StartAsync(async context =>
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            received(await reader.ReadToEndAsync());
            context.Response.StatusCode = 200;
        });
        receiver.Url = new Uri(baseUrl, "hooks/fal");
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>
/// A handler in front of the real one that hands each answer's body stream to <c>wrap</c> when the client opens it: for
/// faults a server cannot cause on purpose (a body that cannot be opened, a read that ends just as the caller cancels).
/// The answers still come from a real server on loopback.
/// </summary>
public sealed class BodyWrapper(Func<Stream, Stream> wrap) : DelegatingHandler(new SocketsHttpHandler { AllowAutoRedirect = false })
{
    /// <summary>Every body handed out, in order, to see whether the client released it.</summary>
    public ConcurrentQueue<WrappedContent> Bodies { get; } = new();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response = await base.SendAsync(request, cancellationToken);
        var body = new WrappedContent(response.Content, wrap);
        Bodies.Enqueue(body);
        response.Content = body;
        return response;
    }
}

/// <summary>An answer's body whose stream goes through a wrapper; it remembers being disposed.</summary>
public sealed class WrappedContent : HttpContent
{
    private readonly HttpContent _inner;
    private readonly Func<Stream, Stream> _wrap;

    public WrappedContent(HttpContent inner, Func<Stream, Stream> wrap)
    {
        (_inner, _wrap) = (inner, wrap);
        foreach (KeyValuePair<string, IEnumerable<string>> header in inner.Headers)
        {
            Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
    }

    public bool Disposed { get; private set; }

    protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken) => _wrap(await _inner.ReadAsStreamAsync(cancellationToken));

    protected override Task<Stream> CreateContentReadStreamAsync() => CreateContentReadStreamAsync(CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        await using Stream source = await CreateContentReadStreamAsync();
        await source.CopyToAsync(stream);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Disposed = true;
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>A read-only stream that runs <c>atEnd</c> when a read finds the end, before it returns 0.</summary>
public sealed class EndHookStream(Stream inner, Action atEnd) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Ended(inner.Read(buffer, offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => Ended(await inner.ReadAsync(buffer, cancellationToken));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private int Ended(int read)
    {
        if (read == 0)
        {
            atEnd();
        }

        return read;
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SchemaClients.Clients;
using SchemaClients.Http;
using Xunit;

namespace SchemaClients.Runtime.Tests;

/// <summary>The shared client core on its own: URLs, path and query parameters, extra body members, waits and downloads.</summary>
public sealed class ModelClientCoreTests : IAsyncLifetime
{
    private static readonly ClientDescription Description = new("fal", "flux-2-flex", ProviderAuth.Fal, new Uri("https://fal.run/"), new Uri("https://queue.fal.run/"));

    private readonly HttpClient _http = new();
    private WebApplication _app = null!;
    private Uri _base = null!;
    private volatile bool _fail;
    private readonly TaskCompletionSource _halfWay = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task InitializeAsync() => (_app, _base) = await Loopback.StartAsync(async context =>
    {
        if (context.Request.Path == "/slow")
        {
            // part of the body, then nothing until the test lets it finish: a download caught half way
            await context.Response.Body.WriteAsync(Encoding.ASCII.GetBytes("PNG"));
            await context.Response.Body.FlushAsync();
            _halfWay.TrySetResult();
            await _release.Task;
            await context.Response.Body.WriteAsync(Encoding.ASCII.GetBytes("DATA"));
            return;
        }

        if (context.Request.Path == "/hop")
        {
            context.Response.StatusCode = 302;
            context.Response.Headers.Location = "/landing";
            return;
        }

        if (_fail)
        {
            // the body starts, then the connection breaks: a download that fails half way
            context.Response.ContentLength = 1000;
            await context.Response.Body.WriteAsync(new byte[100]);
            await context.Response.Body.FlushAsync();
            context.Abort();
            return;
        }

        await context.Response.Body.WriteAsync(Encoding.ASCII.GetBytes("PNGDATA"));
    });

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.DisposeAsync();
    }

    private ModelClientCore Core(Action<SchemaClientOptions>? change = null, HttpClient? http = null)
    {
        var options = new SchemaClientOptions { ApiKey = "core-test-key-0123", Retry = new RetryOptions { MaxRetries = 0 } };
        change?.Invoke(options);
        return new ModelClientCore(http ?? _http, options, Description);
    }

    [Fact]
    public void UrlsJoinTheHostAndThePathWithOneSlash()
    {
        ModelClientCore core = Core();
        Assert.Equal("https://fal.run/fal-ai/flux-2-flex", core.Url("/fal-ai/flux-2-flex"));
        Assert.Equal("https://fal.run/fal-ai/flux-2-flex", core.Url("fal-ai/flux-2-flex"));
        Assert.Equal("https://queue.fal.run/fal-ai/flux-2-flex?x=1", core.Url("/fal-ai/flux-2-flex?x=1", queue: true));
        Assert.Equal("https://fal.run/fal-ai/flux-2-flex", core.Url("/fal-ai/flux-2-flex")); // the cached one
        Assert.Equal("https://queue.fal.run/fal-ai/flux-2-flex", core.Url("/fal-ai/flux-2-flex", queue: true)); // same path, other host

        ModelClientCore proxied = Core(o => { o.BaseAddress = new Uri("http://127.0.0.1:8080/fal/"); o.QueueBaseAddress = null; });
        Assert.Equal("http://127.0.0.1:8080/fal/fal-ai/flux-2-flex", proxied.Url("/fal-ai/flux-2-flex"));
        Assert.Equal(new Uri("https://queue.fal.run/"), proxied.QueueBaseAddress); // the documented queue host, not the base

        var oneHost = new ClientDescription("oxen", "flux-2-pro", ProviderAuth.Oxen, new Uri("https://hub.oxen.ai/"), null);
        var core2 = new ModelClientCore(_http, new SchemaClientOptions { ApiKey = "k", BaseAddress = new Uri("http://127.0.0.1:9/") }, oneHost);
        Assert.Equal(core2.BaseAddress, core2.QueueBaseAddress);
        Assert.Equal("http://127.0.0.1:9/api/ai/queue", core2.Url("/api/ai/queue", queue: true));
    }

    [Fact]
    public void PathAndQueryParametersAreEscapedAndInvariant()
    {
        Assert.Equal("/requests/a%2Fb%20c/status", ModelClientCore.Expand("/requests/{request_id}/status", "request_id", "a/b c"));
        Assert.Equal("/x/{other}", ModelClientCore.Expand("/x/{other}", "id", "v"));
        Assert.Throws<ArgumentNullException>(() => ModelClientCore.Expand("/x/{id}", "id", null!));
        Assert.Equal("/p", ModelClientCore.Query("/p", "logs", null));
        Assert.Equal("/p?logs=1", ModelClientCore.Query("/p", "logs", "1"));
        Assert.Equal("/p?logs=1&fal_webhook=https%3A%2F%2Fexample.com%2Fh%3Fa%3Db", ModelClientCore.Query("/p?logs=1", "fal_webhook", "https://example.com/h?a=b"));
        Assert.Equal("/p?a%20b=c%26d", ModelClientCore.Query("/p", "a b", "c&d"));
        Assert.Null(ModelClientCore.QueryValue(null));
        Assert.Equal("true", ModelClientCore.QueryValue(true));
        Assert.Equal("false", ModelClientCore.QueryValue(false));
        Assert.Equal("1.5", ModelClientCore.QueryValue(1.5));
        Assert.Equal("12/01/2026 00:00:00", ModelClientCore.QueryValue(new DateTime(2026, 12, 1)));
        Assert.Equal("text", ModelClientCore.QueryValue(new StringBuilder("text")));
        var previous = Thread.CurrentThread.CurrentCulture;
        try
        {
            Thread.CurrentThread.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
            Assert.Equal("1.5", ModelClientCore.QueryValue(1.5));
        }
        finally
        {
            Thread.CurrentThread.CurrentCulture = previous;
        }
    }

    [Fact]
    public void ExtraMembersGoBeforeAndAfterTheRequestsOwnAndNeverTwice()
    {
        ModelClientCore core = Core();
        byte[] body = core.SerializeWith(
            JsonDocument.Parse("{\"prompt\":\"p\",\"model\":\"mine\"}").RootElement,
            CoreJson.Default.JsonElement,
            _ => Validation.ValidationResult.Success,
            new[] { new KeyValuePair<string, string>("model", "\"flux-2-pro\""), new KeyValuePair<string, string>("first", "1") },
            new[] { new KeyValuePair<string, string>("num_generations", "2") });
        Assert.Equal("{\"first\":1,\"prompt\":\"p\",\"model\":\"mine\",\"num_generations\":2}", Encoding.UTF8.GetString(body));

        byte[] same = core.SerializeWith(
            JsonDocument.Parse("{\"prompt\":\"p\"}").RootElement,
            CoreJson.Default.JsonElement,
            _ => Validation.ValidationResult.Success,
            Array.Empty<KeyValuePair<string, string>>(),
            Array.Empty<KeyValuePair<string, string>>());
        Assert.Equal("{\"prompt\":\"p\"}", Encoding.UTF8.GetString(same));

        byte[] notAnObject = core.SerializeWith(
            JsonDocument.Parse("[1]").RootElement,
            CoreJson.Default.JsonElement,
            _ => Validation.ValidationResult.Success,
            new[] { new KeyValuePair<string, string>("model", "\"m\"") },
            Array.Empty<KeyValuePair<string, string>>());
        Assert.Equal("[1]", Encoding.UTF8.GetString(notAnObject));
        Assert.Equal("{\"a\":[1,2]}", Encoding.UTF8.GetString(core.SerializeJson(JsonDocument.Parse("{ \"a\" : [1, 2] }").RootElement)));
    }

    [Fact]
    public void ValidationRunsOnlyWhenAskedAndStopsTheRequest()
    {
        Func<JsonElement, Validation.ValidationResult> validate = Schemas.Fal.Flux2Flex.SchemaValidator.ValidateJson;
        JsonElement request = JsonDocument.Parse("{\"prompt\":5}").RootElement;
        Validation.SchemaValidationException refused = Assert.Throws<Validation.SchemaValidationException>(() => Core().Serialize(request, CoreJson.Default.JsonElement, validate));
        Assert.Contains(refused.Violations, v => v.Path == "$.prompt");
        byte[] sent = Core(o => o.ValidateBeforeSend = false).Serialize(request, CoreJson.Default.JsonElement, validate);
        Assert.Equal("{\"prompt\":5}", Encoding.UTF8.GetString(sent));
    }

    [Fact]
    public async Task AWaitThatRunsOutOfTimeIsATimeoutAndTheCallersCancellationStaysACancellation()
    {
        ModelClientCore core = Core(o => o.WaitTimeout = TimeSpan.FromMilliseconds(100));
        TimeoutException timeout = await Assert.ThrowsAsync<TimeoutException>(() => core.WaitWithTimeoutAsync(t => Task.Delay(Timeout.Infinite, t).ContinueWith(_ => 1, t), "job j did not finish", default));
        Assert.Equal("fal: job j did not finish within 00:00:00.1000000.", timeout.Message);

        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        ModelClientCore patient = Core(o => o.WaitTimeout = TimeSpan.FromSeconds(30));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => patient.WaitWithTimeoutAsync(t => Task.Delay(Timeout.Infinite, t).ContinueWith(_ => 1, t), "x", cancel.Token));
        Assert.Equal(7, await patient.WaitWithTimeoutAsync(_ => Task.FromResult(7), "x", default));
        Assert.Equal(TimeSpan.FromSeconds(3), patient.PollInterval(TimeSpan.FromSeconds(3)));
        Assert.Equal(TimeSpan.FromSeconds(1), Core(o => o.PollInterval = TimeSpan.FromSeconds(1)).PollInterval(TimeSpan.FromSeconds(3)));
    }

    [Fact]
    public async Task ADownloadThatFailsLeavesNoFileAndKeepsTheOneThatWasThere()
    {
        ModelClientCore core = Core();
        string folder = Path.Combine(Path.GetTempPath(), "schemaclients-core-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, "out.png");
        try
        {
            Assert.Equal(7, await core.DownloadToFileAsync(new Uri(_base, "image.png"), path, default));
            Assert.Equal("PNGDATA", File.ReadAllText(path));
            using (var memory = new MemoryStream())
            {
                Assert.Equal(7, await core.DownloadAsync(new Uri(_base, "image.png"), memory, default));
            }

            _fail = true;
            await Assert.ThrowsAnyAsync<Exception>(() => core.DownloadToFileAsync(new Uri(_base, "image.png"), path, default));
            Assert.Equal("PNGDATA", File.ReadAllText(path));
            Assert.Equal(new[] { "out.png" }, Directory.GetFiles(folder).Select(Path.GetFileName));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task ADownloadCancelledAsItsLastByteArrivesReportsTheCancellationAndKeepsTheOldFile()
    {
        // The body is all read when the caller cancels, so the copy itself ends normally; the file is still not replaced.
        using var cancel = new CancellationTokenSource();
        var bodies = new BodyWrapper(stream => new EndHookStream(stream, cancel.Cancel));
        using var http = new HttpClient(bodies);
        ModelClientCore core = Core(http: http);
        string folder = Path.Combine(Path.GetTempPath(), "schemaclients-cancel-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, "out.png");
        try
        {
            File.WriteAllText(path, "old");
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => core.DownloadToFileAsync(new Uri(_base, "image.png"), path, cancel.Token));

            Assert.True(cancel.IsCancellationRequested);
            Assert.Single(bodies.Bodies);
            Assert.Equal("old", File.ReadAllText(path));
            Assert.Equal(new[] { "out.png" }, Directory.GetFiles(folder).Select(Path.GetFileName));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task ResultFilesAreSavedFromDataUrisAndUrlsAndAnythingElseIsRefusedByName()
    {
        ModelClientCore core = Core();
        string folder = Path.Combine(Path.GetTempPath(), "schemaclients-save-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            byte[] jpeg = { 0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00, 0x01, 0xFF, 0xD9 };
            string mislabelled = "data:image/png;base64," + Convert.ToBase64String(jpeg);

            // the bytes say JPEG though the data URI says PNG; a type the answer gives wins over both
            SavedFile sniffed = await core.SaveAsync(mislabelled, Path.Combine(folder, "a.png"), null, default);
            Assert.Equal((Path.Combine(folder, "a.jpg"), "image/jpeg", 14L), (sniffed.Path, sniffed.ContentType, sniffed.Bytes));
            SavedFile given = await core.SaveAsync(mislabelled, Path.Combine(folder, "b.png"), "image/webp", default);
            Assert.Equal((Path.Combine(folder, "b.webp"), "image/webp"), (given.Path, given.ContentType));
            SavedFile declared = await core.SaveAsync("data:image/gif;base64," + Convert.ToBase64String(Encoding.ASCII.GetBytes("GIF89a")), Path.Combine(folder, "c.png"), null, default);
            Assert.Equal((Path.Combine(folder, "c.gif"), "image/gif"), (declared.Path, declared.ContentType));

            // a file that is there is replaced once the new one is whole
            string existing = Path.Combine(folder, "d.png");
            File.WriteAllText(existing, "old");
            SavedFile downloaded = await core.SaveAsync(new Uri(_base, "image.png").AbsoluteUri, existing, null, default);
            Assert.Equal((existing, 7L), (downloaded.Path, downloaded.Bytes));
            Assert.Equal("PNGDATA", File.ReadAllText(existing));

            ArgumentException ftp = await Assert.ThrowsAsync<ArgumentException>(() => core.SaveAsync("ftp://files.example.com/a.png", Path.Combine(folder, "e.png"), null, default));
            Assert.Equal("fileUrl", ftp.ParamName);
            Assert.StartsWith("A result file is an http(s) URL or a data: URI, not 'ftp://files.example.com/a.png'.", ftp.Message, StringComparison.Ordinal);
            string longText = "ftp://files.example.com/" + new string('x', 100);
            ArgumentException cut = await Assert.ThrowsAsync<ArgumentException>(() => core.SaveAsync(longText, Path.Combine(folder, "e.png"), null, default));
            Assert.StartsWith("A result file is an http(s) URL or a data: URI, not '" + longText.Substring(0, 80) + "...'.", cut.Message, StringComparison.Ordinal);
            string eighty = "ftp://files.example.com/" + new string('x', 80 - 24);
            ArgumentException whole = await Assert.ThrowsAsync<ArgumentException>(() => core.SaveAsync(eighty, Path.Combine(folder, "e.png"), null, default));
            Assert.StartsWith("A result file is an http(s) URL or a data: URI, not '" + eighty + "'.", whole.Message, StringComparison.Ordinal);

            InvalidDataException bad = await Assert.ThrowsAsync<InvalidDataException>(() => core.SaveAsync("data:image/png;base64,***", Path.Combine(folder, "f.png"), null, default));
            Assert.Equal("The result's data URI has content that is not valid Base64.", bad.Message);
            Assert.Equal(new[] { "a.jpg", "b.webp", "c.gif", "d.png" }, Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task ADownloadIsWrittenToAHiddenTemporaryFileBesideItsTarget()
    {
        ModelClientCore core = Core();
        string folder = Path.Combine(Path.GetTempPath(), "schemaclients-temp-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            Task<long> download = core.DownloadToFileAsync(new Uri(_base, "slow"), Path.Combine(folder, "out.png"), default);
            await _halfWay.Task.WaitAsync(TimeSpan.FromSeconds(10));
            await Task.Delay(100);
            string temp = Path.GetFileName(Assert.Single(Directory.GetFiles(folder)));
            Assert.Matches("^\\.out\\.png\\.[0-9a-f]{8}\\.tmp$", temp);
            _release.SetResult();
            Assert.Equal(7, await download.WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.Equal(new[] { "out.png" }, Directory.GetFiles(folder).Select(Path.GetFileName));
        }
        finally
        {
            _release.TrySetResult();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task ARegisteredClientHasNoRedirectsInItsHandlerLogsThroughTheFactoryAndNamesItsBadOptions()
    {
        var description = new ClientDescription("fal", "flux-2-flex", ProviderAuth.Fal, _base, null);
        Func<HttpClient, SchemaClientOptions, ILogger, ModelClientCore> create = (http, options, logger) => new ModelClientCore(http, options, description, logger);
        var services = new ServiceCollection();
        Assert.Equal("services", Assert.Throws<ArgumentNullException>(() => SchemaClientServiceCollectionExtensions.AddSchemaClient(null!, "n", null, null, create)).ParamName);
        // the first bad argument is the one named, even when those after it are bad too
        Assert.Equal("services", Assert.Throws<ArgumentNullException>(() => SchemaClientServiceCollectionExtensions.AddSchemaClient<ModelClientCore>(null!, string.Empty, null, null, null!)).ParamName);
        Assert.Equal("name", Assert.Throws<ArgumentException>(() => services.AddSchemaClient(string.Empty, null, null, create)).ParamName);
        Assert.Equal("create", Assert.Throws<ArgumentNullException>(() => services.AddSchemaClient<ModelClientCore>("n", null, null, null!)).ParamName);

        var logs = new CapturingLogs();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(logs));
        var handler = new HttpClientHandler();
        services.AddSchemaClient("schema-test", null, o => { o.ApiKey = "core-test-key-0123"; o.Retry = new RetryOptions { MaxRetries = 0 }; }, create)
            .ConfigurePrimaryHttpMessageHandler(() => handler);
        using (ServiceProvider provider = services.BuildServiceProvider())
        {
            ModelClientCore core = provider.GetRequiredService<ModelClientCore>();
            Assert.False(handler.AllowAutoRedirect);
            await core.SendForJsonAsync(HttpMethod.Get, "/image.json", false, null, default).ContinueWith(_ => { }, TaskScheduler.Default);
            Assert.Contains(logs.Lines, l => l.StartsWith("Debug schema-test: fal GET " + _base.AbsoluteUri + "image.json answered 200", StringComparison.Ordinal));
        }

        // a handler the app set, whatever its type, and one that already sent requests with redirects on
        var sockets = new SocketsHttpHandler();
        var used = new HttpClientHandler();
        using (var before = new HttpClient(used, disposeHandler: false))
        {
            await before.GetAsync(_base);
        }

        var more = new ServiceCollection();
        more.AddSchemaClient("sockets-test", null, o => o.ApiKey = "core-test-key-0123", create).ConfigurePrimaryHttpMessageHandler(() => sockets);
        more.AddSchemaClient("used-test", null, o => o.ApiKey = "core-test-key-0123", (http, options, logger) => new ModelClientCore(http, options, description, logger) is var c ? new UsedCore(c) : null!)
            .ConfigurePrimaryHttpMessageHandler(() => used);
        using (ServiceProvider provider = more.BuildServiceProvider())
        {
            provider.GetRequiredService<ModelClientCore>();
            Assert.False(sockets.AllowAutoRedirect);
            InvalidOperationException refused = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<UsedCore>());
            Assert.Equal(
                "The primary handler of a schema client follows redirects and has already sent requests, so they cannot be switched off: "
                + "give the client a handler of its own, or one with AllowAutoRedirect = false (the client follows redirects itself, sending the key only to the origin it was meant for).",
                refused.Message); // the advice is the point of the message
        }

        used.Dispose();
        var bad = new ServiceCollection();
        bad.AddSchemaClient("bad-test", null, o => o.Retry = new RetryOptions { MaxRetries = -1 }, create);
        using ServiceProvider badProvider = bad.BuildServiceProvider();
        OptionsValidationException startup = Assert.Throws<OptionsValidationException>(() => badProvider.GetRequiredService<IStartupValidator>().Validate());
        Assert.StartsWith("The options of bad-test: RetryOptions.MaxRetries cannot be negative", Assert.Single(startup.Failures), StringComparison.Ordinal);
    }

    private sealed record UsedCore(ModelClientCore Core);

}

[System.Text.Json.Serialization.JsonSerializable(typeof(JsonElement))]
internal sealed partial class CoreJson : System.Text.Json.Serialization.JsonSerializerContext
{
}

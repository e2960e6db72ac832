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

    public async Task InitializeAsync() => (_app, _base) = await Loopback.StartAsync(async context =>
    {
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

    private ModelClientCore Core(Action<SchemaClientOptions>? change = null)
    {
        var options = new SchemaClientOptions { ApiKey = "core-test-key-0123", Retry = new RetryOptions { MaxRetries = 0 } };
        change?.Invoke(options);
        return new ModelClientCore(_http, options, Description);
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
}

[System.Text.Json.Serialization.JsonSerializable(typeof(JsonElement))]
internal sealed partial class CoreJson : System.Text.Json.Serialization.JsonSerializerContext
{
}

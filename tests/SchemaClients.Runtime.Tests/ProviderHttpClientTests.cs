using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SchemaClients.Http;
using Xunit;

namespace SchemaClients.Runtime.Tests;

public sealed record Echo(string Prompt);

public sealed record EchoResult(string Prompt, int Attempt);

[JsonSerializable(typeof(Echo))]
[JsonSerializable(typeof(EchoResult))]
public sealed partial class TestJson : JsonSerializerContext;

/// <summary>One scripted answer of the test server.</summary>
public sealed record Answer(int Status, string? Body = null, string? RetryAfter = null, TimeSpan Delay = default, bool Drop = false, string RequestIdHeader = "x-request-id");

/// <summary>The runtime's HTTP core against a real Kestrel server on 127.0.0.1.</summary>
public sealed class ProviderHttpClientTests : IAsyncLifetime
{
    private const string Secret = "sk-test-0123456789abcdef";
    private static readonly RetryOptions FastRetries = new() { MaxRetries = 3, BaseDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromSeconds(2), AttemptTimeout = TimeSpan.FromSeconds(10) };

    private readonly ConcurrentQueue<Answer> _script = new();
    private readonly ConcurrentQueue<string?> _authHeaders = new();
    private readonly ConcurrentQueue<string?> _idempotencyKeys = new();
    private readonly ConcurrentQueue<string> _accepts = new();
    private WebApplication _app = null!;
    private HttpClient _http = null!;
    private int _requests;
    private int _inFlight;
    private int _peakInFlight;
    private int _holdUntilInFlight;

    public async Task InitializeAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.Run(async context =>
        {
            int now = Interlocked.Increment(ref _inFlight);
            for (int peak = Volatile.Read(ref _peakInFlight); now > peak && Interlocked.CompareExchange(ref _peakInFlight, now, peak) != peak; peak = Volatile.Read(ref _peakInFlight))
            {
            }

            try
            {
                await AnswerAsync(context);
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        });
        await _app.StartAsync();
        string url = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _http = new HttpClient { BaseAddress = new Uri(url) };
    }

    private async Task AnswerAsync(HttpContext context)
    {
        int attempt = Interlocked.Increment(ref _requests);
        if (_holdUntilInFlight > 0)
        {
            // held until that many requests were in flight at once (or 5 s): only a client that sends in parallel gets there
            var held = Stopwatch.StartNew();
            while (Volatile.Read(ref _peakInFlight) < _holdUntilInFlight && held.Elapsed < TimeSpan.FromSeconds(5))
            {
                await Task.Delay(5);
            }
        }

        _authHeaders.Enqueue(context.Request.Headers.Authorization.FirstOrDefault() ?? context.Request.Headers["X-API-Key"].FirstOrDefault());
        _idempotencyKeys.Enqueue(context.Request.Headers["Idempotency-Key"].FirstOrDefault());
        _accepts.Enqueue(context.Request.Headers.Accept.ToString());
        Answer answer = _script.TryDequeue(out Answer? next) ? next : new Answer(200);
        if (answer.Drop)
        {
            context.Abort();
            return;
        }

        if (answer.Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(answer.Delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        context.Response.StatusCode = answer.Status;
        context.Response.Headers[answer.RequestIdHeader] = "req-" + attempt;
        if (answer.RetryAfter != null)
        {
            context.Response.Headers.RetryAfter = answer.RetryAfter;
        }

        context.Response.ContentType = "application/json";
        if (answer.Body != null)
        {
            await context.Response.WriteAsync(answer.Body);
        }
        else if (answer.Status == 200)
        {
            Echo? echo = await System.Text.Json.JsonSerializer.DeserializeAsync(context.Request.Body, TestJson.Default.Echo);
            await context.Response.WriteAsync(System.Text.Json.JsonSerializer.Serialize(new EchoResult(echo?.Prompt ?? "", attempt), TestJson.Default.EchoResult));
        }
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private ProviderHttpClient Client(ProviderAuth? auth = null, RetryOptions? retry = null) => new(_http, "fal", auth ?? ProviderAuth.Fal, new ApiKey(Secret), retry ?? FastRetries);

    /// <summary>A POST, so a billed call unless <paramref name="call"/> says otherwise.</summary>
    private Task<EchoResult> Call(ProviderHttpClient client, CancellationToken token = default, CallOptions call = default) =>
        client.SendBytesAsync(HttpMethod.Post, "/fal-ai/flux-2-flex", System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new Echo("a poster"), TestJson.Default.Echo), TestJson.Default.EchoResult, call, token);

    private static readonly CallOptions Repeatable = new(RetryMode.Repeatable);

    [Fact]
    public async Task TooManyRequestsIsRetriedAfterTheRetryAfterWait()
    {
        _script.Enqueue(new Answer(429, "{\"detail\":\"slow down\"}", RetryAfter: "1"));
        var watch = Stopwatch.StartNew();
        EchoResult result = await Call(Client());
        Assert.Equal(2, result.Attempt);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(900), "waited only " + watch.Elapsed);
    }

    [Fact]
    public async Task ServerErrorsTimeoutsAndDroppedConnectionsAreRetriedWithBackoffForRepeatableCalls()
    {
        _script.Enqueue(new Answer(500));
        _script.Enqueue(new Answer(503));
        _script.Enqueue(new Answer(0, Drop: true));
        Assert.Equal(4, (await Call(Client(), call: Repeatable)).Attempt);
        _script.Enqueue(new Answer(408));
        Assert.Equal(6, (await Call(Client(), call: Repeatable)).Attempt);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(408)]
    public async Task ABilledCallAnsweredWithAServerErrorIsSentExactlyOnce(int status)
    {
        _script.Enqueue(new Answer(status, "{\"detail\":\"upstream\"}"));
        ProviderApiException e = await Assert.ThrowsAsync<ProviderApiException>(() => Call(Client()));
        Assert.Equal(1, _requests);
        Assert.Equal(1, e.Attempts);
        Assert.Equal((HttpStatusCode)status, e.StatusCode);
    }

    [Fact]
    public async Task ABilledCallWhoseConnectionDropsAfterSendingIsSentOnceAndSaysWhy()
    {
        _script.Enqueue(new Answer(0, Drop: true));
        HttpRequestException e = await Assert.ThrowsAsync<HttpRequestException>(() => Call(Client()));
        Assert.Equal(1, _requests);
        Assert.Contains("was not sent again", e.Message, StringComparison.Ordinal);
        Assert.Contains("billed", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABilledCallThatTimesOutIsSentOnce()
    {
        _script.Enqueue(new Answer(200, Delay: TimeSpan.FromSeconds(5)));
        var options = new RetryOptions { MaxRetries = 3, BaseDelay = TimeSpan.FromMilliseconds(10), AttemptTimeout = TimeSpan.FromMilliseconds(300) };
        TimeoutException e = await Assert.ThrowsAsync<TimeoutException>(() => Call(Client(retry: options)));
        Assert.Equal(1, _requests);
        Assert.Contains("was not sent again", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABilledCallIsRetriedAfter429BecauseTheProviderDidNotTakeIt()
    {
        _script.Enqueue(new Answer(429, "{\"detail\":\"slow down\"}", RetryAfter: "0"));
        _script.Enqueue(new Answer(429, "{\"detail\":\"slow down\"}", RetryAfter: "0"));
        Assert.Equal(3, (await Call(Client())).Attempt);
    }

    [Fact]
    public async Task ABilledCallIsRetriedWhenTheConnectionWasRefusedBecauseNothingWasSent()
    {
        // Port 9 (discard) has no listener here: every attempt is refused before a byte of the request is sent.
        using var http = new HttpClient { BaseAddress = new Uri("http://127.0.0.1:9/") };
        var logs = new ListLogger();
        var client = new ProviderHttpClient(http, "fal", ProviderAuth.Fal, new ApiKey(Secret), new RetryOptions { MaxRetries = 2, BaseDelay = TimeSpan.FromMilliseconds(10) }, logs);
        HttpRequestException e = await Assert.ThrowsAsync<HttpRequestException>(() => Call(client));
        Assert.Contains("could not be reached after 3 attempts", e.Message, StringComparison.Ordinal);
        Assert.Equal(3, logs.Lines.Count(l => l.Contains("failed on attempt", StringComparison.Ordinal)));
        Assert.True(RetryPolicy.NothingWasSent(new HttpRequestException(HttpRequestError.ConnectionError, "refused")));
        Assert.False(RetryPolicy.NothingWasSent(new HttpRequestException(HttpRequestError.ResponseEnded, "dropped")));
    }

    [Fact]
    public async Task RetryingBilledCallsIsAnExplicitChoice()
    {
        _script.Enqueue(new Answer(500));
        _script.Enqueue(new Answer(0, Drop: true));
        var options = new RetryOptions { MaxRetries = 3, BaseDelay = TimeSpan.FromMilliseconds(10), RetryBilledCalls = true };
        Assert.Equal(3, (await Call(Client(retry: options))).Attempt);
    }

    [Fact]
    public async Task AnIdempotencyKeyMakesABilledCallRepeatableAndTheSameKeyGoesWithEveryAttempt()
    {
        _script.Enqueue(new Answer(500));
        _script.Enqueue(new Answer(0, Drop: true));
        Assert.Equal(3, (await Call(Client(), call: new CallOptions(IdempotencyKey: "key-1"))).Attempt);
        Assert.Equal(new[] { "key-1", "key-1", "key-1" }, _idempotencyKeys.ToArray());
    }

    [Fact]
    public async Task NoRetriesMeansOneAttemptAndANegativeCountIsRefusedByName()
    {
        _script.Enqueue(new Answer(503));
        var none = new RetryOptions { MaxRetries = 0 };
        ProviderApiException e = await Assert.ThrowsAsync<ProviderApiException>(() => Call(Client(retry: none), call: Repeatable));
        Assert.Equal(1, e.Attempts);
        Assert.Equal(1, _requests);

        ArgumentOutOfRangeException negative = Assert.Throws<ArgumentOutOfRangeException>(() => Client(retry: new RetryOptions { MaxRetries = -1 }));
        Assert.Equal("MaxRetries", negative.ParamName);
        Assert.Contains("RetryOptions.MaxRetries", negative.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(404)]
    [InlineData(422)]
    public async Task OtherClientErrorsAreNeverRetriedAndCarryStatusRequestIdAndBody(int status)
    {
        _script.Enqueue(new Answer(status, "{\"detail\":[{\"loc\":[\"body\",\"num_inference_steps\"],\"msg\":\"less than or equal to 50\"}],\"key\":\"" + Secret + "\"}"));
        ProviderApiException e = await Assert.ThrowsAsync<ProviderApiException>(() => Call(Client()));
        Assert.Equal(1, _requests);
        Assert.Equal((HttpStatusCode)status, e.StatusCode);
        Assert.Equal("req-1", e.RequestId);
        Assert.Contains("less than or equal to 50", e.BodyExcerpt);
        Assert.DoesNotContain(Secret, e.Message + e.BodyExcerpt + e.ToString());
    }

    [Fact]
    public async Task RetriesAreBounded()
    {
        for (int i = 0; i < 10; i++)
        {
            _script.Enqueue(new Answer(500, "{}"));
        }

        ProviderApiException e = await Assert.ThrowsAsync<ProviderApiException>(() => Call(Client(), call: Repeatable));
        Assert.Equal(4, _requests);
        Assert.Equal(4, e.Attempts);
        Assert.Contains("after 4 attempts", e.Message);
    }

    [Fact]
    public void ErrorMessagesSayOnlyWhatIsKnown()
    {
        Assert.Equal("fal answered 500 InternalServerError", new ProviderApiException("fal", HttpStatusCode.InternalServerError, null, string.Empty, 1).Message);
        Assert.Equal("fal answered 502 BadGateway after 2 attempts: down", new ProviderApiException("fal", HttpStatusCode.BadGateway, null, "down", 2).Message);
        Assert.Equal("oxen answered 404 NotFound (request id r-9)", new ProviderApiException("oxen", HttpStatusCode.NotFound, "r-9", string.Empty, 1).Message);
    }

    [Fact]
    public void AKeyIsNeverEmptyAndComesFromItsVariableOnlyWhenSet()
    {
        Assert.Equal("value", Assert.Throws<ArgumentException>(() => new ApiKey(" \t")).ParamName);
        Assert.Contains("cannot be empty", Assert.Throws<ArgumentException>(() => new ApiKey(string.Empty)).Message, StringComparison.Ordinal);
        string variable = "SCHEMACLIENTS_TEST_KEY_" + Guid.NewGuid().ToString("N");
        Assert.Null(ApiKey.FromEnvironment(variable));
        try
        {
            Environment.SetEnvironmentVariable(variable, "   ");
            Assert.Null(ApiKey.FromEnvironment(variable));
            Environment.SetEnvironmentVariable(variable, Secret);
            ApiKey key = ApiKey.FromEnvironment(variable)!;
            Assert.Equal("x *** y", key.Redact("x " + Secret + " y"));
            Assert.Equal("ApiKey(***)", key.ToString());
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public async Task ARetryAfterLongerThanMaxDelayWaitsMaxDelay()
    {
        _script.Enqueue(new Answer(429, "{}", RetryAfter: "30"));
        var options = new RetryOptions { MaxRetries = 1, BaseDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(300) };
        var watch = Stopwatch.StartNew();
        Assert.Equal(2, (await Call(Client(retry: options), call: Repeatable)).Attempt);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(280), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task ARetryAfterDateIsHonoured()
    {
        // an HTTP date has whole seconds: 3 s ahead is at least 2 s of waiting
        _script.Enqueue(new Answer(503, "{}", RetryAfter: DateTimeOffset.UtcNow.AddSeconds(3).ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
        var watch = Stopwatch.StartNew();
        Assert.Equal(2, (await Call(Client(), call: Repeatable)).Attempt);
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(1.9), "the Retry-After date was not honoured: " + watch.Elapsed);
        Assert.True(RetryPolicy.RetryAfter(new HttpResponseMessage { Headers = { RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(DateTimeOffset.UtcNow.AddHours(-1)) } }) == TimeSpan.Zero);
    }

    [Fact]
    public async Task BackoffGrowsFromTheBaseDelayWithoutRetryAfter()
    {
        _script.Enqueue(new Answer(500, "{}"));
        _script.Enqueue(new Answer(500, "{}"));
        var options = new RetryOptions { MaxRetries = 2, BaseDelay = TimeSpan.FromMilliseconds(200), MaxDelay = TimeSpan.FromSeconds(5) };
        var watch = Stopwatch.StartNew();
        Assert.Equal(3, (await Call(Client(retry: options), call: Repeatable)).Attempt);
        // jitter keeps each wait within half to one and a half of 200 ms, then 400 ms: 300 ms at least in all
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(290), TimeSpan.FromSeconds(4));
    }

    [Theory]
    [InlineData("x-request-id")]
    [InlineData("x-fal-request-id")]
    [InlineData("request-id")]
    public async Task TheRequestIdIsReadFromEachHeaderProvidersUse(string header)
    {
        _script.Enqueue(new Answer(400, "{\"detail\":\"bad\"}", RequestIdHeader: header));
        ProviderApiException e = await Assert.ThrowsAsync<ProviderApiException>(() => Call(Client()));
        Assert.Equal("req-1", e.RequestId);
        Assert.Contains("(request id req-1)", e.Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, e.StatusCode);
        Assert.Equal("fal", e.Provider);
        Assert.Equal("{\"detail\":\"bad\"}", e.BodyExcerpt);
        Assert.Equal("fal answered 400 BadRequest (request id req-1): {\"detail\":\"bad\"}", e.Message);
    }

    [Fact]
    public async Task JsonIsAskedForAndTheLoggedUrlHasNoQueryString()
    {
        var logs = new ListLogger();
        var client = new ProviderHttpClient(_http, "fal", ProviderAuth.Fal, new ApiKey(Secret), FastRetries, logs);
        _script.Enqueue(new Answer(503, "{}"));
        EchoResult result = await client.SendBytesAsync(HttpMethod.Post, "/fal-ai/flux-2-flex?fal_webhook=https%3A%2F%2Fexample.com%2Fhook%3Ftoken%3Dsecret-token", System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new Echo("a poster"), TestJson.Default.Echo), TestJson.Default.EchoResult, Repeatable, default);
        Assert.Equal(2, result.Attempt);
        Assert.All(_accepts, a => Assert.Equal("application/json", a));
        string[] lines = logs.Lines.ToArray();
        Assert.Contains(lines, l => l.StartsWith("Warning: fal POST " + _http.BaseAddress!.AbsoluteUri.TrimEnd('/') + "/fal-ai/flux-2-flex answered 503 on attempt 1", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Information: fal POST " + _http.BaseAddress!.AbsoluteUri.TrimEnd('/') + "/fal-ai/flux-2-flex: trying again in ", StringComparison.Ordinal) && l.EndsWith("(attempt 2 next)", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Debug: fal POST " + _http.BaseAddress!.AbsoluteUri.TrimEnd('/') + "/fal-ai/flux-2-flex answered 200 in ", StringComparison.Ordinal) && l.EndsWith("(attempt 2)", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("token", StringComparison.Ordinal) || l.Contains('?', StringComparison.Ordinal));
    }

    [Fact]
    public async Task EachAttemptTimesOutAndTheLastTimeoutIsAClearError()
    {
        _script.Enqueue(new Answer(200, Delay: TimeSpan.FromSeconds(5)));
        _script.Enqueue(new Answer(200, Delay: TimeSpan.FromSeconds(5)));
        var options = new RetryOptions { MaxRetries = 1, BaseDelay = TimeSpan.FromMilliseconds(10), AttemptTimeout = TimeSpan.FromMilliseconds(300) };
        var watch = Stopwatch.StartNew();
        TimeoutException e = await Assert.ThrowsAsync<TimeoutException>(() => Call(Client(retry: options), call: Repeatable));
        Assert.Contains("2 attempts", e.Message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), "took " + watch.Elapsed);
    }

    [Fact]
    public async Task CancellationTakesEffectWithinASecond()
    {
        _script.Enqueue(new Answer(200, Delay: TimeSpan.FromSeconds(30)));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Call(Client(), cancel.Token));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1.2), "took " + watch.Elapsed);
    }

    [Fact]
    public async Task EachProviderGetsItsOwnAuthHeader()
    {
        await Call(Client(ProviderAuth.Oxen));
        await Call(Client(ProviderAuth.Fal));
        await Call(Client(ProviderAuth.Apiframe));
        Assert.Equal(new[] { "Bearer " + Secret, "Key " + Secret, Secret }, _authHeaders.ToArray());
    }

    [Fact]
    public async Task TwoHundredConcurrentRequestsAllSucceedOverOneHttpClient()
    {
        ProviderHttpClient client = Client();
        _holdUntilInFlight = 50;
        using var within = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        EchoResult[] results = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Call(client, within.Token)));
        Assert.Equal(200, results.Length);
        Assert.Equal(200, _requests);
        Assert.True(_peakInFlight >= 50, "the server saw at most " + _peakInFlight + " requests in flight at once");
        Assert.All(results, r => Assert.Equal("a poster", r.Prompt));
    }
}

/// <summary>A logger that keeps every line, for tests that count attempts.</summary>
internal sealed class ListLogger : ILogger
{
    public ConcurrentQueue<string> Lines { get; } = new();

    /// <summary>Each line's event id, in the order of <see cref="Lines"/>.</summary>
    public ConcurrentQueue<(EventId Id, string Line)> Events { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        string line = logLevel + ": " + formatter(state, exception);
        Lines.Enqueue(line);
        Events.Enqueue((eventId, line));
    }
}

/// <summary>A logger provider that keeps every line with its level and category (and scopes), for tests of what is logged.</summary>
internal sealed class CapturingLogs : ILoggerProvider
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull
        {
            owner.Lines.Enqueue("Scope " + category + ": " + state);
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => owner.Lines.Enqueue(logLevel + " " + category + ": " + formatter(state, exception) + (exception != null ? " " + exception : string.Empty));
    }
}

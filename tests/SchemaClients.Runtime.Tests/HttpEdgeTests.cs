using System;
using System.Collections.Concurrent;
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
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Polly;
using Polly.Timeout;
using SchemaClients.Http;
using Xunit;

namespace SchemaClients.Runtime.Tests;

/// <summary>
/// The HTTP core at its edges, against real servers on loopback: where error texts are cut, which keys a header can
/// carry, answers of every size, redirects of every kind, what is logged when a billed call is not sent again, the
/// retry options' limits, the Polly pipeline for callers who compose their own, and event streams that end or break.
/// </summary>
public sealed class HttpEdgeTests : IAsyncLifetime
{
    private const string Secret = "edge-http-key-0123456789";
    private static readonly RetryOptions NoRetries = new() { MaxRetries = 0, AttemptTimeout = TimeSpan.FromSeconds(10) };

    private ReplayServer _server = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _server = await ReplayServer.StartAsync();
        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = _server.BaseUrl };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    private static CancellationToken Within(int seconds) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    private ProviderHttpClient Client(RetryOptions? retry = null, ListLogger? logs = null, HttpClient? http = null) => new(http ?? _http, "fal", ProviderAuth.Fal, new ApiKey(Secret), retry ?? NoRetries, logs);

    private string Root => _server.BaseUrl.AbsoluteUri.TrimEnd('/');

    // ---------------------------------------------------------------- error texts

    [Fact]
    public async Task AnErrorBodyIsCutAtFiveHundredCharactersAndARequestIdAtTwoHundred()
    {
        string longBody = new string('b', 600);
        string exactBody = new string('e', ProviderHttpClient.ExcerptLength);
        string longId = new string('r', 250);
        _server.On("GET", "/long", new Scripted(400, longBody, Headers: new Dictionary<string, string> { ["x-request-id"] = longId }));
        _server.On("GET", "/exact", new Scripted(400, exactBody, Headers: new Dictionary<string, string> { ["x-request-id"] = new string('i', 200) }));
        _server.On("GET", "/empty", new Scripted(404, null));

        ProviderApiException cut = await Assert.ThrowsAsync<ProviderApiException>(() => Client().SendJsonAsync(HttpMethod.Get, "/long", null, Within(10)));
        ProviderApiException exact = await Assert.ThrowsAsync<ProviderApiException>(() => Client().SendJsonAsync(HttpMethod.Get, "/exact", null, Within(10)));
        ProviderApiException empty = await Assert.ThrowsAsync<ProviderApiException>(() => Client().SendJsonAsync(HttpMethod.Get, "/empty", null, Within(10)));

        Assert.Equal(new string('b', 500) + "...", cut.BodyExcerpt);
        Assert.Equal(new string('r', 200) + "...", cut.RequestId);
        Assert.Equal(exactBody, exact.BodyExcerpt);
        Assert.Equal(new string('i', 200), exact.RequestId);
        Assert.Equal(("fal answered 404 NotFound", string.Empty, null), (empty.Message, empty.BodyExcerpt, empty.RequestId));
    }

    [Fact]
    public async Task AnAnswerReadForItsStatusKeepsItsRequestIdAndReadsANonJsonBodyAsUndefined()
    {
        _server.On("PUT", "/cancel", new Scripted(409, "<html>conflict</html>", "text/html", new Dictionary<string, string> { ["x-fal-request-id"] = "rid-1" }));
        _server.On("PUT", "/bare", new Scripted(202, null));
        ProviderAnswer conflict = await Client().SendForAnswerAsync(HttpMethod.Put, "/cancel", null, default, s => s == HttpStatusCode.Conflict, Within(10));
        ProviderAnswer bare = await Client().SendForAnswerAsync(HttpMethod.Put, "/bare", null, default, null, Within(10));

        Assert.Equal((HttpStatusCode.Conflict, "rid-1", JsonValueKind.Undefined, 1, "fal"), (conflict.StatusCode, conflict.RequestId, conflict.Json.ValueKind, conflict.Attempts, conflict.Provider));
        Assert.Equal((HttpStatusCode.Accepted, null, JsonValueKind.Undefined), (bare.StatusCode, bare.RequestId, bare.Json.ValueKind));
        Assert.Equal("fal answered 409 Conflict (request id rid-1): the answer has no outcome: (no JSON body)", conflict.Unexpected("no outcome").Message);
    }

    [Fact]
    public async Task AnAnswerThatIsJsonNullOrNotJsonIsAProviderErrorSayingSo()
    {
        _server.On("GET", "/null", Scripted.Json(200, "null"));
        _server.On("GET", "/text", new Scripted(200, "not json", "text/plain"));
        ProviderApiException nothing = await Assert.ThrowsAsync<ProviderApiException>(() => Client().GetAsync(HttpMethod.Get, "/null", TestJson.Default.EchoResult, Within(10)));
        ProviderApiException text = await Assert.ThrowsAsync<ProviderApiException>(() => Client().SendBytesAsync(HttpMethod.Get, "/text", null, Serialization.PrimitiveConverters.String, default, Within(10)));
        Assert.Equal("fal answered 200 OK: the answer is not the expected JSON: The answer was JSON null.", nothing.Message);
        Assert.StartsWith("fal answered 200 OK: the answer is not the expected JSON: ", text.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(10, true)]
    [InlineData(4094, false)]
    [InlineData(4095, true)]
    [InlineData(100_000, false)]
    [InlineData(100_000, true)]
    [InlineData(3_000_000, true)]
    public async Task AnswersOfAnySizeAreReadWholeWithOrWithoutTheirLength(int length, bool sized)
    {
        // a JSON string of that many characters: "..." plus the quotes
        string value = string.Concat(Enumerable.Range(0, length - 2).Select(i => (char)('a' + (i % 26))));
        var headers = sized ? new Dictionary<string, string> { ["Content-Length"] = length.ToString(System.Globalization.CultureInfo.InvariantCulture) } : null;
        _server.On("GET", "/big", new Scripted(200, "\"" + value + "\"", Headers: headers));
        string read = await Client().SendBytesAsync(HttpMethod.Get, "/big", null, Serialization.PrimitiveConverters.String, default, Within(30));
        Assert.Equal(value, read);
    }

    [Theory]
    [InlineData("7", true)]
    [InlineData("7", false)]
    [InlineData("42", true)]
    public async Task AnAnswerOfOneOrTwoBytesIsReadWhole(string body, bool sized)
    {
        // The smallest answers a converter reads: a bare JSON number, with or without its length.
        var headers = sized ? new Dictionary<string, string> { ["Content-Length"] = body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) } : null;
        _server.On("GET", "/tiny", new Scripted(200, body, Headers: headers));
        int read = await Client().SendBytesAsync(HttpMethod.Get, "/tiny", null, Serialization.PrimitiveConverters.Int32, default, Within(10));
        Assert.Equal(int.Parse(body, System.Globalization.CultureInfo.InvariantCulture), read);
    }

    // ---------------------------------------------------------------- keys

    [Theory]
    [InlineData("key-with-!-and-~-0123")]
    [InlineData("!~")]
    public void KeysOfPrintableAsciiAreTaken(string key)
        => Assert.Equal("fal", new ProviderHttpClient(_http, "fal", ProviderAuth.Fal, new ApiKey(key)).Provider);

    [Theory]
    [InlineData("ab cd", 3)]
    [InlineData("abc\u007F", 4)]
    [InlineData("\u0001bcd", 1)]
    [InlineData("abcé", 4)]
    public void AKeyWithACharacterNoHeaderCanCarryIsRefusedWithItsPosition(string key, int position)
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => new ProviderHttpClient(_http, "apiframe", ProviderAuth.Apiframe, new ApiKey(key)));
        Assert.Equal("key", e.ParamName);
        Assert.StartsWith(
            "The apiframe API key has a character an HTTP header cannot carry at position " + position + " of " + key.Length
            + " (only printable ASCII is allowed). Check that the key was copied whole and without spaces or quotes.",
            e.Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task EachProvidersKeyHeaderIsExactlyItsSchemeAndTheKey()
    {
        // As the request leaves the client, before any server could trim what it reads: no stray space before a
        // bare key (a signing proxy or a strict gateway compares the value byte for byte).
        _server.On("GET", "/who", Scripted.Json(200, "{}"));
        foreach ((ProviderAuth auth, string expected) in new[] { (ProviderAuth.Fal, "Key " + Secret), (ProviderAuth.Oxen, "Bearer " + Secret), (ProviderAuth.Apiframe, Secret) })
        {
            var recorder = new HeaderRecorder(auth.Header) { InnerHandler = new SocketsHttpHandler() };
            using var http = new HttpClient(recorder) { BaseAddress = _server.BaseUrl };
            await new ProviderHttpClient(http, "p", auth, new ApiKey(Secret), NoRetries).SendJsonAsync(HttpMethod.Get, "/who", null, Within(10));
            Assert.Equal(expected, Assert.Single(recorder.Values));
        }
    }

    /// <summary>Keeps the raw values of one request header as the client sends it.</summary>
    private sealed class HeaderRecorder(string name) : DelegatingHandler
    {
        public ConcurrentQueue<string> Values { get; } = new();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Headers.NonValidated.TryGetValues(name, out System.Net.Http.Headers.HeaderStringValues values))
            {
                foreach (string value in values)
                {
                    Values.Enqueue(value);
                }
            }

            return base.SendAsync(request, cancellationToken);
        }
    }

    [Fact]
    public void TheTransportRefusesMissingParts()
    {
        Assert.Equal("http", Assert.Throws<ArgumentNullException>(() => new ProviderHttpClient(null!, "fal", ProviderAuth.Fal, new ApiKey(Secret))).ParamName);
        Assert.Equal("auth", Assert.Throws<ArgumentNullException>(() => new ProviderHttpClient(_http, "fal", null!, new ApiKey(Secret))).ParamName);
        Assert.Equal("key", Assert.Throws<ArgumentNullException>(() => new ProviderHttpClient(_http, "fal", ProviderAuth.Fal, null!)).ParamName);
    }

    [Fact]
    public async Task TheTransportsMethodsRefuseMissingArguments()
    {
        ProviderHttpClient client = Client();
        Assert.Equal("responseType", (await Assert.ThrowsAsync<ArgumentNullException>(() => client.SendBytesAsync<EchoResult>(HttpMethod.Get, "/x", null, (System.Text.Json.Serialization.Metadata.JsonTypeInfo<EchoResult>)null!, default, default))).ParamName);
        Assert.Equal("converter", (await Assert.ThrowsAsync<ArgumentNullException>(() => client.SendBytesAsync<string>(HttpMethod.Get, "/x", null, (Serialization.SchemaConverter<string>)null!, default, default))).ParamName);
        Assert.Equal("url", (await Assert.ThrowsAsync<ArgumentNullException>(() => client.DownloadAsync(null!, Stream.Null))).ParamName);
        Assert.Equal("destination", (await Assert.ThrowsAsync<ArgumentNullException>(() => client.DownloadAsync(new Uri(_server.BaseUrl, "f"), null!))).ParamName);
        Assert.Equal("url", (await Assert.ThrowsAsync<ArgumentNullException>(() => client.PutFileAsync(null!, Array.Empty<byte>(), "image/png"))).ParamName);
        Assert.Equal("content", (await Assert.ThrowsAsync<ArgumentNullException>(() => client.PutFileAsync(new Uri(_server.BaseUrl, "f"), null!, "image/png"))).ParamName);
        Assert.Equal("contentType", (await Assert.ThrowsAsync<ArgumentException>(() => client.PutFileAsync(new Uri(_server.BaseUrl, "f"), Array.Empty<byte>(), string.Empty))).ParamName);
        Assert.Empty(_server.Requests);
    }

    // ---------------------------------------------------------------- downloads

    [Fact]
    public async Task ADownloadCountsWhatItWroteFromWhereTheStreamWasAndSaysMinusOneWhenItCannotTell()
    {
        _server.On("GET", "/file.png", new Scripted(200, "PNGDATA", "image/png"));
        ProviderHttpClient client = Client();
        using var memory = new MemoryStream();
        memory.Write("12345"u8);
        Assert.Equal(7, await client.DownloadAsync(new Uri(_server.BaseUrl, "file.png"), memory, Within(10)));
        Assert.Equal("12345PNGDATA", Encoding.ASCII.GetString(memory.ToArray()));
        using var forwardOnly = new ForwardOnlyStream();
        Assert.Equal(-1, await client.DownloadAsync(new Uri(_server.BaseUrl, "file.png"), forwardOnly, Within(10)));
        Assert.Equal("PNGDATA", Encoding.ASCII.GetString(forwardOnly.Written.ToArray()));
        Assert.All(_server.Requests, r => Assert.Null(r.Header("Authorization"))); // a result file is fetched without the key
        Assert.All(_server.Requests, r => Assert.Null(r.Header("Accept")));
    }

    private sealed class ForwardOnlyStream : Stream
    {
        public MemoryStream Written { get; } = new();

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Written.Write(buffer, offset, count);
    }

    // ---------------------------------------------------------------- redirects

    [Theory]
    [InlineData("POST", 307, "POST", true)]
    [InlineData("POST", 308, "POST", true)]
    [InlineData("POST", 303, "GET", false)]
    [InlineData("POST", 302, "GET", false)]
    [InlineData("POST", 301, "GET", false)]
    [InlineData("PUT", 302, "PUT", true)]
    [InlineData("PUT", 303, "GET", false)]
    [InlineData("GET", 301, "GET", false)]
    public async Task ARedirectRepeatsTheMethodAndBodyOnlyWhereHttpSaysItShould(string method, int status, string followedWith, bool withBody)
    {
        _server.On(method, "/moved", new Scripted(status, null, Headers: new Dictionary<string, string> { ["Location"] = "/landing?from=moved" }));
        _server.On(followedWith, "/landing", Scripted.Json(200, "{\"Prompt\":\"p\",\"Attempt\":1}"));
        byte[]? body = method == "GET" ? null : "{\"prompt\":\"p\"}"u8.ToArray();

        EchoResult result = await Client().SendBytesAsync(new HttpMethod(method), "/moved", body, TestJson.Default.EchoResult, new CallOptions(RetryMode.Repeatable), Within(10));

        Assert.Equal("p", result.Prompt);
        Seen landing = Assert.Single(_server.To(followedWith, "/landing"));
        Assert.Equal("?from=moved", landing.Query);
        Assert.Equal(withBody ? "{\"prompt\":\"p\"}" : string.Empty, landing.Body);
        Assert.Equal("Key " + Secret, landing.Header("Authorization")); // same origin: the key goes along
        Assert.Equal("application/json", landing.Header("Accept"));
    }

    [Fact]
    public async Task ARelativeRedirectIsResolvedAgainstTheUrlThatAnsweredIt()
    {
        _server.On("GET", "/one/start", new Scripted(302, null, Headers: new Dictionary<string, string> { ["Location"] = "/two/next" }));
        _server.On("GET", "/two/next", new Scripted(302, null, Headers: new Dictionary<string, string> { ["Location"] = "final" }));
        _server.On("GET", "/two/final", Scripted.Json(200, "{\"at\":\"two\"}"));
        _server.On("GET", "/one/final", Scripted.Json(200, "{\"at\":\"one\"}"));

        // An app's handler that follows some redirects itself (here one) hands back the next with the URL that answered
        // it; a relative Location is resolved against that URL, as HTTP says, not against the one first asked for.
        using (var http = new HttpClient(new SocketsHttpHandler { MaxAutomaticRedirections = 1 }) { BaseAddress = _server.BaseUrl })
        {
            JsonElement answer = await Client(http: http).SendJsonAsync(HttpMethod.Get, "/one/start", null, Within(10));
            Assert.Equal("two", answer.GetProperty("at").GetString());
        }

        // A handler whose answers do not say which request they answer: the request as sent is the base.
        using (var http = new HttpClient(new ForgetsTheRequest()) { BaseAddress = _server.BaseUrl })
        {
            JsonElement answer = await Client(http: http).SendJsonAsync(HttpMethod.Get, "/two/next", null, Within(10));
            Assert.Equal("two", answer.GetProperty("at").GetString());
        }

        Assert.Empty(_server.To("GET", "/one/final"));
    }

    /// <summary>A handler in front of the real one that, as some caching or test handlers do, returns answers with no request.</summary>
    private sealed class ForgetsTheRequest() : DelegatingHandler(new SocketsHttpHandler { AllowAutoRedirect = false })
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            HttpResponseMessage response = await base.SendAsync(request, cancellationToken);
            response.RequestMessage = null;
            return response;
        }
    }

    [Fact]
    public async Task OneConnectionPerServerIsEnoughForRetriesRedirectsAndUploads()
    {
        // An app may allow one connection per server. An answer the client is done with (a 503 it retries, a redirect
        // it follows, an upload's answer) is released at once, or the next request would wait for its connection.
        _server.On("GET", "/flaky", new Scripted(503, "{\"busy\":true}"), Scripted.Json(200, "{\"n\":1}"));
        _server.On("GET", "/moved", new Scripted(302, "{\"moved\":true}", Headers: new Dictionary<string, string> { ["Location"] = "/landing" }));
        _server.On("GET", "/landing", Scripted.Json(200, "{\"n\":2}"));
        _server.On("PUT", "/upload", Scripted.Json(200, "{\"stored\":true}"));
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, MaxConnectionsPerServer = 1 }) { BaseAddress = _server.BaseUrl };
        var retry = new RetryOptions { MaxRetries = 1, BaseDelay = TimeSpan.FromMilliseconds(10), AttemptTimeout = TimeSpan.FromSeconds(3) };
        ProviderHttpClient client = Client(retry, http: http);

        Assert.Equal(1, (await client.SendJsonAsync(HttpMethod.Get, "/flaky", null, Within(20))).GetProperty("n").GetInt32());
        Assert.Equal(2, (await client.SendJsonAsync(HttpMethod.Get, "/moved", null, Within(20))).GetProperty("n").GetInt32());
        await client.PutFileAsync(new Uri(_server.BaseUrl, "upload"), new byte[] { 1, 2, 3 }, "image/png", Within(20));
        await client.PutFileAsync(new Uri(_server.BaseUrl, "upload"), new byte[] { 4, 5, 6 }, "image/png", Within(20));
        Assert.Equal(2, _server.To("PUT", "/upload").Count);

        // an event stream that ends and is opened again
        _server.On("GET", "/events", Scripted.Events("data: one\n\n"), Scripted.Events("data: two\n\n"));
        var seen = new List<string>();
        await foreach (ServerSentEvent item in client.StreamEventsAsync("/events", Within(20)))
        {
            seen.Add(item.Data);
            if (seen.Count == 2)
            {
                break;
            }
        }

        Assert.Equal(new[] { "one", "two" }, seen);
        Assert.Equal(2, (await client.SendJsonAsync(HttpMethod.Get, "/landing", null, Within(20))).GetProperty("n").GetInt32());
    }

    [Fact]
    public async Task RedirectsAreFollowedFiftyTimesAtMostAndNeverToAnotherScheme()
    {
        _server.On("GET", "/loop", new Scripted(302, null, Headers: new Dictionary<string, string> { ["Location"] = "/loop" }));
        _server.On("GET", "/ftp", new Scripted(302, null, Headers: new Dictionary<string, string> { ["Location"] = "ftp://127.0.0.1/file" }));
        _server.On("GET", "/nowhere", new Scripted(302, null));

        ProviderApiException loop = await Assert.ThrowsAsync<ProviderApiException>(() => Client().SendJsonAsync(HttpMethod.Get, "/loop", null, Within(20)));
        ProviderApiException ftp = await Assert.ThrowsAsync<ProviderApiException>(() => Client().SendJsonAsync(HttpMethod.Get, "/ftp", null, Within(10)));
        ProviderApiException nowhere = await Assert.ThrowsAsync<ProviderApiException>(() => Client().SendJsonAsync(HttpMethod.Get, "/nowhere", null, Within(10)));

        Assert.Equal(HttpStatusCode.Found, loop.StatusCode);
        Assert.Equal(51, _server.To("GET", "/loop").Count); // the request and 50 redirects
        Assert.Equal(HttpStatusCode.Found, ftp.StatusCode);
        Assert.Single(_server.To("GET", "/ftp"));
        Assert.Equal(HttpStatusCode.Found, nowhere.StatusCode);
    }

    [Fact]
    public async Task ARedirectFromHttpsDownToHttpIsNotFollowed()
    {
        // Following it would send the request, and with it the body, in clear text; the redirect stays the answer.
        _server.On("GET", "/landing", Scripted.Json(200, "{}"));
        int securelyLanded = 0;
        (WebApplication app, Uri baseUrl) = await Loopback.StartHttpsAsync(async context =>
        {
            if (context.Request.Path == "/landing")
            {
                Interlocked.Increment(ref securelyLanded);
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("{\"secure\":true}");
                return;
            }

            context.Response.StatusCode = 302;
            context.Response.Headers.Location = context.Request.Path == "/down" ? _server.BaseUrl + "landing" : "/landing";
        });
        await using (app)
        {
            using var handler = new SocketsHttpHandler { AllowAutoRedirect = false };
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true; // the test's own certificate
            using var http = new HttpClient(handler) { BaseAddress = baseUrl };
            ProviderHttpClient client = Client(http: http);

            ProviderApiException down = await Assert.ThrowsAsync<ProviderApiException>(() => client.SendJsonAsync(HttpMethod.Get, "/down", null, Within(10)));

            Assert.Equal(HttpStatusCode.Found, down.StatusCode);
            Assert.Empty(_server.To("GET", "/landing"));

            // https to https is followed as usual
            JsonElement same = await client.SendJsonAsync(HttpMethod.Get, "/same", null, Within(10));
            Assert.True(same.GetProperty("secure").GetBoolean());
            Assert.Equal(1, securelyLanded);
        }
    }

    // ---------------------------------------------------------------- billed calls not sent again

    [Fact]
    public async Task ABilledCallThatFailsAfterSendingIsLoggedAsNotSentAgainWithWhy()
    {
        _server.On("POST", "/submit", new Scripted(503, "{}"), new Scripted(429, "{}"), new Scripted(0, Drop: true));
        var logs = new ListLogger();
        ProviderHttpClient client = Client(logs: logs);
        string url = Root + "/submit";

        await Assert.ThrowsAsync<ProviderApiException>(() => client.SendJsonAsync(HttpMethod.Post, "/submit", "{}"u8.ToArray(), Within(10)));
        Assert.Contains("Warning: fal POST " + url + " was not sent again: it answered 503 and the request may have started a billed job", logs.Lines);

        logs.Lines.Clear();
        await Assert.ThrowsAsync<ProviderApiException>(() => client.SendJsonAsync(HttpMethod.Post, "/submit", "{}"u8.ToArray(), Within(10)));
        Assert.DoesNotContain(logs.Lines, l => l.Contains("was not sent again", StringComparison.Ordinal)); // a 429 was not taken: nothing billed

        logs.Lines.Clear();
        HttpRequestException dropped = await Assert.ThrowsAsync<HttpRequestException>(() => client.SendJsonAsync(HttpMethod.Post, "/submit", "{}"u8.ToArray(), Within(10)));
        Assert.Contains("Warning: fal POST " + url + " was not sent again: the connection failed after the request was sent, and it may have started a billed job", logs.Lines);
        Assert.StartsWith("fal POST " + url + " failed after the request was sent (", dropped.Message, StringComparison.Ordinal);
        Assert.EndsWith("). It was not sent again: it may have reached fal and started a billed job. Check the provider before sending it again.", dropped.Message, StringComparison.Ordinal);

        logs.Lines.Clear();
        _server.On("GET", "/status", new Scripted(0, Drop: true));
        HttpRequestException repeatable = await Assert.ThrowsAsync<HttpRequestException>(() => client.SendJsonAsync(HttpMethod.Get, "/status", null, Within(10)));
        Assert.StartsWith("fal could not be reached after 1 attempt: ", repeatable.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(logs.Lines, l => l.Contains("was not sent again", StringComparison.Ordinal));

        // A billed call refused with a 400 started nothing, and a GET that ran out of retries on a 503 bills nothing:
        // neither is a call "not sent again" for fear of a second job.
        logs.Lines.Clear();
        _server.On("POST", "/refused", new Scripted(400, "{\"detail\":\"bad prompt\"}"));
        _server.On("GET", "/busy", new Scripted(503, "{}"));
        await Assert.ThrowsAsync<ProviderApiException>(() => client.SendJsonAsync(HttpMethod.Post, "/refused", "{}"u8.ToArray(), Within(10)));
        await Assert.ThrowsAsync<ProviderApiException>(() => client.SendJsonAsync(HttpMethod.Get, "/busy", null, Within(10)));
        Assert.Contains(logs.Lines, l => l.Contains("/busy answered 503", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, l => l.Contains("was not sent again", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheLoggedUrlHasNeitherQueryNorFragment()
    {
        // Both may carry tokens (a signed URL's query, an OAuth-style fragment); the log shows scheme, host and path.
        _server.On("GET", "/plain", Scripted.Json(200, "{}"));
        var logs = new ListLogger();
        ProviderHttpClient client = Client(logs: logs);
        await client.SendJsonAsync(HttpMethod.Get, "/plain#access_token=t0ken", null, Within(10));
        await client.SendJsonAsync(HttpMethod.Get, Root + "/plain?sig=s1gned#frag", null, Within(10));

        Assert.Equal(2, logs.Lines.Count(l => l.StartsWith("Debug: fal GET " + Root + "/plain answered 200 in ", StringComparison.Ordinal)));
        Assert.DoesNotContain(logs.Lines, l => l.Contains("t0ken", StringComparison.Ordinal) || l.Contains("s1gned", StringComparison.Ordinal) || l.Contains('#'));
    }

    [Fact]
    public async Task EachKindOfLogLineHasItsOwnNamedEventId()
    {
        // Apps filter and count by event id; each kind has a stable id and name.
        _server.On("GET", "/flaky", new Scripted(503, "{}"), Scripted.Json(200, "{}"));
        _server.On("POST", "/billed", new Scripted(503, "{}"));
        _server.On("GET", "/gone", new Scripted(0, Drop: true));
        var logs = new ListLogger();
        ProviderHttpClient client = Client(new RetryOptions { MaxRetries = 1, BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(1) }, logs);

        await client.SendJsonAsync(HttpMethod.Get, "/flaky", null, Within(10));
        await Assert.ThrowsAsync<ProviderApiException>(() => client.SendJsonAsync(HttpMethod.Post, "/billed", "{}"u8.ToArray(), Within(10)));
        await Assert.ThrowsAsync<HttpRequestException>(() => client.SendJsonAsync(HttpMethod.Get, "/gone", null, Within(10)));

        string EventOf(string text) => string.Join(", ", logs.Events.Where(e => e.Line.Contains(text, StringComparison.Ordinal)).Select(e => e.Id.Id + " " + e.Id.Name).Distinct());
        Assert.Equal("1 Answer", EventOf("/flaky answered 200"));
        Assert.Equal("2 Transient", EventOf("answered 503 on attempt"));
        Assert.Equal("3 Failure", EventOf("/gone failed on attempt"));
        Assert.Equal("4 Retry", EventOf(": trying again in"));
        Assert.Equal("5 NotRetried", EventOf("was not sent again"));
        Assert.Equal(5, logs.Events.Select(e => e.Id.Id).Distinct().Count());
    }

    [Fact]
    public async Task AnAttemptThatTimesOutSaysSoAndTheNextCallOnTheSameClientIsNotCutShort()
    {
        var hold = new TaskCompletionSource();
        (WebApplication app, Uri baseUrl) = await Loopback.StartAsync(async context =>
        {
            if (context.Request.Path == "/slow")
            {
                await Task.WhenAny(hold.Task, Task.Delay(TimeSpan.FromSeconds(10)));
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{\"prompt\":\"p\",\"attempt\":1}");
        });
        await using (app)
        {
            using var http = new HttpClient { BaseAddress = baseUrl };
            var logs = new ListLogger();
            var client = new ProviderHttpClient(http, "fal", ProviderAuth.Fal, new ApiKey(Secret), new RetryOptions { MaxRetries = 1, BaseDelay = TimeSpan.FromMilliseconds(10), AttemptTimeout = TimeSpan.FromMilliseconds(300) }, logs);
            string url = baseUrl.AbsoluteUri + "slow";

            TimeoutException billed = await Assert.ThrowsAsync<TimeoutException>(() => client.SendJsonAsync(HttpMethod.Post, "/slow", "{}"u8.ToArray(), Within(10)));
            Assert.Equal("fal did not answer POST " + url + " within 00:00:00.3000000. It was not sent again: it may have reached fal and started a billed job. Check the provider before sending it again.", billed.Message);
            Assert.Equal("The attempt did not complete within 00:00:00.3000000.", Assert.IsType<TimeoutRejectedException>(billed.InnerException).Message);
            Assert.Contains("Warning: fal POST " + url + " was not sent again: it timed out after it was sent, and it may have started a billed job", logs.Lines);

            logs.Lines.Clear();
            TimeoutException repeatable = await Assert.ThrowsAsync<TimeoutException>(() => client.SendJsonAsync(HttpMethod.Get, "/slow", null, Within(10)));
            Assert.Equal("fal did not answer in time on any of 2 attempts.", repeatable.Message);
            Assert.DoesNotContain(logs.Lines, l => l.Contains("was not sent again", StringComparison.Ordinal));

            // the timeouts of the attempts that ran out are not handed to the next calls
            for (int i = 0; i < 3; i++)
            {
                JsonElement fast = await client.SendJsonAsync(HttpMethod.Get, "/fast", null, Within(10));
                Assert.Equal("p", fast.GetProperty("prompt").GetString());
            }

            hold.TrySetResult();
        }
    }

    [Fact]
    public async Task ACallTheCallerCancelledIsNotLoggedAsAFailure()
    {
        var logs = new ListLogger();
        (WebApplication app, Uri baseUrl) = await Loopback.StartAsync(async context => await Task.Delay(TimeSpan.FromSeconds(10), context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default));
        await using (app)
        {
            using var http = new HttpClient { BaseAddress = baseUrl };
            var client = new ProviderHttpClient(http, "fal", ProviderAuth.Fal, new ApiKey(Secret), NoRetries, logs);
            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.SendJsonAsync(HttpMethod.Get, "/wait", null, cancel.Token));
            Assert.DoesNotContain(logs.Lines, l => l.Contains("failed on attempt", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task ACallersTokenCancelledAfterItsCallEndedCannotCutShortALaterCall()
    {
        // Each attempt's timeout source is linked to its caller's token and pooled after the attempt. The link must
        // end with the attempt: otherwise the next call, given the same pooled source, is cut short when a caller
        // whose call ended long ago cancels its token.
        (WebApplication app, Uri baseUrl) = await Loopback.StartAsync(async context =>
        {
            if (context.Request.Path == "/slow")
            {
                await Task.Delay(TimeSpan.FromMilliseconds(600));
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{\"done\":true}");
        });
        await using (app)
        {
            using var http = new HttpClient { BaseAddress = baseUrl };
            ProviderHttpClient client = Client(http: http);
            using var earlier = new CancellationTokenSource();
            await client.SendJsonAsync(HttpMethod.Get, "/fast", null, earlier.Token);

            Task<JsonElement> later = client.SendJsonAsync(HttpMethod.Get, "/slow", null, CancellationToken.None);
            await Task.Delay(TimeSpan.FromMilliseconds(150));
            await earlier.CancelAsync();

            Assert.True((await later).GetProperty("done").GetBoolean());
        }
    }

    // ---------------------------------------------------------------- retry options and policy

    [Fact]
    public void EachRetryOptionIsCheckedByName()
    {
        new RetryOptions { BaseDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero, AttemptTimeout = TimeSpan.FromTicks(1), MaxRetries = 0 }.Validate();
        (string Name, string Message, Func<RetryOptions> Make)[] wrong =
        {
            ("MaxRetries", "RetryOptions.MaxRetries cannot be negative; 0 switches retries off.", () => new RetryOptions { MaxRetries = -1 }),
            ("BaseDelay", "RetryOptions.BaseDelay cannot be negative.", () => new RetryOptions { BaseDelay = TimeSpan.FromTicks(-1) }),
            ("MaxDelay", "RetryOptions.MaxDelay cannot be negative.", () => new RetryOptions { MaxDelay = TimeSpan.FromTicks(-1) }),
            ("AttemptTimeout", "RetryOptions.AttemptTimeout must be positive.", () => new RetryOptions { AttemptTimeout = TimeSpan.Zero }),
        };
        foreach ((string name, string message, Func<RetryOptions> make) in wrong)
        {
            ArgumentOutOfRangeException e = Assert.Throws<ArgumentOutOfRangeException>(() => make().Validate());
            Assert.Equal(name, e.ParamName);
            Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
            Assert.Equal(name, Assert.Throws<ArgumentOutOfRangeException>(() => RetryPolicy.Create(make())).ParamName);
        }
    }

    [Fact]
    public void ThePolicyRefusesMissingArgumentsAndRetriesNoUnknownFailure()
    {
        var options = new RetryOptions();
        Assert.Equal("SchemaClients.RetryMode", RetryPolicy.ModeKey.Key);
        Assert.Equal("exception", Assert.Throws<ArgumentNullException>(() => RetryPolicy.NothingWasSent(null!)).ParamName);
        Assert.Equal("options", Assert.Throws<ArgumentNullException>(() => RetryPolicy.ShouldRetry(Outcome.FromResult(new HttpResponseMessage()), RetryMode.Repeatable, null!)).ParamName);
        Assert.Equal("options", Assert.Throws<ArgumentNullException>(() => RetryPolicy.DelayFor(0, Outcome.FromResult(new HttpResponseMessage()), null!)).ParamName);
        Assert.Equal("response", Assert.Throws<ArgumentNullException>(() => RetryPolicy.RetryAfter(null!)).ParamName);
        Assert.Equal("options", Assert.Throws<ArgumentNullException>(() => RetryPolicy.Create(null!)).ParamName);
        Assert.False(RetryPolicy.ShouldRetry(Outcome.FromException<HttpResponseMessage>(new InvalidOperationException()), RetryMode.Repeatable, options));
        Assert.True(RetryPolicy.ShouldRetry(Outcome.FromException<HttpResponseMessage>(new TimeoutRejectedException()), RetryMode.Repeatable, options));
        Assert.False(RetryPolicy.ShouldRetry(Outcome.FromException<HttpResponseMessage>(new TimeoutRejectedException()), RetryMode.BilledCall, options));
        Assert.True(RetryPolicy.ShouldRetry(Outcome.FromException<HttpResponseMessage>(new TimeoutRejectedException()), RetryMode.BilledCall, new RetryOptions { RetryBilledCalls = true }));
    }

    [Fact]
    public void BackoffHasJitterBetweenHalfAndOneAndAHalfTimesTheBaseDoubledPerRetry()
    {
        var options = new RetryOptions { BaseDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromSeconds(10) };
        Outcome<HttpResponseMessage> failed = Outcome.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
        double[] first = Enumerable.Range(0, 200).Select(_ => RetryPolicy.DelayFor(0, failed, options).TotalMilliseconds).ToArray();
        double[] third = Enumerable.Range(0, 200).Select(_ => RetryPolicy.DelayFor(2, failed, options).TotalMilliseconds).ToArray();
        Assert.All(first, d => Assert.InRange(d, 50, 150));
        Assert.All(third, d => Assert.InRange(d, 200, 600));
        Assert.True(first.Distinct().Count() > 10, "no jitter: " + string.Join(", ", first.Distinct()));
        Assert.Equal(TimeSpan.FromSeconds(10), RetryPolicy.DelayFor(40, failed, options)); // capped, whatever the count

        // past 30 retries the doubling stops (no overflow towards infinity), even when MaxDelay would allow more
        var patient = new RetryOptions { BaseDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromDays(10_000) };
        Assert.InRange(RetryPolicy.DelayFor(40, failed, patient).TotalMilliseconds, 100 * Math.Pow(2, 30) * 0.5, 100 * Math.Pow(2, 30) * 1.5);
    }

    [Fact]
    public async Task ThePipelineRetriesAsTheOptionsSayDisposesWhatItRetriedAndTimesOutEachAttempt()
    {
        var answers = new List<HttpResponseMessage>();
        var retried = new List<(int Attempt, TimeSpan Delay)>();
        ValueTask<HttpResponseMessage> ServiceUnavailable(CancellationToken _)
        {
            var answer = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Content = new StringContent("busy") };
            answers.Add(answer);
            return new ValueTask<HttpResponseMessage>(answer);
        }

        var options = new RetryOptions { MaxRetries = 2, BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5) };
        ResiliencePipeline<HttpResponseMessage> pipeline = RetryPolicy.Create(options, (_, attempt, delay) => retried.Add((attempt, delay)));

        HttpResponseMessage last = await pipeline.ExecuteAsync(ServiceUnavailable, Within(10));
        Assert.Equal(3, answers.Count);
        Assert.Equal(new[] { 0, 1 }, retried.Select(r => r.Attempt).ToArray());
        Assert.All(retried, r => Assert.InRange(r.Delay, TimeSpan.Zero, TimeSpan.FromMilliseconds(5)));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => answers[0].Content.ReadAsStringAsync());
        Assert.Equal("busy", await last.Content.ReadAsStringAsync());

        // a billed call is not retried after a 503
        answers.Clear();
        ResilienceContext context = ResilienceContextPool.Shared.Get();
        context.Properties.Set(RetryPolicy.ModeKey, RetryMode.BilledCall);
        await pipeline.ExecuteAsync(static (_, run) => run(default), context, (Func<CancellationToken, ValueTask<HttpResponseMessage>>)ServiceUnavailable);
        ResilienceContextPool.Shared.Return(context);
        Assert.Single(answers);

        // no retries: one attempt
        answers.Clear();
        await RetryPolicy.Create(new RetryOptions { MaxRetries = 0 }).ExecuteAsync(ServiceUnavailable, Within(10));
        Assert.Single(answers);

        ResiliencePipeline<HttpResponseMessage> quick = RetryPolicy.Create(new RetryOptions { MaxRetries = 0, AttemptTimeout = TimeSpan.FromMilliseconds(100) });
        await Assert.ThrowsAsync<TimeoutRejectedException>(async () => await quick.ExecuteAsync(async token =>
        {
            await Task.Delay(TimeSpan.FromSeconds(10), token);
            return new HttpResponseMessage();
        }, Within(10)));
    }

    [Fact]
    public async Task AWaiterRefusesMissingParts()
    {
        Func<CancellationToken, Task<int>> poll = _ => Task.FromResult(1);
        Func<int, TimeSpan, QueueProgress> describe = (s, e) => new QueueProgress("s", null, null, e);
        Assert.Equal("poll", (await Assert.ThrowsAsync<ArgumentNullException>(() => QueueWaiter.WaitAsync(null!, _ => true, describe, TimeSpan.Zero, null, default))).ParamName);
        Assert.Equal("isTerminal", (await Assert.ThrowsAsync<ArgumentNullException>(() => QueueWaiter.WaitAsync(poll, null!, describe, TimeSpan.Zero, null, default))).ParamName);
        Assert.Equal("describe", (await Assert.ThrowsAsync<ArgumentNullException>(() => QueueWaiter.WaitAsync(poll, _ => true, null!, TimeSpan.Zero, null, default))).ParamName);
    }

    // ---------------------------------------------------------------- event streams

    [Fact]
    public async Task AnEventStreamWhoseBodyCannotBeOpenedFailsAndReleasesTheAnswer()
    {
        // The server answers 200 with an event stream, but its body fails as the client opens it: the answer (and with it
        // the connection) is released, not left to the garbage collector.
        _server.On("GET", "/events", Scripted.Events("data: one\n\n"));
        var bodies = new BodyWrapper(_ => throw new IOException("the body cannot be opened"));
        using var http = new HttpClient(bodies) { BaseAddress = _server.BaseUrl };
        ProviderHttpClient client = Client(http: http);

        IOException failed = await Assert.ThrowsAsync<IOException>(() => client.OpenEventStreamAsync("/events", Within(10)));

        Assert.Equal("the body cannot be opened", failed.Message);
        Assert.True(Assert.Single(bodies.Bodies).Disposed);
    }

    [Fact]
    public async Task AStreamWaitsTheServersRetryIntervalCappedAtMaxDelayAndCountsItsReconnections()
    {
        _server.On("GET", "/events", Scripted.Events("retry: 400\ndata: one\n\n"), Scripted.Events("retry: 60000\ndata: two\n\n"), Scripted.Events("data: three\n\n"));
        ProviderHttpClient client = Client(new RetryOptions { MaxRetries = 1, BaseDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(800) });
        var seen = new List<(string Data, TimeSpan At)>();
        var clock = Stopwatch.StartNew();
        await using EventStream stream = await client.OpenEventStreamAsync("/events", Within(20));
        await foreach (ServerSentEvent item in stream.ReadAllAsync(Within(20)))
        {
            seen.Add((item.Data, clock.Elapsed));
            if (item.Data == "three")
            {
                break;
            }
        }

        Assert.Equal(new[] { "one", "two", "three" }, seen.Select(s => s.Data).ToArray());
        Assert.Equal(2, stream.Reconnects);
        Assert.InRange(seen[1].At - seen[0].At, TimeSpan.FromMilliseconds(380), TimeSpan.FromSeconds(5)); // the server's 400 ms
        Assert.InRange(seen[2].At - seen[1].At, TimeSpan.FromMilliseconds(780), TimeSpan.FromSeconds(5)); // 60 s capped at 800 ms
        Assert.All(_server.To("GET", "/events"), r => Assert.Equal("text/event-stream", r.Header("Accept")));
    }

    [Fact]
    public async Task AStreamWithoutARetryIntervalWaitsTheBaseDelayBeforeReconnecting()
    {
        _server.On("GET", "/events", Scripted.Events("data: one\n\n"), Scripted.Events("data: two\n\n"));
        ProviderHttpClient client = Client(new RetryOptions { MaxRetries = 1, BaseDelay = TimeSpan.FromMilliseconds(300), MaxDelay = TimeSpan.FromSeconds(5) });
        var clock = Stopwatch.StartNew();
        TimeSpan first = TimeSpan.Zero;
        await foreach (ServerSentEvent item in client.StreamEventsAsync("/events", Within(20)))
        {
            if (item.Data == "one")
            {
                first = clock.Elapsed;
            }
            else
            {
                Assert.InRange(clock.Elapsed - first, TimeSpan.FromMilliseconds(280), TimeSpan.FromSeconds(5));
                break;
            }
        }
    }

    [Fact]
    public async Task AStreamThatKeepsEndingSaysHowOftenAndOneAskedNotToReconnectSaysThat()
    {
        _server.On("GET", "/quiet", Scripted.Events(": nothing\n\n"));
        _server.On("GET", "/stop", new Scripted(204, null, "text/event-stream"));
        ProviderHttpClient client = Client(new RetryOptions { MaxRetries = 1, BaseDelay = TimeSpan.FromMilliseconds(10) });

        EndOfStreamException quiet = await Assert.ThrowsAsync<EndOfStreamException>(async () =>
        {
            await foreach (ServerSentEvent unused in client.StreamEventsAsync("/quiet", Within(10)))
            {
            }
        });
        EndOfStreamException stop = await Assert.ThrowsAsync<EndOfStreamException>(async () =>
        {
            await foreach (ServerSentEvent unused in client.StreamEventsAsync("/stop", Within(10)))
            {
            }
        });

        Assert.Equal("fal: the event stream ended 2 times in a row without an event.", quiet.Message);
        Assert.Equal("fal: the event stream server answered 204: it asks the client not to reconnect.", stop.Message);
        Assert.Single(_server.To("GET", "/stop"));
    }

    [Fact]
    public async Task AStreamThatBreaksMidwayIsReconnectedAndADisposedOneRefusesToRead()
    {
        int connections = 0;
        (WebApplication app, Uri baseUrl) = await Loopback.StartAsync(async context =>
        {
            context.Response.ContentType = "text/event-stream";
            if (Interlocked.Increment(ref connections) == 1)
            {
                await context.Response.WriteAsync("id: 1\ndata: one\n\n");
                await context.Response.Body.FlushAsync();
                await Task.Delay(100);
                context.Abort(); // the connection breaks in the middle of the stream
                return;
            }

            await context.Response.WriteAsync("data: after " + context.Request.Headers["Last-Event-ID"] + "\n\n");
        });
        await using (app)
        {
            using var http = new HttpClient { BaseAddress = baseUrl };
            var client = new ProviderHttpClient(http, "oxen", ProviderAuth.Oxen, new ApiKey(Secret), new RetryOptions { MaxRetries = 1, BaseDelay = TimeSpan.FromMilliseconds(10) });
            EventStream stream = await client.OpenEventStreamAsync("/events", Within(10));
            var seen = new List<string>();
            await foreach (ServerSentEvent item in stream.ReadAllAsync(Within(10)))
            {
                seen.Add(item.Data);
                if (seen.Count == 2)
                {
                    break;
                }
            }

            Assert.Equal(new[] { "one", "after 1" }, seen);
            Assert.Equal(("1", 1), (stream.LastEventId, stream.Reconnects));
            await stream.DisposeAsync();
            ObjectDisposedException disposed = await Assert.ThrowsAsync<ObjectDisposedException>(async () =>
            {
                await foreach (ServerSentEvent unused in stream.ReadAllAsync(Within(10)))
                {
                }
            });
            Assert.Equal(nameof(EventStream), disposed.ObjectName);
        }
    }

    [Fact]
    public async Task EventsAreReadFromAnyStreamAndAnEmptyIdIsNone()
    {
        Assert.Equal("stream", (await Assert.ThrowsAsync<ArgumentNullException>(async () => await ServerSentEvents.ReadAsync(null!).GetAsyncEnumerator().MoveNextAsync())).ParamName);
        var events = new List<ServerSentEvent>();
        await foreach (ServerSentEvent e in ServerSentEvents.ReadAsync(new MemoryStream("id:\ndata: a\n\nid: 9\ndata: b\n\n"u8.ToArray())))
        {
            events.Add(e);
        }

        Assert.Equal(new[] { new ServerSentEvent("message", "a", null), new ServerSentEvent("message", "b", "9") }, events);
    }
}

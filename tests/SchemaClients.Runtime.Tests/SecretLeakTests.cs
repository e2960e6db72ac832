using System;
using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SchemaClients.Clients;
using SchemaClients.Http;
using SchemaClients.Runtime.Tests.Schemas.Apiframe.Flux2Flex;
using SchemaClients.Runtime.Tests.Schemas.Fal.Flux2Flex;
using SchemaClients.Runtime.Tests.Schemas.Oxen.Flux2Flex;
using Xunit;
using ApiframeFlex = SchemaClients.Runtime.Tests.Schemas.Apiframe.Flux2Flex;
using FalFlex = SchemaClients.Runtime.Tests.Schemas.Fal.Flux2Flex;
using OxenFlex = SchemaClients.Runtime.Tests.Schemas.Oxen.Flux2Flex;

namespace SchemaClients.Runtime.Tests;

/// <summary>
/// The key against a misbehaving server or proxy that echoes it back: in a plain body, in JSON with the default
/// encoder, across the excerpt cut, in <c>x-request-id</c>, in a 200 of the wrong shape, in a failed job's reason, and
/// in a redirect's <c>Location</c>. Through the generated clients' public API, registered in DI with HttpClient
/// logging at Trace. No 8-character run of the key may appear in any exception text, any public property of any
/// exception in the chain, or any log line.
/// </summary>
public sealed class SecretLeakTests : IAsyncLifetime
{
    /// <summary>Keys of the shapes real ones take: plain, and Base64-like (<c>+</c>, <c>/</c>, <c>=</c>).</summary>
    public static readonly TheoryData<string> Keys = new()
    {
        "probe-secret-0123456789abcdef",
        "pR0b+e/S3cr3t+Key/x9Z==",
    };

    /// <summary>A key with non-ASCII letters: no HTTP header can carry it, so clients refuse it before sending.</summary>
    private const string NonAsciiKey = "clé-secrète-ÄÖÜ-0123456789ßø";

    /// <summary>The shortest run of key characters that counts as a leak.</summary>
    private const int FragmentLength = 8;

    private static readonly RetryOptions NoRetries = new() { MaxRetries = 0 };

    private WebApplication _app = null!;
    private Uri _base = null!;
    private volatile string _mode = "plain";
    private volatile string _key = string.Empty;

    public async Task InitializeAsync() => (_app, _base) = await Loopback.StartAsync(HandleAsync);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    /// <summary>
    /// What the server echoes: the auth header it received, or, for a key no HTTP header can carry (non-ASCII), the
    /// key it holds for the account, as a provider that prints "your key ..." would.
    /// </summary>
    private string Echoed(HttpContext context)
    {
        string? header = context.Request.Headers.Authorization.FirstOrDefault() ?? context.Request.Headers["X-API-Key"].FirstOrDefault();
        return header != null && header.Contains(_key, StringComparison.Ordinal) ? header : _key;
    }

    private int _requests;

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        string echoed = Echoed(context);
        HttpResponse response = context.Response;
        if (context.Request.Path.StartsWithSegments("/moved", StringComparison.Ordinal))
        {
            // the redirect's target: a proxy error page that prints the URL it was asked for
            response.StatusCode = 502;
            response.ContentType = "text/plain";
            await response.WriteAsync("bad gateway for " + context.Request.Path + context.Request.QueryString);
            return;
        }

        if (context.Request.Path.StartsWithSegments("/home", StringComparison.Ordinal))
        {
            // a same-origin redirect's target: it answers like the provider when the key came along
            _homeKeys.Enqueue(context.Request.Headers.Authorization.FirstOrDefault() ?? context.Request.Headers["X-API-Key"].FirstOrDefault() ?? "(none)");
            await AnswerLikeTheProviderAsync(context);
            return;
        }

        switch (_mode)
        {
            case "redirect-away":
                // 303 for Oxen's queue (the follow-up is a GET without the body), 307 for the others (method and body again)
                response.StatusCode = context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal) ? 303 : 307;
                response.Headers.Location = new Uri(_away, context.Request.Path.Value!.TrimStart('/')).AbsoluteUri;
                break;
            case "redirect-home":
                response.StatusCode = 308;
                response.Headers.Location = "/home" + context.Request.Path;
                break;
            case "plain":
                response.StatusCode = 401;
                response.ContentType = "text/plain";
                await response.WriteAsync("Unauthorized. You sent: " + echoed);
                break;
            case "json":
                response.StatusCode = 403;
                response.ContentType = "application/json";
                await response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, string> { ["detail"] = "key not allowed", ["received"] = echoed }, LeakJson.Default.DictionaryStringString));
                break;
            case "cut":
                // the key straddles the 500-character excerpt cut, 5 of its characters before it: a cut made before
                // redaction leaves those 5, too few for the fragment rule to mask
                response.StatusCode = 400;
                response.ContentType = "text/plain";
                await response.WriteAsync(new string('x', ProviderHttpClient.ExcerptLength - echoed.IndexOf(_key, StringComparison.Ordinal) - 5) + echoed + "!");
                break;
            case "request-id":
                response.StatusCode = 500;
                response.Headers["x-request-id"] = "req " + echoed;
                response.Headers["x-fal-request-id"] = "req " + echoed;
                response.ContentType = "application/json";
                await response.WriteAsync("{\"detail\":\"internal error\"}");
                break;
            case "wrong-shape":
                response.StatusCode = 200;
                response.ContentType = "application/json";
                await response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, string> { ["echo"] = echoed }, LeakJson.Default.DictionaryStringString));
                break;
            case "failed-job" when context.Request.Method == "POST":
                response.StatusCode = 200;
                response.ContentType = "application/json";
                await response.WriteAsync("{\"generations\":[{\"generation_id\":\"gen-1\",\"status\":\"queued\"}]}");
                break;
            case "failed-job":
                response.StatusCode = 200;
                response.ContentType = "application/json";
                await response.WriteAsync(JsonSerializer.Serialize(
                    new Dictionary<string, string> { ["generation_id"] = "gen-1", ["status"] = "failed", ["error_message"] = "rejected credentials " + echoed },
                    LeakJson.Default.DictionaryStringString));
                break;
            case "redirect":
                response.StatusCode = 307;
                response.Headers.Location = new Uri(_base, "moved/" + Uri.EscapeDataString(echoed) + "?token=" + Uri.EscapeDataString(echoed)).AbsoluteUri;
                break;
            default:
                response.StatusCode = 500;
                break;
        }
    }

    private readonly ConcurrentQueue<string> _homeKeys = new();
    private readonly ConcurrentQueue<string> _awayHeaders = new();
    private WebApplication _awayApp = null!;
    private Uri _away = null!;

    /// <summary>A 200 each client reads as success: a fal output, an Oxen queue answer, an apiframe job.</summary>
    private static Task AnswerLikeTheProviderAsync(HttpContext context)
    {
        string path = context.Request.Path.Value ?? string.Empty;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(
            path.Contains("/v2/", StringComparison.Ordinal) ? "{\"jobId\":\"job-2\",\"status\":\"QUEUED\"}"
            : path.Contains("/api/ai/queue", StringComparison.Ordinal) ? "{\"generations\":[{\"generation_id\":\"gen-2\",\"status\":\"queued\"}]}"
            : "{\"images\":[{\"url\":\"https://cdn.example/a.png\"}]}");
    }

    [Fact]
    public async Task TheKeyFollowsARedirectOnlyToTheOriginItWasSentTo()
    {
        const string key = "probe-secret-0123456789abcdef";
        _key = key;
        (_awayApp, _away) = await Loopback.StartAsync(context =>
        {
            _awayHeaders.Enqueue(context.Request.Method + " " + (context.Request.ContentLength > 0 ? "body " : string.Empty)
                + (context.Request.Headers.Authorization.FirstOrDefault() ?? context.Request.Headers["X-API-Key"].FirstOrDefault() ?? "(no key)"));
            return AnswerLikeTheProviderAsync(context);
        });
        try
        {
            (ServiceProvider provider, _) = Services(key);
            await using (provider)
            {
                var fal = provider.GetRequiredService<FalFlex.FalFlux2FlexClient>();
                var oxen = provider.GetRequiredService<OxenFlex.OxenFlux2FlexClient>();
                var apiframe = provider.GetRequiredService<ApiframeFlex.ApiframeFlux2FlexClient>();

                // to another origin (another port): followed, the body sent again (307), the key not
                _mode = "redirect-away";
                Assert.Single((await fal.RunAsync(FalInput())).Images!);
                Assert.Equal("gen-2", (await oxen.EnqueueAsync(OxenInput())).First.GenerationId);
                Assert.Equal("job-2", (await apiframe.GenerateAsync(ApiframeInput())).Id);
                Assert.Equal(new[] { "POST body (no key)", "GET (no key)", "POST body (no key)" }, _awayHeaders.ToArray());

                // a result file behind a redirect (a CDN's signed URL) still downloads
                using (var file = new System.IO.MemoryStream())
                {
                    Assert.True(await fal.DownloadAsync(new Uri(_base, "files/result.png"), file) > 0);
                }

                Assert.Equal("GET (no key)", _awayHeaders.Last());

                // to the same origin: followed with the key, as the provider would want
                _mode = "redirect-home";
                Assert.Single((await fal.RunAsync(FalInput())).Images!);
                Assert.Equal("job-2", (await apiframe.GenerateAsync(ApiframeInput())).Id);
                Assert.Equal(new[] { "Key " + key, key }, _homeKeys.ToArray());
            }
        }
        finally
        {
            await _awayApp.DisposeAsync();
        }
    }

    private (ServiceProvider Provider, CapturingLogs Logs) Services(string key)
    {
        var logs = new CapturingLogs();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        void Configure(SchemaClientOptions o)
        {
            o.BaseAddress = _base;
            o.QueueBaseAddress = _base;
            o.ApiKey = key;
            o.Retry = NoRetries;
            o.PollInterval = TimeSpan.FromMilliseconds(20);
            o.WaitTimeout = TimeSpan.FromSeconds(10);
        }

        services.AddFalFlux2FlexClient(Configure);
        services.AddOxenFlux2FlexClient(Configure);
        services.AddApiframeFlux2FlexClient(Configure);
        return (services.BuildServiceProvider(), logs);
    }

    private static FalFlex.Flux2FlexInput FalInput() => new() { Prompt = "a poster", NumInferenceSteps = 28, Seed = 7 };

    private static OxenFlex.Flux2FlexRequest OxenInput() => new() { Prompt = "a poster", NumInferenceSteps = 28, Seed = 7 };

    private static ApiframeFlex.Flux2FlexGenerateRequest ApiframeInput() => new() { Prompt = "a poster", Model = ApiframeFlex.ApiframeFlux2FlexClient.ModelId };

    /// <summary>Every call of the three clients in the current mode; the exceptions they threw.</summary>
    private static async Task<List<Exception>> FailuresAsync(IServiceProvider provider, params string[] calls)
    {
        var fal = provider.GetRequiredService<FalFlex.FalFlux2FlexClient>();
        var oxen = provider.GetRequiredService<OxenFlex.OxenFlux2FlexClient>();
        var apiframe = provider.GetRequiredService<ApiframeFlex.ApiframeFlux2FlexClient>();
        var all = new Dictionary<string, Func<CancellationToken, Task>>
        {
            ["fal run"] = t => fal.RunAsync(FalInput(), t),
            ["fal submit"] = t => fal.SubmitAsync(FalInput(), t),
            ["oxen enqueue"] = t => oxen.EnqueueAsync(OxenInput(), t),
            ["oxen enqueue and wait"] = t => oxen.EnqueueAndWaitAsync(OxenInput(), null, t),
            ["apiframe generate"] = t => apiframe.GenerateAsync(ApiframeInput(), t),
        };
        var failures = new List<Exception>();
        foreach (string name in calls.Length == 0 ? all.Keys.ToArray() : calls)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            Exception? e = await Record.ExceptionAsync(() => all[name](timeout.Token));
            Assert.True(e != null, name + " succeeded against a server that only echoes the key");
            Assert.False(e is OperationCanceledException, name + " timed out: " + e);
            failures.Add(e!);
        }

        return failures;
    }

    /// <summary>No 8-character run of the key in the texts, as written or as a reader would decode them (URL, JSON escapes).</summary>
    private static void AssertNoFragment(string key, IEnumerable<string> texts, string what)
    {
        string[] fragments = Enumerable.Range(0, key.Length - FragmentLength + 1).Select(i => key.Substring(i, FragmentLength)).ToArray();
        foreach (string text in texts)
        {
            string json = System.Text.RegularExpressions.Regex.Replace(text.Replace("\\/", "/", StringComparison.Ordinal), "\\\\u([0-9a-fA-F]{4})", m => ((char)Convert.ToInt32(m.Groups[1].Value, 16)).ToString(), System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(5));
            foreach (string view in new[] { text, Uri.UnescapeDataString(text), json })
            {
                foreach (string fragment in fragments)
                {
                    Assert.False(view.Contains(fragment, StringComparison.Ordinal), what + " holds '" + fragment + "' of the key: " + text);
                }
            }
        }
    }

    /// <summary>Everything an application could log or show of an exception: ToString and every public property, down the inner chain.</summary>
    private static IEnumerable<string> TextsOf(Exception exception)
    {
        for (Exception? e = exception; e != null; e = e.InnerException)
        {
            yield return e.ToString();
            foreach (PropertyInfo property in e.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (property.GetIndexParameters().Length > 0 || property.Name == nameof(Exception.TargetSite))
                {
                    continue;
                }

                object? value = property.GetValue(e);
                if (value is IDictionary data)
                {
                    foreach (DictionaryEntry entry in data)
                    {
                        yield return entry.Key + "=" + entry.Value;
                    }
                }
                else if (value != null)
                {
                    yield return value.ToString() ?? string.Empty;
                }
            }
        }
    }

    private async Task<List<Exception>> AssertNothingLeaksAsync(string key, string mode, int minimumFailures, params string[] calls)
    {
        _key = key;
        _mode = mode;
        (ServiceProvider provider, CapturingLogs logs) = Services(key);
        await using (provider)
        {
            List<Exception> failures = await FailuresAsync(provider, calls);
            Assert.True(failures.Count >= minimumFailures);
            AssertNoFragment(key, failures.SelectMany(TextsOf), mode + ": an exception");
            string[] lines = logs.Lines.ToArray();
            Assert.Contains(lines, l => l.Contains("System.Net.Http.HttpClient", StringComparison.Ordinal) && l.Contains("Trace", StringComparison.Ordinal));
            AssertNoFragment(key, lines, mode + ": a log line");
            return failures;
        }
    }

    [Theory]
    [MemberData(nameof(Keys))]
    public Task AKeyEchoedInAPlainErrorBodyIsMasked(string key) => AssertNothingLeaksAsync(key, "plain", 3, "fal run", "oxen enqueue", "apiframe generate");

    [Theory]
    [MemberData(nameof(Keys))]
    public Task AKeyEchoedAsJsonWithTheDefaultEncoderIsMasked(string key) => AssertNothingLeaksAsync(key, "json", 3, "fal run", "oxen enqueue", "apiframe generate");

    [Theory]
    [MemberData(nameof(Keys))]
    public async Task AKeyAcrossTheExcerptCutIsMaskedWhole(string key)
    {
        List<Exception> failures = await AssertNothingLeaksAsync(key, "cut", 3, "fal run", "oxen enqueue", "apiframe generate");
        foreach (ProviderApiException e in failures.Cast<ProviderApiException>())
        {
            Assert.DoesNotContain(key.Substring(0, 5), e.ToString(), StringComparison.Ordinal);
            Assert.EndsWith("***!", e.BodyExcerpt, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Keys))]
    public Task AKeyEchoedInTheRequestIdIsMasked(string key) => AssertNothingLeaksAsync(key, "request-id", 3, "fal run", "oxen enqueue", "apiframe generate");

    [Theory]
    [MemberData(nameof(Keys))]
    public Task AKeyInA200OfTheWrongShapeIsMasked(string key) => AssertNothingLeaksAsync(key, "wrong-shape", 3, "fal submit", "oxen enqueue", "apiframe generate");

    [Theory]
    [MemberData(nameof(Keys))]
    public Task AKeyInAFailedJobsReasonIsMasked(string key) => AssertNothingLeaksAsync(key, "failed-job", 1, "oxen enqueue and wait");

    [Theory]
    [MemberData(nameof(Keys))]
    public Task AKeyInARedirectLocationIsMasked(string key) => AssertNothingLeaksAsync(key, "redirect", 3, "fal run", "oxen enqueue", "apiframe generate");

    [Fact]
    public async Task AKeyNoHeaderCanCarryIsRefusedWhenTheClientIsMadeAndNothingIsSent()
    {
        _key = NonAsciiKey;
        _mode = "plain";
        (ServiceProvider provider, CapturingLogs logs) = Services(NonAsciiKey);
        await using (provider)
        {
            var refusals = new List<Exception>
            {
                Assert.Throws<ArgumentException>(() => provider.GetRequiredService<FalFlex.FalFlux2FlexClient>()),
                Assert.Throws<ArgumentException>(() => provider.GetRequiredService<OxenFlex.OxenFlux2FlexClient>()),
                Assert.Throws<ArgumentException>(() => provider.GetRequiredService<ApiframeFlex.ApiframeFlux2FlexClient>()),
            };
            Assert.All(refusals, e => Assert.Contains("position 3 of 28", e.Message, StringComparison.Ordinal));
            AssertNoFragment(NonAsciiKey, refusals.SelectMany(TextsOf).Concat(logs.Lines), "a refusal");
            Assert.Equal(0, Volatile.Read(ref _requests));
        }

        Assert.Equal("ApiKey(***)", new ApiKey(NonAsciiKey).ToString());
    }

    [Theory]
    [InlineData("pR0b+e/S3cr3t+Key/x9Z==")]
    [InlineData(NonAsciiKey)]
    public void EveryEncodingOfTheKeyAndEveryRunOfEightOfItsCharactersIsMasked(string key)
    {
        var apiKey = new ApiKey(key);
        byte[] utf8 = Encoding.UTF8.GetBytes(key);
        string json = JsonSerializer.Serialize(key, LeakJson.Default.String); // the default encoder: \u002B for +, \u00E9 for é
        (string Form, string Expected)[] exact =
        {
            (key, "***"),
            (json, "\"***\""),
            (key.Replace("/", "\\/", StringComparison.Ordinal), "***"),       // \/ as some encoders write it
            (Uri.EscapeDataString(key), "***"),                               // %2B %2F %3D, UTF-8 bytes of é
            (JsonSerializer.Serialize(json, LeakJson.Default.String), "\"\\u0022***\\u0022\""), // JSON inside JSON
            (key.Substring(0, 12), "***"),                                     // a key cut by the server
            (key.Substring(9), "***"),
        };
        foreach ((string form, string expected) in exact)
        {
            Assert.Equal("before " + expected + " after", apiKey.Redact("before " + form + " after"));
        }

        string[] encoded =
        {
            Convert.ToBase64String(utf8),
            Convert.ToBase64String(Encoding.UTF8.GetBytes("user:" + key)),     // HTTP Basic: the key not 3-byte aligned
            Convert.ToBase64String(Encoding.UTF8.GetBytes("ab" + key)).Replace('+', '-').Replace('/', '_'), // URL-safe
        };
        foreach (string form in encoded)
        {
            string redacted = apiKey.Redact("before " + form + " after");
            Assert.StartsWith("before ", redacted, StringComparison.Ordinal);
            Assert.EndsWith(" after", redacted, StringComparison.Ordinal);
            Assert.Contains("***", redacted, StringComparison.Ordinal);
            // what is left of the encoding: the other bytes' characters and at most 2 partial ones at each edge
            int left = redacted.Length - "before ".Length - " after".Length - 3;
            Assert.True(left <= 10, "too much of " + form + " is left: " + redacted);
        }

        Assert.Equal("key is ***", apiKey.Redact("key is " + string.Concat(utf8.Select(b => "%" + b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)))));
        Assert.Equal("Authorization: ***", apiKey.Redact("Authorization: Bearer anything-else"));
        Assert.Equal("{\"authorization\":\"***\",\"n\":1}", apiKey.Redact("{\"authorization\":\"Key whatever\",\"n\":1}"));
        Assert.Equal("no key here: the emulator said 42", apiKey.Redact("no key here: the emulator said 42"));
        Assert.Equal("x *** y", new ApiKey("short").Redact("x short y"));
    }

    [Fact]
    public void EveryEscapeAReaderDecodesIsSeenThrough()
    {
        // a key holding every character JSON escapes by letter and one outside the BMP, and one with URL-reserved ones
        const string jsonKey = "k3y\"q\\b/s\bf\fn\nr\rt\t-\U0001F600-end";
        const string urlKey = "k3y-&<>'\"?#=+/-\U0001F600-0123";
        string json = string.Concat(jsonKey.Select(c => c switch
        {
            '"' => "\\\"",
            '\\' => "\\\\",
            '/' => "\\/",
            '\b' => "\\b",
            '\f' => "\\f",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            _ when char.IsSurrogate(c) => "\\u" + ((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture),
            _ => c.ToString(),
        }));
        string lowerHex = System.Text.RegularExpressions.Regex.Replace(json, "\\\\u([0-9A-F]{4})", m => "\\u" + m.Groups[1].Value.ToLowerInvariant(), System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(5));
        (string Key, string Form)[] cases =
        {
            (jsonKey, json),
            (jsonKey, lowerHex),
            (jsonKey, Uri.EscapeDataString(jsonKey)), // the emoji as 4 UTF-8 bytes
            (urlKey, Uri.EscapeDataString(urlKey)),
            (urlKey, Uri.EscapeDataString(urlKey).ToLowerInvariant()),                // lower-case hex digits
        };
        foreach ((string key, string form) in cases)
        {
            Assert.Equal("[***]", new ApiKey(key).Redact("[" + form + "]"));
        }

        var apiKey = new ApiKey(jsonKey);

        // what only looks like an escape is left as written, and so is text with no key
        const string lookalikes = "100% sure & \\q \\u12G4 \\u00 %ZZ %C3( %E2%82 %F5%80%80%80 &#xZZ; &bogus; &#; &#x; &#1114112; &#xD800; %ED%A0%80 \\uD800x &verylongentityname; \\";
        Assert.Equal(lookalikes, apiKey.Redact(lookalikes));
        Assert.Equal(string.Empty, apiKey.Redact(string.Empty));
    }

    [Fact]
    public void MasksCoverEveryOccurrenceAndOnlyRunsOfEight()
    {
        const string key = "abcdefgh12345678";
        var apiKey = new ApiKey(key);
        Assert.Equal("*** and ***", apiKey.Redact(key + " and " + key));
        Assert.Equal("x***y", apiKey.Redact("x" + key.Substring(3, 8) + "y"));             // a run of exactly 8
        Assert.Equal("x" + key.Substring(3, 7) + "y", apiKey.Redact("x" + key.Substring(3, 7) + "y")); // 7 is not a leak
        Assert.Equal("***", apiKey.Redact(key.Substring(0, 9) + key.Substring(7)));       // overlapping runs make one mask
        Assert.Equal("abcdefg-2345678", apiKey.Redact("abcdefg-2345678"));                // no 8 in a row of the key
        var shortKey = new ApiKey("s3cr3t");
        Assert.Equal("*** s3cr3 ***", shortKey.Redact("s3cr3t s3cr3 s3cr3t"));             // shorter than 8: only whole
        Assert.Equal("Proxy-Authorization: ***\nnext", apiKey.Redact("Proxy-Authorization: Basic Zm9vOmJhcg==\nnext"));
        Assert.Equal("?authorization=***&page=2", apiKey.Redact("?authorization=Bearer%20token&page=2"));
        Assert.Equal("'Authorization': '***', 'n': 1", apiKey.Redact("'Authorization': 'Key abc', 'n': 1"));
        Assert.Equal("<authorization>x</authorization>", apiKey.Redact("<authorization>x</authorization>")); // no separator: not a header
        Assert.Equal("Authorization: ", apiKey.Redact("Authorization: "));
        Assert.Equal("authorization:***;x", apiKey.Redact("authorization:abc;x"));
        Assert.Equal("[authorization: ***]", apiKey.Redact("[authorization: abc]"));
        Assert.Equal("Authorization: ***\nAuthorization: ***", apiKey.Redact("Authorization: Key a\nAuthorization: Key b"));
        Assert.Equal("Authorization := ***", apiKey.Redact("Authorization := secret"));
        Assert.Equal("x *** y", new ApiKey("abcdef").Redact("x " + Convert.ToBase64String(Encoding.UTF8.GetBytes("abcdef")) + " y")); // a Base64 form of exactly 8
    }

    [Fact]
    public void AKeyOfExactlyEightCharactersIsMaskedWherePartOfItIsEncoded()
    {
        // Eight is where masking by runs starts: such a key is one run, found raw and through an escape.
        var eight = new ApiKey("k3y+8chr");
        Assert.Equal("x *** y", eight.Redact("x k3y+8chr y"));
        Assert.Equal("{\"echo\":\"***\"}", eight.Redact("{\"echo\":\"k3y\\u002B8chr\"}"));
        Assert.Equal("k3y+8ch", eight.Redact("k3y+8ch"));
    }

    [Fact]
    public void AnEscapeIsDecodedEvenAsTheTextsFirstCharacterAndOnlyWhenItIsOne()
    {
        const string key = "probe-secret-0123456789abcdef";
        var apiKey = new ApiKey(key);

        // The key's first character escaped at the very start of the text: the mask covers the escape too.
        Assert.Equal("***", apiKey.Redact("%70" + key.Substring(1)));
        Assert.Equal("***", apiKey.Redact("\\u0070" + key.Substring(1)));

        // '%' or '\' before something that is not hex is no escape: "%zz" is not the letter 's' (nor any other).
        var sKey = new ApiKey("sabcdefg");
        Assert.Equal("%zzabcdefg", sKey.Redact("%zzabcdefg"));
        Assert.Equal("%ZZabcdefg", sKey.Redact("%ZZabcdefg"));
        Assert.Equal("***", sKey.Redact("%73abcdefg"));

        // An escape that ends the text is decoded; one cut short by the end is left as it is.
        Assert.Equal("x***", apiKey.Redact("x" + key.Substring(0, key.Length - 1) + "\\u0066"));
        Assert.Equal("x\\u12", apiKey.Redact("x\\u12"));
        Assert.Equal("\\u", apiKey.Redact("\\u"));

        // Hex means all its digits: "%2z" is not '!', "\u41zz" is not 'A'.
        Assert.Equal("ab%2zcdefgh", new ApiKey("ab!cdefgh").Redact("ab%2zcdefgh"));
        Assert.Equal("***", new ApiKey("ab!cdefgh").Redact("ab%21cdefgh"));
        Assert.Equal("\\u41zzbcdefgh", new ApiKey("Abcdefgh").Redact("\\u41zzbcdefgh"));
        Assert.Equal("***", new ApiKey("Abcdefgh").Redact("\\u0041bcdefgh"));
    }

    [Fact]
    public void AShortKeysBase64IsNotMaskedInPiecesUnderEight()
    {
        // A 5-character key is masked whole only; a 6-character run of its Base64 is no leak and would hit ordinary text.
        var apiKey = new ApiKey("short");
        string piece = Convert.ToBase64String(Encoding.UTF8.GetBytes("\0short")).Substring(2, 6);
        Assert.Equal("x " + piece + " y", apiKey.Redact("x " + piece + " y"));
        Assert.Equal("x *** y", apiKey.Redact("x short y"));
    }

    [Fact]
    public void APercentRunIsOneSpanWhateverItsBytesAndAnEmptyHeaderValueMasksNothing()
    {
        const string key = "probe-secret-0123456789abcdef";
        var apiKey = new ApiKey(key);

        // %00 is a byte like any other: its run is decoded, and a run that holds part of the key is masked whole
        Assert.Equal("a%00b", apiKey.Redact("a%00b"));
        Assert.Equal("x***", apiKey.Redact("x%00%70" + key.Substring(1)));

        // a header name whose separator and terminator come from one percent run has an empty value: nothing to mask
        Assert.Equal("Authorization%3A%2Cy", apiKey.Redact("Authorization%3A%2Cy"));
    }

    [Fact]
    public void DecodingGoesTwoLevelsDeepAsDocumentedAndNoFurther()
    {
        // Each level is a pass over the whole text, so the depth is bounded: a hostile echo costs three passes at
        // most. Two levels cover a key a server JSON-escaped inside a URL-encoded field, or URL-encoded twice.
        const string key = "probe-secret-0123456789abcdef";
        var apiKey = new ApiKey(key);
        string once = string.Concat(key.Select(c => "%" + ((int)c).ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));
        string twice = once.Replace("%", "%25", StringComparison.Ordinal);
        string thrice = twice.Replace("%", "%25", StringComparison.Ordinal);

        Assert.Equal("k=***", apiKey.Redact("k=" + once));
        Assert.Equal("k=***", apiKey.Redact("k=" + twice));
        Assert.Equal("k=" + thrice, apiKey.Redact("k=" + thrice));
    }

}

[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, string>))]
[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class LeakJson : System.Text.Json.Serialization.JsonSerializerContext
{
}

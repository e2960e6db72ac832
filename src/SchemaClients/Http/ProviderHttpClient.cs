using System;
using System.Buffers;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Timeout;

namespace SchemaClients.Http
{
    /// <summary>Per-call settings of <see cref="ProviderHttpClient"/>.</summary>
    /// <param name="Retry">How the call may be repeated; null takes the method's own (<see cref="RetryPolicy.ModeOf"/>).</param>
    /// <param name="IdempotencyKey">
    /// Sent as <c>Idempotency-Key</c> on every attempt of this call, for providers that honour it (apiframe). A call
    /// with a key the provider honours may be repeated, so it is <see cref="RetryMode.Repeatable"/> unless
    /// <paramref name="Retry"/> says otherwise.
    /// </param>
    public readonly record struct CallOptions(RetryMode? Retry = null, string? IdempotencyKey = null)
    {
        internal RetryMode ModeFor(HttpMethod method) => Retry ?? (IdempotencyKey != null ? RetryMode.Repeatable : RetryPolicy.ModeOf(method));
    }

    /// <summary>A provider's answer as read, for calls whose error statuses are answers too (fal's cancel).</summary>
    public sealed class ProviderAnswer
    {
        private readonly ProviderHttpClient _owner;
        private readonly string? _requestId;

        internal ProviderAnswer(string provider, HttpStatusCode statusCode, string? requestId, JsonElement json, int attempts, ProviderHttpClient owner)
        {
            Provider = provider;
            StatusCode = statusCode;
            _requestId = requestId;
            Json = json;
            Attempts = attempts;
            _owner = owner;
        }

        /// <summary>The provider.</summary>
        public string Provider { get; }

        /// <summary>The HTTP status.</summary>
        public HttpStatusCode StatusCode { get; }

        /// <summary>The provider's request id, if it sent one (the key masked, should the provider have echoed it there).</summary>
        public string? RequestId => _requestId == null ? null : _owner.Redact(_requestId);

        /// <summary>The body as JSON; <see cref="JsonValueKind.Undefined"/> when it was empty or not JSON.</summary>
        public JsonElement Json { get; }

        /// <summary>How many attempts were made.</summary>
        public int Attempts { get; }

        /// <summary>An exception saying the answer does not have the shape the protocol needs; the key is redacted from it.</summary>
        /// <param name="what">What was missing, for example <c>no request_id</c>.</param>
        public ProviderApiException Unexpected(string what)
            => _owner.Failure(StatusCode, _requestId, "the answer has " + what + ": " + (Json.ValueKind == JsonValueKind.Undefined ? "(no JSON body)" : Json.GetRawText()), Attempts);
    }

    /// <summary>
    /// The transport generated clients call: JSON over HTTP with the provider's auth, retries and timeouts,
    /// and errors as <see cref="ProviderApiException"/>. Serialization goes through source-generated
    /// metadata only (trimming and AOT safe). What is retried depends on each call's <see cref="RetryMode"/>:
    /// a billed call is never sent again once it may have reached the provider. Redirects the handler leaves to it are
    /// followed here, with the key only to the origin it was sent to; every text that leaves it (exceptions, logs) has
    /// the key masked first (<see cref="ApiKey.Redact"/>).
    /// </summary>
    public sealed class ProviderHttpClient
    {
        /// <summary>How many characters of an error body an exception keeps.</summary>
        public const int ExcerptLength = 500;

        private const string AcceptJson = "application/json";
        private const string AcceptEvents = "text/event-stream";
        private static readonly string[] RequestIdHeaders = { "x-request-id", "x-fal-request-id", "request-id" };

        private readonly HttpClient _http;
        private readonly string _provider;
        private readonly ProviderAuth _auth;
        private readonly ApiKey _key;
        private readonly Redactor _redactor;
        private readonly string _authValue;
        private TargetCache? _lastTarget;
        private readonly RetryOptions _retry;
        private readonly ConcurrentQueue<CancellationTokenSource> _timeouts = new();
        private int _pooledTimeouts;
        private readonly ILogger _logger;

        private static readonly Action<ILogger, string, string, string, int, long, int, Exception?> LogAnswer =
            LoggerMessage.Define<string, string, string, int, long, int>(LogLevel.Debug, new EventId(1, "Answer"), "{Provider} {Method} {Url} answered {Status} in {Milliseconds} ms (attempt {Attempt})");

        private static readonly Action<ILogger, string, string, string, int, int, Exception?> LogTransient =
            LoggerMessage.Define<string, string, string, int, int>(LogLevel.Warning, new EventId(2, "Transient"), "{Provider} {Method} {Url} answered {Status} on attempt {Attempt}");

        private static readonly Action<ILogger, string, string, string, int, string, Exception?> LogFailure =
            LoggerMessage.Define<string, string, string, int, string>(LogLevel.Warning, new EventId(3, "Failure"), "{Provider} {Method} {Url} failed on attempt {Attempt}: {Reason}");

        private static readonly Action<ILogger, string, string, string, long, int, Exception?> LogRetry =
            LoggerMessage.Define<string, string, string, long, int>(LogLevel.Information, new EventId(4, "Retry"), "{Provider} {Method} {Url}: trying again in {Milliseconds} ms (attempt {Attempt} next)");

        private static readonly Action<ILogger, string, string, string, string, Exception?> LogNotRetried =
            LoggerMessage.Define<string, string, string, string>(LogLevel.Warning, new EventId(5, "NotRetried"), "{Provider} {Method} {Url} was not sent again: {Reason}");

        /// <summary>Creates the transport.</summary>
        /// <param name="http">The HttpClient (from IHttpClientFactory in apps). Paths given to the methods are absolute URLs or relative to its BaseAddress.</param>
        /// <param name="provider">The provider name used in errors and logs.</param>
        /// <param name="auth">How the provider wants its key.</param>
        /// <param name="key">The key.</param>
        /// <param name="retry">Retry options; defaults when null.</param>
        /// <param name="logger">Where each attempt is logged (Debug), each retry (Information) and each failure (Warning); the key is never logged.</param>
        /// <exception cref="ArgumentOutOfRangeException">A retry option is out of range.</exception>
        /// <exception cref="ArgumentException">The key has a character an HTTP header cannot carry (a space, a control character, a non-ASCII letter).</exception>
        public ProviderHttpClient(HttpClient http, string provider, ProviderAuth auth, ApiKey key, RetryOptions? retry = null, ILogger? logger = null)
        {
            _http = http ?? throw new ArgumentNullException(nameof(http));
            _provider = provider;
            _auth = auth;
            _key = key ?? throw new ArgumentNullException(nameof(key));
            ArgumentNullException.ThrowIfNull(auth);
            string revealed = key.Reveal();
            for (int i = 0; i < revealed.Length; i++)
            {
                if (revealed[i] is < (char)0x21 or > (char)0x7E)
                {
                    // Caught here, not by the handler at send time, so nothing is sent and no billed call is left in doubt.
                    throw new ArgumentException(
                        "The " + provider + " API key has a character an HTTP header cannot carry at position " + (i + 1) + " of " + revealed.Length
                        + " (only printable ASCII is allowed). Check that the key was copied whole and without spaces or quotes.",
                        nameof(key));
                }
            }

            _redactor = new Redactor(revealed, auth.Header);
            _authValue = auth.ValueFor(key);
            _retry = retry ?? new RetryOptions();
            _logger = logger ?? NullLogger.Instance;
            _retry.Validate();
        }

        /// <summary>The provider name used in errors and logs.</summary>
        public string Provider => _provider;

        /// <summary>The retry options in use.</summary>
        public RetryOptions Retry => _retry;

        /// <summary>Sends raw JSON bytes (or nothing) and reads a typed JSON answer; retried as the method allows.</summary>
        public Task<TResponse> SendBytesAsync<TResponse>(HttpMethod method, string path, byte[]? body, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken = default)
            => SendBytesAsync(method, path, body, responseType, default, cancellationToken);

        /// <summary>Sends raw JSON bytes (or nothing) and reads a typed JSON answer, with per-call settings.</summary>
        public async Task<TResponse> SendBytesAsync<TResponse>(HttpMethod method, string path, byte[]? body, JsonTypeInfo<TResponse> responseType, CallOptions call, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(responseType);
            (HttpResponseMessage response, int attempts) = await SendWithRetriesAsync(method, path, body, call, AcceptJson, null, true, null, cancellationToken).ConfigureAwait(false);
            using HttpResponseMessage disposeResponse = response;
            // Stryker disable once Boolean : no caller's context is left to capture: this method has already suspended at an earlier await
            Stream stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            // Stryker disable once Boolean : no caller's context is left to capture: this method has already suspended at an earlier await
            await using ConfiguredAsyncDisposable disposeStream = stream.ConfigureAwait(false);
            try
            {
                // Stryker disable once Boolean : no caller's context is left to capture: this method has already suspended at an earlier await
                return await JsonSerializer.DeserializeAsync(stream, responseType, cancellationToken).ConfigureAwait(false)
                    ?? throw new JsonException("The answer was JSON null.");
            }
            catch (JsonException e)
            {
                throw Failure(response.StatusCode, RequestId(response), "the answer is not the expected JSON: " + e.Message, attempts);
            }
        }

        /// <summary>Sends raw JSON bytes (or nothing) and reads the answer with a generated converter.</summary>
        public async Task<TResponse> SendBytesAsync<TResponse>(HttpMethod method, string path, byte[]? body, Serialization.SchemaConverter<TResponse> converter, CallOptions call, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(converter);
            (HttpResponseMessage response, int attempts) = await SendWithRetriesAsync(method, path, body, call, AcceptJson, null, true, null, cancellationToken).ConfigureAwait(false);
            using HttpResponseMessage disposeResponse = response;

            // Read into a pooled buffer: the answer is parsed from it and the buffer goes back, so no array per call.
            long? length = response.Content.Headers.ContentLength;
            // Stryker disable once Equality,Logical : the first buffer's size only: it grows as needed, and answers of 1 B to 3 MB are read whole with or without a length
            byte[] buffer = ArrayPool<byte>.Shared.Rent(length is > 0 and < MaxPooledAnswer ? (int)length.Value + 1 : 4096);
            try
            {
                int total = 0;
                // Stryker disable once Boolean : no caller's context is left to capture: this method has already suspended at an earlier await
                Stream stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                // Stryker disable once Boolean : no caller's context is left to capture: this method has already suspended at an earlier await
                await using (stream.ConfigureAwait(false))
                {
                    while (true)
                    {
                        if (total == buffer.Length)
                        {
                            byte[] larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                            buffer.AsSpan(0, total).CopyTo(larger);
                            // Stryker disable once Statement : a release of resources only: nothing a caller can see changes
                            ArrayPool<byte>.Shared.Return(buffer);
                            buffer = larger;
                        }

                        // Stryker disable once Boolean : no caller's context is left to capture: this method has already suspended at an earlier await
                        int read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false);
                        if (read == 0)
                        {
                            break;
                        }

                        total += read;
                    }
                }

                return converter.FromUtf8Bytes(buffer.AsSpan(0, total));
            }
            catch (JsonException e)
            {
                throw Failure(response.StatusCode, RequestId(response), "the answer is not the expected JSON: " + e.Message, attempts);
            }
            finally
            {
                // Stryker disable once Statement : a release of resources only: nothing a caller can see changes
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        /// <summary>Answers up to this size are read into a buffer of their size at once; larger or unsized ones grow from 4 KB.</summary>
        private const int MaxPooledAnswer = 1 << 20;

        /// <summary>Sends a JSON body and reads a JSON answer.</summary>
        public Task<TResponse> SendAsync<TRequest, TResponse>(HttpMethod method, string path, TRequest body, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken = default)
            => SendBytesAsync(method, path, JsonSerializer.SerializeToUtf8Bytes(body, requestType), responseType, cancellationToken);

        /// <summary>Sends a request without a body (GET, PUT to cancel) and reads a JSON answer.</summary>
        public Task<TResponse> GetAsync<TResponse>(HttpMethod method, string path, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken = default)
            => SendBytesAsync(method, path, null, responseType, cancellationToken);

        /// <summary>Sends raw JSON bytes (or nothing) and returns the answer as a detached JSON value, for bodies a provider does not document.</summary>
        public Task<JsonElement> SendJsonAsync(HttpMethod method, string path, byte[]? body, CancellationToken cancellationToken = default)
            => SendJsonAsync(method, path, body, default, cancellationToken);

        /// <summary>Sends raw JSON bytes (or nothing) and returns the answer as a detached JSON value, with per-call settings.</summary>
        public Task<JsonElement> SendJsonAsync(HttpMethod method, string path, byte[]? body, CallOptions call, CancellationToken cancellationToken)
            => SendBytesAsync(method, path, body, Serialization.SchemaClientsRuntimeJsonContext.Default.JsonElement, call, cancellationToken);

        /// <summary>
        /// Sends a request and returns the answer whether it succeeded or not, when its status is 2xx or one that
        /// <paramref name="accept"/> takes (for protocols whose 4xx answers are outcomes, not failures). Other
        /// statuses throw <see cref="ProviderApiException"/> as usual.
        /// </summary>
        public async Task<ProviderAnswer> SendForAnswerAsync(HttpMethod method, string path, byte[]? body, CallOptions call, Func<HttpStatusCode, bool>? accept, CancellationToken cancellationToken)
        {
            (HttpResponseMessage response, int attempts) = await SendWithRetriesAsync(method, path, body, call, AcceptJson, null, true, accept, cancellationToken).ConfigureAwait(false);
            using HttpResponseMessage disposeResponse = response;
            // Stryker disable once Boolean : no caller's context is left to capture: this method has already suspended at an earlier await
            byte[] bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            JsonElement json = default;
            if (bytes.Length > 0)
            {
                try
                {
                    using JsonDocument document = JsonDocument.Parse(bytes);
                    json = document.RootElement.Clone();
                }
                catch (JsonException)
                {
                    // not JSON: the caller sees Undefined and decides by the status
                }
            }

            return new ProviderAnswer(_provider, response.StatusCode, RequestId(response), json, attempts, this);
        }

        /// <summary>
        /// Opens a server-sent event stream (connecting is retried like any GET) and returns once the server has
        /// answered, so a caller can look at the state of things knowing no later event will be missed.
        /// </summary>
        public async Task<EventStream> OpenEventStreamAsync(string path, CancellationToken cancellationToken = default)
        {
            HttpResponseBody first = await ConnectEventsAsync(path, null, cancellationToken).ConfigureAwait(false);
            return new EventStream(_provider, first, (lastId, token) => ConnectEventsAsync(path, lastId, token), _retry);
        }

        /// <summary>Opens a server-sent event stream and yields its events, reconnecting as <see cref="EventStream"/> describes.</summary>
        public async IAsyncEnumerable<ServerSentEvent> StreamEventsAsync(string path, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            EventStream stream = await OpenEventStreamAsync(path, cancellationToken).ConfigureAwait(false);
            // Stryker disable once Boolean : EventStream.DisposeAsync completes at once (it returns default): there is no continuation to post anywhere
            await using ConfiguredAsyncDisposable disposeStream = stream.ConfigureAwait(false);
            await foreach (ServerSentEvent item in stream.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return item;
            }
        }

        private async Task<HttpResponseBody> ConnectEventsAsync(string path, string? lastEventId, CancellationToken cancellationToken)
        {
            KeyValuePair<string, string>[]? headers = lastEventId != null ? new[] { new KeyValuePair<string, string>("Last-Event-ID", lastEventId) } : null;
            (HttpResponseMessage response, _) = await SendWithRetriesAsync(HttpMethod.Get, path, null, new CallOptions(RetryMode.Repeatable), AcceptEvents, headers, true, null, cancellationToken).ConfigureAwait(false);
            try
            {
                // Stryker disable once Boolean : no caller's context is left to capture: this method has already suspended at an earlier await
                Stream stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                return new HttpResponseBody(response, stream);
            }
            catch
            {
                response.Dispose();
                throw;
            }
        }

        /// <summary>Downloads a result file (an absolute URL from the provider, usually signed, so no key is sent) into a stream.</summary>
        public async Task<long> DownloadAsync(Uri url, Stream destination, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(url);
            ArgumentNullException.ThrowIfNull(destination);
            (HttpResponseMessage response, _) = await SendWithRetriesAsync(HttpMethod.Get, url.ToString(), null, new CallOptions(RetryMode.Repeatable), null, null, false, null, cancellationToken).ConfigureAwait(false);
            using HttpResponseMessage disposeResponse = response;
            // Stryker disable once Boolean : no caller's context is left to capture: this method has already suspended at an earlier await
            Stream source = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            // Stryker disable once Boolean : no caller's context is left to capture: this method has already suspended at an earlier await
            await using ConfiguredAsyncDisposable disposeSource = source.ConfigureAwait(false);
            long before = destination.CanSeek ? destination.Position : 0;
            // Stryker disable once Boolean : no caller's context is left to capture: this method has already suspended at an earlier await
            await source.CopyToAsync(destination, cancellationToken).ConfigureAwait(false);
            return destination.CanSeek ? destination.Position - before : -1;
        }

        /// <summary>
        /// Uploads a file's bytes with <c>PUT</c> to a URL a provider gave for it (fal's signed <c>upload_url</c>). No key is
        /// sent: such URLs are signed and usually on another host. An upload is not billed, so it is retried like a GET.
        /// </summary>
        /// <exception cref="ProviderApiException">The upload was refused.</exception>
        public async Task PutFileAsync(Uri url, byte[] content, string contentType, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(url);
            ArgumentNullException.ThrowIfNull(content);
            ArgumentException.ThrowIfNullOrEmpty(contentType);
            (HttpResponseMessage response, _) = await SendWithRetriesAsync(HttpMethod.Put, url.ToString(), content, new CallOptions(RetryMode.Repeatable), null, null, false, null, cancellationToken, contentType).ConfigureAwait(false);
            response.Dispose();
        }

        /// <summary>
        /// Masks the key in a text before it leaves the runtime: raw, JSON- and URL-escaped, Base64-encoded, any
        /// run of 8 or more of its characters, and the value of an echoed auth header (see <see cref="Redactor"/>).
        /// Every exception message, exception property and log argument that may hold text from outside goes through it.
        /// </summary>
        internal string Redact(string text) => _redactor.Redact(text);

        /// <summary>The provider's error as an exception: every text redacted first, then cut to <see cref="ExcerptLength"/>.</summary>
        internal ProviderApiException Failure(HttpStatusCode status, string? requestId, string body, int attempts)
            => new(_provider, status, requestId == null ? null : Excerpt(Redact(requestId), 200), Excerpt(Redact(body), ExcerptLength), attempts);

        /// <summary>A queued job that ended without a result, with the provider's id, status and reason redacted.</summary>
        internal Clients.QueueJobFailedException JobFailed(string jobId, string status, string? reason)
            => new(_provider, Excerpt(Redact(jobId), 200), Excerpt(Redact(status), 200), reason == null ? null : Excerpt(Redact(reason), ExcerptLength));

        /// <summary>The start of an already redacted text: at most <paramref name="length"/> characters.</summary>
        private static string Excerpt(string text, int length) => text.Length > length ? text.Substring(0, length) + "..." : text;

        /// <summary>What one call carries through its attempts.</summary>
        private sealed class CallState
        {
            public CallState(ProviderHttpClient owner, HttpMethod method, string path, byte[]? payload, CallOptions call, string? accept, IReadOnlyList<KeyValuePair<string, string>>? headers, bool authenticate)
            {
                Owner = owner;
                Method = method;
                Path = path;
                Payload = payload;
                Call = call;
                Mode = call.ModeFor(method);
                Accept = accept;
                Headers = headers;
                Authenticate = authenticate;
            }

            public ProviderHttpClient Owner { get; }

            public HttpMethod Method { get; }

            public string Path { get; }

            public byte[]? Payload { get; }

            public CallOptions Call { get; }

            public RetryMode Mode { get; }

            public string? Accept { get; }

            public IReadOnlyList<KeyValuePair<string, string>>? Headers { get; }

            public bool Authenticate { get; }

            public int Attempts { get; set; }

            /// <summary>The body's content type when it is not JSON (an uploaded file).</summary>
            public string? ContentType { get; init; }

            /// <summary>The URL as logs and messages show it (no query string, key masked); worked out once, when first needed.</summary>
            // Stryker disable once Assignment : a cache: without it the same value is worked out again
            public string LogUrl => _logUrl ??= Owner.LogUrl(Path);

            private string? _logUrl;
        }

        private async Task<(HttpResponseMessage Response, int Attempts)> SendWithRetriesAsync(
            HttpMethod method,
            string path,
            byte[]? payload,
            CallOptions call,
            string? accept,
            IReadOnlyList<KeyValuePair<string, string>>? headers,
            bool authenticate,
            Func<HttpStatusCode, bool>? acceptStatus,
            CancellationToken cancellationToken,
            string? contentType = null)
        {
            // The retry loop of RetryPolicy, run in place: no pipeline, context or closure per call.
            var state = new CallState(this, method, path, payload, call, accept, headers, authenticate) { ContentType = contentType };
            Outcome<HttpResponseMessage> outcome;
            for (int retry = 0; ; retry++)
            {
                outcome = await AttemptAsync(state, cancellationToken).ConfigureAwait(false);
                if (retry >= _retry.MaxRetries || !RetryPolicy.ShouldRetry(outcome, state.Mode, _retry))
                {
                    break;
                }

                TimeSpan delay = RetryPolicy.DelayFor(retry, outcome, _retry);
                if (_logger.IsEnabled(LogLevel.Information))
                {
                    LogRetry(_logger, _provider, method.Method, state.LogUrl, (long)delay.TotalMilliseconds, retry + 2, null);
                }

                outcome.Result?.Dispose(); // the failed response is not read again
                // Stryker disable once Boolean : no caller's context is left to capture: this method has already suspended at an earlier await
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }

            bool billed = state.Mode == RetryMode.BilledCall && !_retry.RetryBilledCalls;
            switch (outcome.Exception)
            {
                case null:
                    break;
                case HttpRequestException e:
                    bool mayHaveArrived = billed && !RetryPolicy.NothingWasSent(e);
                    if (mayHaveArrived)
                    {
                        LogNotRetried(_logger, _provider, method.Method, state.LogUrl, "the connection failed after the request was sent, and it may have started a billed job", null);
                    }

                    string message = mayHaveArrived
                        ? _provider + " " + method.Method + " " + state.LogUrl + " failed after the request was sent (" + e.Message + "). It was not sent again: it may have reached "
                            + _provider + " and started a billed job. Check the provider before sending it again."
                        : _provider + " could not be reached after " + Plural(state.Attempts) + ": " + e.Message;
                    throw new HttpRequestException(e.HttpRequestError, Redact(message), null, e.StatusCode);
                case TimeoutRejectedException e:
                    if (billed)
                    {
                        LogNotRetried(_logger, _provider, method.Method, state.LogUrl, "it timed out after it was sent, and it may have started a billed job", null);
                    }

                    throw new TimeoutException(
                        Redact(billed
                            ? _provider + " did not answer " + method.Method + " " + state.LogUrl + " within " + _retry.AttemptTimeout + ". It was not sent again: it may have reached "
                                + _provider + " and started a billed job. Check the provider before sending it again."
                            : _provider + " did not answer in time on any of " + Plural(state.Attempts) + "."),
                        e);
                default:
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(outcome.Exception).Throw();
                    break;
            }

            HttpResponseMessage response = outcome.Result!;
            if (!response.IsSuccessStatusCode && (acceptStatus == null || !acceptStatus(response.StatusCode)))
            {
                using (response)
                {
                    if (billed && RetryPolicy.IsTransient(response.StatusCode) && (int)response.StatusCode != 429)
                    {
                        LogNotRetried(_logger, _provider, method.Method, state.LogUrl, "it answered " + (int)response.StatusCode + " and the request may have started a billed job", null);
                    }

                    // Stryker disable once Boolean : no caller's context is left to capture: this method has already suspended at an earlier await
                    string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                    throw Failure(response.StatusCode, RequestId(response), body, state.Attempts);
                }
            }

            return (response, state.Attempts);
        }

        private static string Plural(int attempts) => attempts == 1 ? "1 attempt" : attempts + " attempts";

        private CancellationTokenSource RentTimeout()
        {
            if (_timeouts.TryDequeue(out CancellationTokenSource? pooled))
            {
                // Stryker disable once Statement : the timeout pool's count only: a miscount pools fewer or more sources, never a used one
                Interlocked.Decrement(ref _pooledTimeouts);
                return pooled;
            }

            return new CancellationTokenSource();
        }

        private void ReturnTimeout(CancellationTokenSource timeout)
        {
            // Stryker disable once Equality : the timeout pool's size only: a reset source is pooled or disposed, either is correct
            if (timeout.TryReset() && Interlocked.Increment(ref _pooledTimeouts) <= 64)
            {
                // Stryker disable once Statement : without it nothing is pooled: each attempt makes a source of its own
                _timeouts.Enqueue(timeout);
                return;
            }

            // Stryker disable once Statement : a release of resources only: nothing a caller can see changes
            timeout.Dispose();
        }

        /// <summary>One attempt under its own timeout (<see cref="RetryOptions.AttemptTimeout"/>), linked to the caller's token.</summary>
        private async ValueTask<Outcome<HttpResponseMessage>> AttemptAsync(CallState state, CancellationToken callerToken)
        {
            int attempt = ++state.Attempts;
            HttpRequestMessage request = BuildRequest(state, Target(state.Path), state.Method, withBody: true, state.Authenticate);
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            HttpResponseMessage answer;
            CancellationTokenSource timeout = RentTimeout();
            timeout.CancelAfter(_retry.AttemptTimeout);
            // a token that cannot be cancelled registers nothing and hands back an empty registration
            CancellationTokenRegistration link = callerToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), timeout);
            try
            {
                answer = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);

                // Redirects the handler left to us (the DI registrations switch its own off): followed here, so the
                // key goes only to the origin it was sent to.
                for (int hop = 0; hop < MaxRedirects && Redirect(state, request, answer) is { } next; hop++)
                {
                    answer.Dispose();
                    // Stryker disable once Statement : a release of resources only: nothing a caller can see changes
                    request.Dispose();
                    request = next;
                    // Stryker disable once Boolean : no caller's context is left to capture: this method has already suspended at an earlier await
                    answer = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
                }
            }
            catch (Exception e)
            {
                // every failure travels as an outcome, as the retry decision (RetryPolicy.ShouldRetry) reads it
                bool timedOut = e is OperationCanceledException && !callerToken.IsCancellationRequested && timeout.IsCancellationRequested;
                if ((e is HttpRequestException || timedOut) && _logger.IsEnabled(LogLevel.Warning))
                {
                    LogFailure(_logger, _provider, state.Method.Method, state.LogUrl, attempt, Redact(e.Message), null);
                }

                return Outcome.FromException<HttpResponseMessage>(
                    timedOut ? new TimeoutRejectedException("The attempt did not complete within " + _retry.AttemptTimeout + ".", _retry.AttemptTimeout) : e);
            }
            finally
            {
                link.Dispose();
                // Stryker disable once Statement : without it nothing is pooled: each attempt makes a source of its own
                ReturnTimeout(timeout);
                // Stryker disable once Statement : a release of resources only: nothing a caller can see changes
                request.Dispose();
            }

            if (RetryPolicy.IsTransient(answer.StatusCode))
            {
                if (_logger.IsEnabled(LogLevel.Warning))
                {
                    LogTransient(_logger, _provider, state.Method.Method, state.LogUrl, (int)answer.StatusCode, attempt, null);
                }
            }
            else if (_logger.IsEnabled(LogLevel.Debug))
            {
                LogAnswer(_logger, _provider, state.Method.Method, state.LogUrl, (int)answer.StatusCode, (long)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds, attempt, null);
            }

            return Outcome.FromResult(answer);
        }

        /// <summary>How many redirects one attempt follows, as HttpClient's own default.</summary>
        private const int MaxRedirects = 50;

        /// <summary>
        /// The request a redirect answer asks for, or null when the answer is not one to follow: 301, 302, 303, 307 or
        /// 308 with a Location on http(s), never from https down to http. 303, and 301/302 after a POST, become a GET
        /// without a body (as browsers and HttpClient do); 307 and 308 repeat the method and body. The key goes along
        /// only when the new URL has the same scheme, host and port as the one it was sent to.
        /// </summary>
        private HttpRequestMessage? Redirect(CallState state, HttpRequestMessage sent, HttpResponseMessage answer)
        {
            int status = (int)answer.StatusCode;
            if (status is not (301 or 302 or 303 or 307 or 308) || answer.Headers.Location is not { } location)
            {
                return null;
            }

            // The URL that answered: a handler that followed redirects itself rewrote the sent request's URI to its last hop
            // (answer.RequestMessage, when a handler sets it, is that same request).
            Uri? from = sent.RequestUri;
            // Stryker disable once Logical : a sent request's URI is never null and always absolute, so neither form returns null
            if (from == null || !from.IsAbsoluteUri)
            {
                return null;
            }

            Uri to = new Uri(from, location); // an absolute location is itself, a relative one is resolved against the request's URL
            if ((to.Scheme != Uri.UriSchemeHttps && to.Scheme != Uri.UriSchemeHttp) || (from.Scheme == Uri.UriSchemeHttps && to.Scheme == Uri.UriSchemeHttp))
            {
                return null;
            }

            // A URL that holds the key is never requested: handlers and proxies log URLs. The redirect stays the answer.
            string target = to.OriginalString;
            if (!string.Equals(Redact(target), target, StringComparison.Ordinal))
            {
                return null;
            }

            bool keep = status is 307 or 308 || (status != 303 && sent.Method != HttpMethod.Post);
            bool authenticate = SameOrigin(from, to) && sent.Headers.Contains(_auth.Header);
            return BuildRequest(state, to, keep ? sent.Method : HttpMethod.Get, keep, authenticate);
        }

        /// <summary>Whether two absolute URLs have the same scheme, host and port: the only place the key may go.</summary>
        internal static bool SameOrigin(Uri a, Uri b)
            => string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase) && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase) && a.Port == b.Port;

        private HttpRequestMessage BuildRequest(CallState state, Uri target, HttpMethod method, bool withBody, bool authenticate)
        {
            var request = new HttpRequestMessage(method, target);

            // Raw values: nothing to parse or allocate per attempt (both are fixed, valid header values).
            if (state.Accept != null)
            {
                request.Headers.TryAddWithoutValidation("Accept", state.Accept);
            }

            if (authenticate)
            {
                request.Headers.TryAddWithoutValidation(_auth.Header, _authValue);
            }

            if (state.Call.IdempotencyKey != null)
            {
                request.Headers.TryAddWithoutValidation("Idempotency-Key", state.Call.IdempotencyKey);
            }

            if (state.Headers != null)
            {
                foreach (KeyValuePair<string, string> header in state.Headers)
                {
                    request.Headers.TryAddWithoutValidation(header.Key, header.Value);
                }
            }

            if (withBody && state.Payload != null)
            {
                request.Content = new ByteArrayContent(state.Payload);
                request.Content.Headers.ContentType = new MediaTypeHeaderValue(state.ContentType ?? "application/json");
            }

            return request;
        }

        /// <summary>The request URI of a path; the last one is kept, so a client that calls one endpoint parses its URL once.</summary>
        private Uri Target(string path)
        {
            TargetCache? last = Volatile.Read(ref _lastTarget);
            if (last != null && string.Equals(last.Path, path, StringComparison.Ordinal))
            // Stryker disable once Block : a cache: without it the same value is worked out again
            {
                return last.Uri;
            }

            // A path that starts with '/' is relative here on every platform: only UriKind.Absolute reads it as a Unix file path.
            var uri = new Uri(path, UriKind.RelativeOrAbsolute);
            // Stryker disable once Statement : a cache: without it the same value is worked out again
            Volatile.Write(ref _lastTarget, new TargetCache(path, uri));
            return uri;
        }

        /// <summary>A path and its parsed URI.</summary>
        private sealed record TargetCache(string Path, Uri Uri);

        private string LogUrl(string path)
        {
            Uri uri = Target(path); // parsed already for the request
            // Stryker disable once Logical : an absolute URI resolved against the base address is itself, and a relative one with no base address fails in HttpClient before anything is logged
            if (!uri.IsAbsoluteUri && _http.BaseAddress != null)
            {
                uri = new Uri(_http.BaseAddress, uri);
            }

            string text = uri.IsAbsoluteUri ? uri.GetLeftPart(UriPartial.Path) : uri.OriginalString.Split('?')[0];
            return Redact(text); // no query string: it may carry tokens
        }

        private static string? RequestId(HttpResponseMessage response)
        {
            foreach (string name in RequestIdHeaders)
            {
                if (response.Headers.TryGetValues(name, out IEnumerable<string>? values))
                {
                    foreach (string value in values)
                    {
                        return value;
                    }
                }
            }

            return null;
        }
    }
}

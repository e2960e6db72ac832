using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;

namespace SchemaClients.Http
{
    /// <summary>
    /// The transport generated clients call: JSON over HTTP with the provider's auth, retries and timeouts,
    /// and errors as <see cref="ProviderApiException"/>. Serialization goes through source-generated
    /// metadata only (trimming and AOT safe).
    /// </summary>
    public sealed class ProviderHttpClient
    {
        private const int ExcerptLength = 500;
        private readonly HttpClient _http;
        private readonly string _provider;
        private readonly ProviderAuth _auth;
        private readonly ApiKey _key;
        private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
        private readonly ILogger _logger;

        private static readonly Action<ILogger, string, string, string, int, long, int, Exception?> LogAnswer =
            LoggerMessage.Define<string, string, string, int, long, int>(LogLevel.Debug, new EventId(1, "Answer"), "{Provider} {Method} {Url} answered {Status} in {Milliseconds} ms (attempt {Attempt})");

        private static readonly Action<ILogger, string, string, string, int, int, Exception?> LogTransient =
            LoggerMessage.Define<string, string, string, int, int>(LogLevel.Warning, new EventId(2, "Transient"), "{Provider} {Method} {Url} answered {Status} on attempt {Attempt}; it may be tried again");

        private static readonly Action<ILogger, string, string, string, int, string, Exception?> LogFailure =
            LoggerMessage.Define<string, string, string, int, string>(LogLevel.Warning, new EventId(3, "Failure"), "{Provider} {Method} {Url} failed on attempt {Attempt}: {Reason}");

        /// <summary>Creates the transport.</summary>
        /// <param name="http">The HttpClient (from IHttpClientFactory in apps). Paths given to the methods are absolute URLs or relative to its BaseAddress.</param>
        /// <param name="provider">The provider name used in errors and logs.</param>
        /// <param name="auth">How the provider wants its key.</param>
        /// <param name="key">The key.</param>
        /// <param name="retry">Retry options; defaults when null.</param>
        /// <param name="logger">Where each attempt is logged (Debug) and each retryable failure (Warning); the key is never logged.</param>
        public ProviderHttpClient(HttpClient http, string provider, ProviderAuth auth, ApiKey key, RetryOptions? retry = null, ILogger? logger = null)
        {
            _http = http ?? throw new ArgumentNullException(nameof(http));
            _provider = provider;
            _auth = auth;
            _key = key ?? throw new ArgumentNullException(nameof(key));
            _pipeline = RetryPolicy.Create(retry ?? new RetryOptions());
            _logger = logger ?? NullLogger.Instance;
        }

        /// <summary>The provider name used in errors and logs.</summary>
        public string Provider => _provider;

        /// <summary>Sends raw JSON bytes (or nothing) and reads a typed JSON answer.</summary>
        public Task<TResponse> SendBytesAsync<TResponse>(HttpMethod method, string path, byte[]? body, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken = default)
            => SendAndReadAsync(method, path, body, responseType, "the answer is not the expected JSON: ", cancellationToken);

        private async Task<TResponse> SendAndReadAsync<TResponse>(HttpMethod method, string path, byte[]? body, JsonTypeInfo<TResponse> responseType, string unreadable, CancellationToken cancellationToken)
        {
            (HttpResponseMessage response, int attempts) = await SendWithRetriesAsync(method, path, body, cancellationToken).ConfigureAwait(false);
            using HttpResponseMessage disposeResponse = response;
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await JsonSerializer.DeserializeAsync(stream, responseType, cancellationToken).ConfigureAwait(false)
                    ?? throw new JsonException("The answer was JSON null.");
            }
            catch (JsonException e)
            {
                throw new ProviderApiException(_provider, response.StatusCode, RequestId(response), _key.Redact(unreadable + e.Message), attempts);
            }
        }

        /// <summary>Sends a JSON body and reads a JSON answer.</summary>
        public Task<TResponse> SendAsync<TRequest, TResponse>(HttpMethod method, string path, TRequest body, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken = default)
            => SendBytesAsync(method, path, JsonSerializer.SerializeToUtf8Bytes(body, requestType), responseType, cancellationToken);

        /// <summary>Sends a request without a body (GET, PUT to cancel) and reads a JSON answer.</summary>
        public Task<TResponse> GetAsync<TResponse>(HttpMethod method, string path, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken = default)
            => SendBytesAsync(method, path, null, responseType, cancellationToken);

        /// <summary>Sends raw JSON bytes (or nothing) and returns the answer as a detached JSON value, for bodies a provider does not document.</summary>
        public Task<JsonElement> SendJsonAsync(HttpMethod method, string path, byte[]? body, CancellationToken cancellationToken = default)
            => SendAndReadAsync(method, path, body, Serialization.SchemaClientsRuntimeJsonContext.Default.JsonElement, "the answer is not JSON: ", cancellationToken);

        /// <summary>Opens a server-sent event stream (with retries on connecting) and yields its events until it ends.</summary>
        public async IAsyncEnumerable<ServerSentEvent> StreamEventsAsync(string path, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            (HttpResponseMessage response, _) = await SendWithRetriesAsync(HttpMethod.Get, path, null, cancellationToken).ConfigureAwait(false);
            using HttpResponseMessage disposeResponse = response;
            await using Stream stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await foreach (ServerSentEvent item in ServerSentEvents.ReadAsync(stream, cancellationToken).ConfigureAwait(false))
            {
                yield return item;
            }
        }

        /// <summary>Downloads a result file (an absolute URL from the provider, usually signed, so no key is sent) into a stream.</summary>
        public async Task<long> DownloadAsync(Uri url, Stream destination, CancellationToken cancellationToken = default)
        {
            (HttpResponseMessage response, _) = await SendWithRetriesAsync(HttpMethod.Get, url.ToString(), null, cancellationToken, authenticate: false).ConfigureAwait(false);
            using HttpResponseMessage disposeResponse = response;
            await using Stream source = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            long before = destination.CanSeek ? destination.Position : 0;
            await source.CopyToAsync(destination, cancellationToken).ConfigureAwait(false);
            return destination.CanSeek ? destination.Position - before : -1;
        }

        private async Task<(HttpResponseMessage Response, int Attempts)> SendWithRetriesAsync(HttpMethod method, string path, byte[]? payload, CancellationToken cancellationToken, bool authenticate = true)
        {
            int attempts = 0;
            HttpResponseMessage response;
            try
            {
                response = await _pipeline.ExecuteAsync(
                    async token =>
                    {
                        attempts++;
                        using var request = new HttpRequestMessage(method, path);
                        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                        if (authenticate)
                        {
                            _auth.Apply(request, _key);
                        }

                        if (payload != null)
                        {
                            request.Content = new ByteArrayContent(payload);
                            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                        }

                        long started = System.Diagnostics.Stopwatch.GetTimestamp();
                        HttpResponseMessage answer;
                        try
                        {
                            answer = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
                        }
                        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
                        {
                            LogFailure(_logger, _provider, method.Method, LogUrl(request), attempts, _key.Redact(e.Message), null);
                            throw;
                        }

                        if (RetryPolicy.IsTransient(answer.StatusCode))
                        {
                            LogTransient(_logger, _provider, method.Method, LogUrl(request), (int)answer.StatusCode, attempts, null);
                        }
                        else
                        {
                            LogAnswer(_logger, _provider, method.Method, LogUrl(request), (int)answer.StatusCode, (long)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds, attempts, null);
                        }

                        return answer;
                    },
                    cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException e)
            {
                throw new HttpRequestException(_key.Redact(_provider + " could not be reached after " + attempts + " attempts: " + e.Message), null, e.StatusCode);
            }
            catch (Polly.Timeout.TimeoutRejectedException e)
            {
                throw new TimeoutException(_provider + " did not answer in time on any of " + attempts + " attempts.", e);
            }

            if (!response.IsSuccessStatusCode)
            {
                using (response)
                {
                    string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                    string excerpt = _key.Redact(body.Length > ExcerptLength ? body.Substring(0, ExcerptLength) + "..." : body);
                    throw new ProviderApiException(_provider, response.StatusCode, RequestId(response), excerpt, attempts);
                }
            }

            return (response, attempts);
        }

        private string LogUrl(HttpRequestMessage request)
        {
            Uri? uri = request.RequestUri;
            string text = uri == null ? string.Empty : uri.IsAbsoluteUri ? uri.GetLeftPart(UriPartial.Path) : uri.OriginalString.Split('?')[0];
            return _key.Redact(text); // no query string: it may carry tokens
        }

        private static string? RequestId(HttpResponseMessage response)
        {
            foreach (string name in new[] { "x-request-id", "x-fal-request-id", "request-id" })
            {
                if (response.Headers.TryGetValues(name, out var values))
                {
                    return values.FirstOrDefault();
                }
            }

            return null;
        }
    }
}

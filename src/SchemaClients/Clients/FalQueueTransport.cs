using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using SchemaClients.Http;

namespace SchemaClients.Clients
{
    /// <summary>
    /// fal's transports for one endpoint: the sync run on the base host (<c>https://fal.run</c>) and the queue on
    /// the queue host (<c>https://queue.fal.run</c>): submit (optionally with a webhook), status (position, logs) by
    /// polling or as a server-sent event stream, result, cancel. Status, result and cancel go to the URLs the submit
    /// answer returned when they are on the configured queue host; otherwise (a request known only by its id, or
    /// URLs on another host, which the key is never sent to) they are built from the queue document's paths.
    /// </summary>
    public sealed class FalQueueTransport
    {
        /// <summary>How often fal is polled when the options name no interval.</summary>
        public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(1);

        private readonly ModelClientCore _core;
        private readonly string _submitPath;
        private readonly string _statusPath;
        private readonly string _resultPath;
        private readonly string? _cancelPath;

        /// <summary>Creates the transport.</summary>
        /// <param name="core">The client core.</param>
        /// <param name="submitPath">The endpoint path, for example <c>/fal-ai/flux-2-flex</c>.</param>
        /// <param name="statusPath">The status path template with <c>{request_id}</c>.</param>
        /// <param name="resultPath">The result path template with <c>{request_id}</c>.</param>
        /// <param name="cancelPath">The cancel path template with <c>{request_id}</c>, if the document has one.</param>
        public FalQueueTransport(ModelClientCore core, string submitPath, string statusPath, string resultPath, string? cancelPath)
        {
            _core = core ?? throw new ArgumentNullException(nameof(core));
            _submitPath = submitPath;
            _statusPath = statusPath;
            _resultPath = resultPath;
            _cancelPath = cancelPath;
        }

        /// <summary>Runs the model synchronously and reads its output. Billed: not sent again once it may have reached fal.</summary>
        public Task<TOutput> RunAsync<TOutput>(byte[] body, Serialization.SchemaConverter<TOutput> output, CancellationToken cancellationToken)
            => _core.SendAsync(HttpMethod.Post, _submitPath, false, body, output, cancellationToken);

        /// <summary>Runs the model synchronously; for endpoints whose output schema is not a generated record.</summary>
        public Task<JsonElement> RunJsonAsync(byte[] body, CancellationToken cancellationToken)
            => _core.SendForJsonAsync(HttpMethod.Post, _submitPath, false, body, cancellationToken);

        /// <summary>
        /// Puts a request in the queue. Billed: not sent again once it may have reached fal. With
        /// <paramref name="webhook"/>, fal also POSTs the outcome there (<c>fal_webhook</c>).
        /// </summary>
        /// <exception cref="ProviderApiException">fal answered with an error, or with no <c>request_id</c>.</exception>
        public async Task<FalQueuedRequest> SubmitAsync(byte[] body, Uri? webhook, CancellationToken cancellationToken)
        {
            if (webhook != null && !webhook.IsAbsoluteUri)
            {
                throw new ArgumentException("The webhook URL must be absolute.", nameof(webhook));
            }

            string path = ModelClientCore.Query(_submitPath, "fal_webhook", webhook?.AbsoluteUri);
            ProviderAnswer answer = await _core.Http.SendForAnswerAsync(HttpMethod.Post, _core.Url(path, queue: true), body, default, null, cancellationToken).ConfigureAwait(false);
            return FalQueuedRequest.Parse(answer.Json) ?? throw answer.Unexpected("no request_id");
        }

        /// <summary>Asks where a request stands; with <paramref name="logs"/>, its log lines too.</summary>
        public async Task<FalQueueStatus> GetStatusAsync(FalQueuedRequest request, bool logs, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            string url = StatusUrl(request, logs, stream: false);
            JsonElement answer = await _core.Http.SendJsonAsync(HttpMethod.Get, url, null, cancellationToken).ConfigureAwait(false);
            return FalQueueStatus.Parse(answer, request.RequestId);
        }

        /// <summary>
        /// The request's status as a server-sent event stream (<c>/status/stream</c>), one status per change, until
        /// it is completed; the stream reconnects if the connection ends first.
        /// </summary>
        public async IAsyncEnumerable<FalQueueStatus> StreamStatusAsync(FalQueuedRequest request, bool logs, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            await foreach (ServerSentEvent item in _core.Http.StreamEventsAsync(StatusUrl(request, logs, stream: true), cancellationToken).ConfigureAwait(false))
            {
                FalQueueStatus? status = TryParseStatus(item.Data, request.RequestId);
                if (status == null)
                {
                    continue; // keep-alives and events without a status object
                }

                yield return status;
                if (status.IsCompleted)
                {
                    yield break;
                }
            }
        }

        /// <summary>Reads a completed request's output.</summary>
        public Task<TOutput> GetResultAsync<TOutput>(FalQueuedRequest request, Serialization.SchemaConverter<TOutput> output, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            return _core.Http.SendBytesAsync(HttpMethod.Get, Pick(request.ResponseUrl, _resultPath, request), null, output, default, cancellationToken);
        }

        /// <summary>Reads a completed request's output, untyped.</summary>
        public Task<JsonElement> GetResultJsonAsync(FalQueuedRequest request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            return _core.Http.SendJsonAsync(HttpMethod.Get, Pick(request.ResponseUrl, _resultPath, request), null, cancellationToken);
        }

        /// <summary>
        /// Asks fal to cancel a request. Every documented answer (<c>{"success": bool}</c>, <c>CANCELLATION_REQUESTED</c>,
        /// <c>ALREADY_COMPLETED</c>, <c>NOT_FOUND</c>, with a 2xx, 400, 404, 409 or 410 status) is a result, not an
        /// exception: "too late" is <see cref="FalCancelOutcome.AlreadyCompleted"/>.
        /// </summary>
        /// <exception cref="ProviderApiException">Another error (401, 5xx after retries), or a 4xx answer that names no outcome.</exception>
        public async Task<FalCancelResult> CancelAsync(FalQueuedRequest request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            if (_cancelPath == null)
            {
                throw new NotSupportedException("This endpoint's queue document has no cancel operation.");
            }

            ProviderAnswer answer = await _core.Http.SendForAnswerAsync(HttpMethod.Put, Pick(request.CancelUrl, _cancelPath, request), null, new CallOptions(RetryMode.Repeatable), FalCancelResult.IsOutcomeStatus, cancellationToken).ConfigureAwait(false);
            return FalCancelResult.From(answer.StatusCode, answer.Json) ?? throw answer.Unexpected("no cancellation outcome");
        }

        /// <summary>Submits a body, waits for it with progress, and returns its output.</summary>
        public async Task<TOutput> SubmitAndWaitAsync<TOutput>(byte[] body, Serialization.SchemaConverter<TOutput> output, IProgress<QueueProgress>? progress, CancellationToken cancellationToken)
        {
            FalQueuedRequest submitted = await SubmitAsync(body, null, cancellationToken).ConfigureAwait(false);
            // Stryker disable once Boolean : no caller's context is left to capture: this method has already suspended at an earlier await
            await WaitAsync(submitted, progress, cancellationToken).ConfigureAwait(false);
            // Stryker disable once Boolean : no caller's context is left to capture: this method has already suspended at an earlier await
            return await GetResultAsync(submitted, output, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// Polls (with logs) every <see cref="SchemaClientOptions.PollInterval"/> (default 1 s) until the request is
        /// COMPLETED, reporting status, queue position and the latest log line as they change; gives up after
        /// <see cref="SchemaClientOptions.WaitTimeout"/> with a <see cref="TimeoutException"/>.
        /// </summary>
        public Task<FalQueueStatus> WaitAsync(FalQueuedRequest request, IProgress<QueueProgress>? progress, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            return _core.WaitWithTimeoutAsync(
                token => QueueWaiter.WaitAsync(
                    poll => GetStatusAsync(request, true, poll),
                    s => s.IsCompleted,
                    (s, elapsed) => Describe(s, elapsed),
                    _core.PollInterval(DefaultPollInterval),
                    progress,
                    token),
                "request " + request.RequestId + " did not complete",
                cancellationToken);
        }

        /// <summary>What a status looks like as progress.</summary>
        public static QueueProgress Describe(FalQueueStatus status, TimeSpan elapsed)
        {
            ArgumentNullException.ThrowIfNull(status);
            return new QueueProgress(status.Status ?? "(no status)", status.QueuePosition, status.Logs.Count > 0 ? status.Logs[status.Logs.Count - 1] : null, elapsed) { JobId = status.RequestId };
        }

        private string StatusUrl(FalQueuedRequest request, bool logs, bool stream)
        {
            string url = Pick(request.StatusUrl, _statusPath, request);
            int query = url.IndexOf('?');
            if (stream)
            {
                url = query < 0 ? url + "/stream" : url.Substring(0, query) + "/stream" + url.Substring(query);
            }

            return logs && url.IndexOf("logs=", StringComparison.Ordinal) < 0 ? ModelClientCore.Query(url, "logs", "1") : url;
        }

        /// <summary>The URL fal returned when it is on the configured queue host, else the document's path for the id.</summary>
        private string Pick(Uri? returned, string template, FalQueuedRequest request)
            => returned != null && ProviderHttpClient.SameOrigin(returned, _core.QueueBaseAddress)
                ? returned.AbsoluteUri
                : _core.Url(ModelClientCore.Expand(template, "request_id", request.RequestId), queue: true);

        private static FalQueueStatus? TryParseStatus(string data, string requestId)
        {
            try
            {
                using JsonDocument document = JsonDocument.Parse(data);
                return document.RootElement.ValueKind == JsonValueKind.Object ? FalQueueStatus.Parse(document.RootElement, requestId) : null;
            }
            catch (JsonException)
            // Stryker disable once Block : removing the block makes it return default, which is the same null
            {
                return null;
            }
        }
    }
}

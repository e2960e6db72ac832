using System;
using System.Net.Http;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Tasks;
using SchemaClients.Http;

namespace SchemaClients.Clients
{
    /// <summary>
    /// fal's transports for one endpoint: the sync run on the base host (<c>https://fal.run</c>) and the queue on
    /// the queue host (<c>https://queue.fal.run</c>): submit, status (position, logs), result, cancel. The paths come
    /// from the endpoint's queue OpenAPI document.
    /// </summary>
    public sealed class FalQueueTransport
    {
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

        /// <summary>Runs the model synchronously and reads its output.</summary>
        public Task<TOutput> RunAsync<TOutput>(byte[] body, JsonTypeInfo<TOutput> outputType, CancellationToken cancellationToken)
            => _core.SendAsync(HttpMethod.Post, _submitPath, false, body, outputType, cancellationToken);

        /// <summary>Runs the model synchronously; for endpoints whose output schema is not a generated record.</summary>
        public Task<JsonElement> RunJsonAsync(byte[] body, CancellationToken cancellationToken)
            => _core.SendForJsonAsync(HttpMethod.Post, _submitPath, false, body, cancellationToken);

        /// <summary>Reads a completed request's output, untyped.</summary>
        public Task<JsonElement> GetResultJsonAsync(string requestId, CancellationToken cancellationToken)
            => _core.SendForJsonAsync(HttpMethod.Get, ModelClientCore.Expand(_resultPath, "request_id", requestId), true, null, cancellationToken);

        /// <summary>Puts a request in the queue.</summary>
        public async Task<FalQueueStatus> SubmitAsync(byte[] body, CancellationToken cancellationToken)
        {
            JsonElement answer = await _core.SendForJsonAsync(HttpMethod.Post, _submitPath, true, body, cancellationToken).ConfigureAwait(false);
            return FalQueueStatus.Parse(answer);
        }

        /// <summary>Asks where a request stands; with <paramref name="logs"/>, its log lines too.</summary>
        public async Task<FalQueueStatus> GetStatusAsync(string requestId, bool logs, CancellationToken cancellationToken)
        {
            string path = ModelClientCore.Expand(_statusPath, "request_id", requestId);
            JsonElement answer = await _core.SendForJsonAsync(HttpMethod.Get, logs ? ModelClientCore.Query(path, "logs", "1") : path, true, null, cancellationToken).ConfigureAwait(false);
            return FalQueueStatus.Parse(answer, requestId);
        }

        /// <summary>Reads a completed request's output.</summary>
        public Task<TOutput> GetResultAsync<TOutput>(string requestId, JsonTypeInfo<TOutput> outputType, CancellationToken cancellationToken)
            => _core.SendAsync(HttpMethod.Get, ModelClientCore.Expand(_resultPath, "request_id", requestId), true, null, outputType, cancellationToken);

        /// <summary>Asks fal to cancel a request; true when fal says it was cancelled (false when it had already finished).</summary>
        public async Task<bool> CancelAsync(string requestId, CancellationToken cancellationToken)
        {
            if (_cancelPath == null)
            {
                throw new NotSupportedException("This endpoint's queue document has no cancel operation.");
            }

            JsonElement answer = await _core.SendForJsonAsync(HttpMethod.Put, ModelClientCore.Expand(_cancelPath, "request_id", requestId), true, null, cancellationToken).ConfigureAwait(false);
            return answer.ValueKind == JsonValueKind.Object
                && ((answer.TryGetProperty("success", out JsonElement success) && success.ValueKind == JsonValueKind.True)
                    || (answer.TryGetProperty("status", out JsonElement status) && status.ValueKind == JsonValueKind.String && status.GetString() == "CANCELLATION_REQUESTED"));
        }

        /// <summary>
        /// Polls (with logs) every <see cref="SchemaClientOptions.PollInterval"/> until the request is COMPLETED,
        /// reporting status, queue position and the latest log line as they change; gives up after
        /// <see cref="SchemaClientOptions.WaitTimeout"/> with a <see cref="TimeoutException"/>.
        /// </summary>
        public Task<FalQueueStatus> WaitAsync(string requestId, IProgress<QueueProgress>? progress, CancellationToken cancellationToken)
            => _core.WaitWithTimeoutAsync(
                token => QueueWaiter.WaitAsync(
                    poll => GetStatusAsync(requestId, true, poll),
                    s => s.IsCompleted,
                    (s, elapsed) => new QueueProgress(s.Status, s.QueuePosition, s.Logs.Count > 0 ? s.Logs[s.Logs.Count - 1] : null, elapsed),
                    _core.Options.PollInterval,
                    progress,
                    token),
                "request " + requestId + " did not complete",
                cancellationToken);
    }
}

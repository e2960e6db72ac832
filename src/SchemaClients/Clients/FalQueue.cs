using System;
using System.Collections.Generic;
using System.Net;
using System.Text.Json;

namespace SchemaClients.Clients
{
    /// <summary>Where a request in fal's queue stands, as a typed word beside the raw one in <see cref="FalQueueStatus.Status"/>.</summary>
    public enum FalRequestState
    {
        /// <summary>A status word this client does not know, or none; the raw text is kept in <see cref="FalQueueStatus.Status"/>.</summary>
        Unknown,

        /// <summary><c>IN_QUEUE</c>: waiting, with a queue position.</summary>
        InQueue,

        /// <summary><c>IN_PROGRESS</c>: running, with logs.</summary>
        InProgress,

        /// <summary><c>COMPLETED</c>: finished; the result (or the error) can be fetched.</summary>
        Completed,
    }

    /// <summary>
    /// A request fal's queue accepted: the submit answer. fal's docs show <c>{request_id, response_url, status_url,
    /// cancel_url}</c> (newer pages add <c>queue_position</c>; with a webhook it may be <c>{request_id}</c> alone), while
    /// the queue's OpenAPI document calls it a <c>QueueStatus</c> with <c>status</c>: every form reads. Only
    /// <c>request_id</c> is needed. A plain request id converts to it, for requests submitted elsewhere.
    /// </summary>
    /// <param name="RequestId">The request id.</param>
    /// <param name="ResponseUrl">Where the result will be, as fal returned it.</param>
    /// <param name="StatusUrl">Where the status is, as fal returned it.</param>
    /// <param name="CancelUrl">Where to cancel, as fal returned it.</param>
    /// <param name="QueuePosition">Requests ahead, when fal said.</param>
    /// <param name="Status">The status word, when fal sent one.</param>
    /// <param name="GatewayRequestId">fal's gateway request id, when sent.</param>
    /// <param name="Json">The whole answer as sent (Undefined for a request made from an id).</param>
    public sealed record FalQueuedRequest(string RequestId, Uri? ResponseUrl, Uri? StatusUrl, Uri? CancelUrl, int? QueuePosition, string? Status, string? GatewayRequestId, JsonElement Json)
    {
        /// <summary>A request known only by its id; its URLs are built from the queue document.</summary>
        /// <param name="requestId">The request id.</param>
        public static FalQueuedRequest FromId(string requestId)
            => new(string.IsNullOrEmpty(requestId) ? throw new ArgumentException("A request id cannot be empty.", nameof(requestId)) : requestId, null, null, null, null, null, null, default);

        /// <summary>A request known only by its id.</summary>
        /// <param name="requestId">The request id.</param>
        public static implicit operator FalQueuedRequest(string requestId) => FromId(requestId);

        /// <summary>Reads a submit answer; null when it has no <c>request_id</c>.</summary>
        public static FalQueuedRequest? Parse(JsonElement json)
        {
            string? id = JsonFields.Text(json, "request_id");
            if (string.IsNullOrEmpty(id))
            {
                return null;
            }

            return new FalQueuedRequest(
                id!,
                JsonFields.Url(json, "response_url"),
                JsonFields.Url(json, "status_url"),
                JsonFields.Url(json, "cancel_url"),
                JsonFields.Int32(json, "queue_position"),
                JsonFields.Text(json, "status"),
                JsonFields.Text(json, "gateway_request_id"),
                JsonFields.Detach(json));
        }
    }

    /// <summary>Where a request in fal's queue stands: the status answer, and each event of the status stream.</summary>
    /// <param name="Status">The status word as sent (IN_QUEUE, IN_PROGRESS, COMPLETED, or one this client does not know yet); null when absent.</param>
    /// <param name="RequestId">The request id.</param>
    /// <param name="QueuePosition">Requests ahead of this one, while it waits.</param>
    /// <param name="Logs">Log messages, when asked for with logs.</param>
    /// <param name="ResponseUrl">Where the result will be.</param>
    /// <param name="Json">The whole answer as sent.</param>
    public sealed record FalQueueStatus(string? Status, string RequestId, int? QueuePosition, IReadOnlyList<string> Logs, Uri? ResponseUrl, JsonElement Json)
    {
        /// <summary>The status as a typed word; <see cref="FalRequestState.Unknown"/> keeps an unknown one in <see cref="Status"/>.</summary>
        public FalRequestState State => Status switch
        {
            "IN_QUEUE" => FalRequestState.InQueue,
            "IN_PROGRESS" => FalRequestState.InProgress,
            "COMPLETED" => FalRequestState.Completed,
            _ => FalRequestState.Unknown,
        };

        /// <summary>Whether the request has finished (its result, or its error, can be fetched).</summary>
        public bool IsCompleted => State == FalRequestState.Completed;

        /// <summary>How long the model ran, from <c>metrics.inference_time</c> (seconds) of a completed request.</summary>
        public TimeSpan? InferenceTime
            => JsonFields.Number(JsonFields.Member(Json, "metrics"), "inference_time") is double seconds && seconds >= 0 && seconds < TimeSpan.MaxValue.TotalSeconds
                ? TimeSpan.FromSeconds(seconds) : null;

        /// <summary>The error text a completed request carries when it failed, if fal sent one.</summary>
        public string? Error => JsonFields.Text(Json, "error");

        /// <summary>Reads a status answer; <paramref name="fallbackId"/> fills a missing request id. Never throws: unknown shapes read as an unknown status.</summary>
        public static FalQueueStatus Parse(JsonElement json, string fallbackId)
        {
            string id = JsonFields.Text(json, "request_id") ?? fallbackId;
            var logs = new List<string>();
            JsonElement l = JsonFields.Member(json, "logs");
            // fal's docs show a list of {message, level, source, timestamp}; the queue document types it as an object.
            JsonElement lines = l.ValueKind == JsonValueKind.Object ? JsonFields.Member(l, "lines") : l;
            if (lines.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement line in lines.EnumerateArray())
                {
                    string? message = line.ValueKind == JsonValueKind.String ? line.GetString() : JsonFields.Text(line, "message");
                    if (message != null)
                    {
                        logs.Add(message);
                    }
                }
            }

            return new FalQueueStatus(JsonFields.Text(json, "status"), id, JsonFields.Int32(json, "queue_position"), logs, JsonFields.Url(json, "response_url"), JsonFields.Detach(json));
        }
    }

    /// <summary>What became of a cancellation.</summary>
    public enum FalCancelOutcome
    {
        /// <summary>
        /// fal took it: a queued request is removed and never runs; a running one gets a cancellation signal
        /// (<c>CANCELLATION_REQUESTED</c>, <c>{"success": true}</c>, or another 2xx answer).
        /// </summary>
        CancellationRequested,

        /// <summary>Too late: the request had already finished (<c>ALREADY_COMPLETED</c>, or <c>{"success": false}</c>).</summary>
        AlreadyCompleted,

        /// <summary>fal knows no request with that id (<c>NOT_FOUND</c>, or a 404 without a body it explains).</summary>
        NotFound,
    }

    /// <summary>fal's answer to a cancellation, whatever its HTTP status (2xx or 4xx).</summary>
    /// <param name="Outcome">What happened.</param>
    /// <param name="StatusCode">The HTTP status of the answer.</param>
    /// <param name="Status">The status word fal sent, if any.</param>
    /// <param name="Json">The answer as sent (Undefined when it had no JSON body).</param>
    public sealed record FalCancelResult(FalCancelOutcome Outcome, HttpStatusCode StatusCode, string? Status, JsonElement Json)
    {
        /// <summary>Whether fal took the cancellation.</summary>
        public bool Accepted => Outcome == FalCancelOutcome.CancellationRequested;

        /// <summary>The statuses whose answers are outcomes, not failures.</summary>
        internal static bool IsOutcomeStatus(HttpStatusCode status) => status is HttpStatusCode.BadRequest or HttpStatusCode.NotFound or HttpStatusCode.Conflict or HttpStatusCode.Gone;

        /// <summary>Maps an answer to its outcome, or null when neither body nor status says one.</summary>
        internal static FalCancelResult? From(HttpStatusCode statusCode, JsonElement json)
        {
            string? status = JsonFields.Text(json, "status");
            bool? success = JsonFields.Boolean(json, "success");
            FalCancelOutcome? outcome = status switch
            {
                "CANCELLATION_REQUESTED" => FalCancelOutcome.CancellationRequested,
                "ALREADY_COMPLETED" => FalCancelOutcome.AlreadyCompleted,
                "NOT_FOUND" => FalCancelOutcome.NotFound,
                _ => success switch
                {
                    true => FalCancelOutcome.CancellationRequested,
                    false => FalCancelOutcome.AlreadyCompleted,
                    _ => statusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone ? FalCancelOutcome.NotFound
                        : (int)statusCode >= 200 && (int)statusCode < 300 ? FalCancelOutcome.CancellationRequested
                        : null,
                },
            };
            return outcome == null ? null : new FalCancelResult(outcome.Value, statusCode, status, JsonFields.Detach(json));
        }
    }
}

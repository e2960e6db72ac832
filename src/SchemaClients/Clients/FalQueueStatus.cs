using System;
using System.Collections.Generic;
using System.Text.Json;

namespace SchemaClients.Clients
{
    /// <summary>
    /// Where a request in fal's queue stands, as the queue's submit and status answers describe it (the same
    /// <c>QueueStatus</c> shape for every fal endpoint).
    /// </summary>
    /// <param name="Status">IN_QUEUE, IN_PROGRESS or COMPLETED (kept as sent).</param>
    /// <param name="RequestId">The request id.</param>
    /// <param name="QueuePosition">Requests ahead of this one, while it waits.</param>
    /// <param name="Logs">Log messages, when asked for with logs.</param>
    /// <param name="ResponseUrl">Where the result will be.</param>
    /// <param name="Json">The whole answer as sent.</param>
    public sealed record FalQueueStatus(string Status, string RequestId, int? QueuePosition, IReadOnlyList<string> Logs, Uri? ResponseUrl, JsonElement Json)
    {
        /// <summary>Whether the request has finished (its result, or its error, can be fetched).</summary>
        public bool IsCompleted => Status == "COMPLETED";

        /// <summary>Reads a status answer; <paramref name="fallbackId"/> fills a missing request id.</summary>
        /// <exception cref="FormatException">The value is not an object with a status.</exception>
        public static FalQueueStatus Parse(JsonElement json, string? fallbackId = null)
        {
            if (json.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("A fal queue status is a JSON object; got " + json.ValueKind + ".");
            }

            string status = JsonFields.Text(json, "status") ?? throw new FormatException("The fal queue answer has no status: " + JsonFields.Excerpt(json));
            string id = JsonFields.Text(json, "request_id") ?? fallbackId ?? throw new FormatException("The fal queue answer has no request_id: " + JsonFields.Excerpt(json));
            int? position = json.TryGetProperty("queue_position", out JsonElement p) && p.ValueKind == JsonValueKind.Number && p.TryGetInt32(out int value) ? value : null;
            var logs = new List<string>();
            if (json.TryGetProperty("logs", out JsonElement l))
            {
                // fal sends either a list of {message, level, ...} or {lines: [...]}, depending on the endpoint.
                JsonElement lines = l.ValueKind == JsonValueKind.Object && l.TryGetProperty("lines", out JsonElement inner) ? inner : l;
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
            }

            string? url = JsonFields.Text(json, "response_url");
            return new FalQueueStatus(status, id, position, logs, url != null && Uri.TryCreate(url, UriKind.Absolute, out Uri? u) ? u : null, json.Clone());
        }
    }
}

using System;
using System.Text.Json;

namespace SchemaClients.Clients
{
    /// <summary>
    /// A generation in Oxen's queue, as <c>POST /api/ai/queue</c>, <c>GET /api/ai/queue/{id}</c> and the
    /// <c>media_generation_completed</c> event describe it.
    /// </summary>
    /// <param name="GenerationId">The generation id.</param>
    /// <param name="Status">queued, processing, succeeded, failed or cancelled (kept as sent, for statuses not documented yet).</param>
    /// <param name="ResultUrl">Where the result is, once it succeeded.</param>
    /// <param name="ErrorMessage">Why it failed or was cancelled, when Oxen says.</param>
    /// <param name="Json">The whole object as sent.</param>
    public sealed record OxenGeneration(string GenerationId, string Status, Uri? ResultUrl, string? ErrorMessage, JsonElement Json)
    {
        /// <summary>Whether the status is final: succeeded, failed or cancelled.</summary>
        public bool IsTerminal => Status is "succeeded" or "failed" or "cancelled";

        /// <summary>Whether the generation succeeded.</summary>
        public bool Succeeded => Status == "succeeded";

        /// <summary>Reads a generation object; <paramref name="fallbackId"/> fills a missing id.</summary>
        /// <exception cref="FormatException">The value is not an object with a status.</exception>
        public static OxenGeneration Parse(JsonElement json, string? fallbackId = null)
        {
            if (json.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("An Oxen generation is a JSON object; got " + json.ValueKind + ".");
            }

            string? id = JsonFields.Text(json, "generation_id") ?? JsonFields.Text(json, "id") ?? fallbackId;
            string status = JsonFields.Text(json, "status") ?? "queued"; // the queue answer may leave it out
            string? url = JsonFields.Text(json, "result_url");
            return new OxenGeneration(
                id ?? throw new FormatException("The Oxen generation has no generation_id: " + JsonFields.Excerpt(json)),
                status,
                url != null && Uri.TryCreate(url, UriKind.Absolute, out Uri? result) ? result : null,
                JsonFields.Text(json, "error_message"),
                json.Clone());
        }
    }
}

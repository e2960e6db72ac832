using System;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace SchemaClients.Clients
{
    /// <summary>
    /// What fal POSTs to a webhook (<c>fal_webhook</c> on submit): <c>{request_id, gateway_request_id, status: "OK" |
    /// "ERROR", payload, error}</c>. <c>payload</c> is the model's output on success and the error details on failure;
    /// it is null, with <c>payload_error</c>, when the output was not valid JSON. fal may deliver the same webhook more
    /// than once: dedupe on <see cref="RequestId"/>. The signature headers (<c>X-Fal-Webhook-Signature</c>, Ed25519)
    /// are not checked here.
    /// </summary>
    /// <param name="RequestId">The request id.</param>
    /// <param name="GatewayRequestId">fal's gateway request id, when sent.</param>
    /// <param name="Status">The status word as sent (<c>OK</c>, <c>ERROR</c>); null when absent.</param>
    /// <param name="Json">The whole body as sent.</param>
    public sealed record FalWebhookDelivery(string RequestId, string? GatewayRequestId, string? Status, JsonElement Json)
    {
        /// <summary>Whether the request succeeded (<c>status: "OK"</c>).</summary>
        public bool IsOk => Status == "OK";

        /// <summary>The output on success, the error details on failure; Undefined or Null when there is none.</summary>
        public JsonElement Payload => JsonFields.Member(Json, "payload");

        /// <summary>The error text of a failed request.</summary>
        public string? Error => JsonFields.Text(Json, "error");

        /// <summary>Why the payload is null: the output was not valid JSON.</summary>
        public string? PayloadError => JsonFields.Text(Json, "payload_error");

        /// <summary>Reads a delivery's body; null when it is not JSON or has no <c>request_id</c>.</summary>
        /// <param name="body">The raw body bytes, as received.</param>
        public static FalWebhookDelivery? Parse(ReadOnlySpan<byte> body)
        {
            try
            {
                var reader = new Utf8JsonReader(body);
                using JsonDocument document = JsonDocument.ParseValue(ref reader);
                JsonElement root = document.RootElement;
                string? id = JsonFields.Text(root, "request_id");
                return string.IsNullOrEmpty(id) ? null : new FalWebhookDelivery(id!, JsonFields.Text(root, "gateway_request_id"), JsonFields.Text(root, "status"), root.Clone());
            }
            catch (JsonException)
            // Stryker disable once Block : removing the block makes it return default, which is the same null
            {
                return null;
            }
        }

        /// <summary>The payload as the endpoint's typed output, when the request succeeded and the payload is an object.</summary>
        /// <exception cref="JsonException">The payload does not read as <typeparamref name="T"/>.</exception>
        public T? PayloadAs<T>(JsonTypeInfo<T> outputType)
            where T : class
        {
            ArgumentNullException.ThrowIfNull(outputType);
            return IsOk && Payload.ValueKind == JsonValueKind.Object ? Payload.Deserialize(outputType) : null;
        }
    }
}

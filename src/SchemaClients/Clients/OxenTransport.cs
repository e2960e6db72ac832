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
    /// Oxen's inference transports as its model pages document them: the sync call
    /// (<c>POST /api/ai/images/edit</c>), the queue (<c>POST /api/ai/queue</c>, <c>GET /api/ai/queue/{id}</c>),
    /// the event stream (<c>GET /api/events</c>) and the model object (<c>GET /api/ai/models/{id}</c>).
    /// Bodies arrive already serialized (with <c>model</c>) from the generated client.
    /// </summary>
    public sealed class OxenTransport
    {
        /// <summary>The event that announces a finished generation.</summary>
        public const string CompletedEvent = "media_generation_completed";

        private readonly ModelClientCore _core;

        /// <summary>Creates the transport over a client core.</summary>
        public OxenTransport(ModelClientCore core) => _core = core ?? throw new ArgumentNullException(nameof(core));

        /// <summary>The sync call. Oxen does not document its answer, so it stays JSON.</summary>
        public Task<JsonElement> GenerateAsync(byte[] body, CancellationToken cancellationToken)
            => _core.SendForJsonAsync(HttpMethod.Post, "/api/ai/images/edit", false, body, cancellationToken);

        /// <summary>Puts a request in the queue and returns its generation (<c>generations[0]</c>).</summary>
        public async Task<OxenGeneration> EnqueueAsync(byte[] body, CancellationToken cancellationToken)
        {
            JsonElement answer = await _core.SendForJsonAsync(HttpMethod.Post, "/api/ai/queue", false, body, cancellationToken).ConfigureAwait(false);
            if (answer.ValueKind == JsonValueKind.Object && answer.TryGetProperty("generations", out JsonElement generations)
                && generations.ValueKind == JsonValueKind.Array && generations.GetArrayLength() > 0)
            {
                return OxenGeneration.Parse(generations[0]);
            }

            throw new FormatException("Oxen's queue answer has no generations[0]: " + JsonFields.Excerpt(answer));
        }

        /// <summary>Asks where a generation stands.</summary>
        public async Task<OxenGeneration> GetGenerationAsync(string generationId, CancellationToken cancellationToken)
        {
            JsonElement answer = await _core.SendForJsonAsync(HttpMethod.Get, ModelClientCore.Expand("/api/ai/queue/{id}", "id", generationId), false, null, cancellationToken).ConfigureAwait(false);
            return OxenGeneration.Parse(answer, generationId);
        }

        /// <summary>
        /// Polls every <see cref="SchemaClientOptions.PollInterval"/> until the generation is succeeded, failed or
        /// cancelled, reporting each change of status; gives up after <see cref="SchemaClientOptions.WaitTimeout"/>.
        /// </summary>
        public Task<OxenGeneration> WaitAsync(string generationId, IProgress<QueueProgress>? progress, CancellationToken cancellationToken)
            => _core.WaitWithTimeoutAsync(
                token => QueueWaiter.WaitAsync(
                    poll => GetGenerationAsync(generationId, poll),
                    g => g.IsTerminal,
                    (g, elapsed) => new QueueProgress(g.Status, null, g.ErrorMessage, elapsed),
                    _core.Options.PollInterval,
                    progress,
                    token),
                "generation " + generationId + " did not finish",
                cancellationToken);

        /// <summary>
        /// Reads the event stream and yields every completed generation it announces, as they come, until the stream
        /// ends or <paramref name="cancellationToken"/> is cancelled. Other events are skipped.
        /// </summary>
        public async IAsyncEnumerable<OxenGeneration> StreamCompletionsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await foreach (ServerSentEvent item in _core.Http.StreamEventsAsync(_core.Url("/api/events"), cancellationToken).ConfigureAwait(false))
            {
                if (item.Event != CompletedEvent)
                {
                    continue;
                }

                OxenGeneration? generation = TryParse(item.Data);
                if (generation != null)
                {
                    yield return generation;
                }
            }
        }

        /// <summary>
        /// Waits on the event stream for the completion event of one generation.
        /// </summary>
        /// <exception cref="System.IO.EndOfStreamException">The stream ended before the event came.</exception>
        public async Task<OxenGeneration> WaitForCompletionEventAsync(string generationId, CancellationToken cancellationToken)
        {
            OxenGeneration? found = await _core.WaitWithTimeoutAsync(
                async token =>
                {
                    await foreach (OxenGeneration generation in StreamCompletionsAsync(token).ConfigureAwait(false))
                    {
                        if (generation.GenerationId == generationId)
                        {
                            return generation;
                        }
                    }

                    return null;
                },
                "no completion event for " + generationId,
                cancellationToken).ConfigureAwait(false);
            return found ?? throw new System.IO.EndOfStreamException("oxen: the event stream ended before the completion event for " + generationId + ".");
        }

        /// <summary>The model object, with its <c>json_request_schema</c>.</summary>
        public Task<JsonElement> GetModelAsync(string modelId, CancellationToken cancellationToken)
            => _core.SendForJsonAsync(HttpMethod.Get, ModelClientCore.Expand("/api/ai/models/{id}", "id", modelId), false, null, cancellationToken);

        private static OxenGeneration? TryParse(string data)
        {
            try
            {
                using JsonDocument document = JsonDocument.Parse(data);
                return OxenGeneration.Parse(document.RootElement);
            }
            catch (Exception e) when (e is JsonException || e is FormatException)
            {
                return null; // an event this client does not understand is not the one it waits for
            }
        }
    }
}

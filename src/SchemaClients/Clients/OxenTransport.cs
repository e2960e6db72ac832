using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using SchemaClients.Http;
using SchemaClients.Validation;

namespace SchemaClients.Clients
{
    /// <summary>
    /// Oxen's inference transports as its model pages and async queue reference document them: the sync call
    /// (<c>POST /api/ai/images/edit</c>), the queue (<c>POST /api/ai/queue</c>, <c>GET /api/ai/queue/{id}</c>),
    /// the event stream (<c>GET /api/events</c>) and the model object (<c>GET /api/ai/models/{id}</c>).
    /// Bodies arrive already serialized (with <c>model</c>) from the generated client.
    /// </summary>
    public sealed class OxenTransport
    {
        /// <summary>The event that announces a finished generation.</summary>
        public const string CompletedEvent = "media_generation_completed";

        /// <summary>How often Oxen is polled when the options name no interval.</summary>
        public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(1);

        private readonly ModelClientCore _core;

        /// <summary>Creates the transport over a client core.</summary>
        public OxenTransport(ModelClientCore core) => _core = core ?? throw new ArgumentNullException(nameof(core));

        /// <summary>The sync call. Oxen does not document its answer, so it stays JSON. Billed: not sent again once it may have reached Oxen.</summary>
        public Task<JsonElement> GenerateAsync(byte[] body, CancellationToken cancellationToken)
            => _core.SendForJsonAsync(HttpMethod.Post, "/api/ai/images/edit", false, body, cancellationToken);

        /// <summary>
        /// Checks the queue's own parameters: Oxen validates nothing at enqueue time (a bad value makes the generation
        /// fail later, with no error now), so this is the only early error a caller gets.
        /// </summary>
        /// <exception cref="SchemaValidationException"><c>num_generations</c> is outside 1 to 4, or <c>target_namespace</c> is empty.</exception>
        public static void ValidateQueueOptions(OxenQueueOptions? queue)
        {
            if (queue == null)
            {
                return;
            }

            var collector = new ViolationCollector();
            if (queue.NumGenerations is int n && (n < 1 || n > OxenQueueOptions.MaxGenerations))
            {
                collector.Add("$.num_generations", n < 1 ? "minimum" : "maximum", n < 1 ? "1" : OxenQueueOptions.MaxGenerations.ToString(System.Globalization.CultureInfo.InvariantCulture), n.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            if (queue.TargetNamespace != null && queue.TargetNamespace.Trim().Length == 0)
            {
                collector.Add("$.target_namespace", "minLength", "1", "\"\"");
            }

            collector.ToResult().ThrowIfInvalid();
        }

        /// <summary>The member every Oxen body starts with: <c>model</c>, which Oxen routes by.</summary>
        public static IReadOnlyList<KeyValuePair<string, string>> ModelMember(string modelId)
            => new[] { new KeyValuePair<string, string>("model", JsonSerializer.Serialize(modelId, Serialization.SchemaClientsRuntimeJsonContext.Default.String)) };

        /// <summary>The queue's own members for the body, after checking them (<see cref="ValidateQueueOptions"/>); empty for null.</summary>
        /// <exception cref="SchemaValidationException">A queue parameter breaks its rule.</exception>
        public static IReadOnlyList<KeyValuePair<string, string>> QueueMembers(OxenQueueOptions? queue)
        {
            ValidateQueueOptions(queue);
            var members = new List<KeyValuePair<string, string>>(2);
            if (queue?.NumGenerations is int n)
            {
                members.Add(new KeyValuePair<string, string>("num_generations", n.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }

            if (queue?.TargetNamespace is { } target)
            {
                members.Add(new KeyValuePair<string, string>("target_namespace", JsonSerializer.Serialize(target, Serialization.SchemaClientsRuntimeJsonContext.Default.String)));
            }

            return members;
        }

        /// <summary>
        /// Puts a request in the queue and returns every generation it started (<c>generations</c>). Billed: not sent
        /// again once it may have reached Oxen.
        /// </summary>
        /// <exception cref="ProviderApiException">Oxen answered with an error, or with no generation.</exception>
        public async Task<OxenQueueSubmission> EnqueueAsync(byte[] body, CancellationToken cancellationToken)
        {
            ProviderAnswer answer = await _core.Http.SendForAnswerAsync(HttpMethod.Post, _core.Url("/api/ai/queue"), body, default, null, cancellationToken).ConfigureAwait(false);
            JsonElement list = JsonFields.Member(answer.Json, "generations");
            var generations = new List<OxenGeneration>();
            if (list.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement item in list.EnumerateArray())
                {
                    if (OxenGeneration.Parse(item) is { } generation)
                    {
                        // The enqueue answer names the status; older pages show "processing", newer "queued". Absent means queued.
                        generations.Add(generation.Status == null ? generation with { Status = "queued" } : generation);
                    }
                }
            }

            // A single generation object instead of the list is read too.
            if (generations.Count == 0 && OxenGeneration.Parse(answer.Json) is { } single)
            {
                generations.Add(single.Status == null ? single with { Status = "queued" } : single);
            }

            return generations.Count > 0 ? new OxenQueueSubmission(generations, JsonFields.Detach(answer.Json)) : throw answer.Unexpected("no generations[].generation_id");
        }

        /// <summary>Asks where a generation stands.</summary>
        public async Task<OxenGeneration> GetGenerationAsync(string generationId, CancellationToken cancellationToken)
        {
            ArgumentException.ThrowIfNullOrEmpty(generationId);
            JsonElement answer = await _core.SendForJsonAsync(HttpMethod.Get, ModelClientCore.Expand("/api/ai/queue/{id}", "id", generationId), false, null, cancellationToken).ConfigureAwait(false);
            return OxenGeneration.Parse(answer, generationId)!;
        }

        /// <summary>
        /// Polls every <see cref="SchemaClientOptions.PollInterval"/> (default 1 s) until the generation is succeeded,
        /// failed or cancelled, reporting each change of status; gives up after <see cref="SchemaClientOptions.WaitTimeout"/>.
        /// </summary>
        public Task<OxenGeneration> WaitAsync(string generationId, IProgress<QueueProgress>? progress, CancellationToken cancellationToken)
            => _core.WaitWithTimeoutAsync(
                token => PollAsync(generationId, progress, token),
                "generation " + generationId + " did not finish",
                cancellationToken);

        /// <summary>Enqueues a body and waits for its first generation; returns it when it succeeded.</summary>
        /// <exception cref="QueueJobFailedException">The generation failed or was cancelled.</exception>
        public async Task<OxenGeneration> EnqueueAndWaitAsync(byte[] body, IProgress<QueueProgress>? progress, CancellationToken cancellationToken)
        {
            OxenQueueSubmission queued = await EnqueueAsync(body, cancellationToken).ConfigureAwait(false);
            // Stryker disable once Boolean : no caller's context is left to capture: this method has already suspended at an earlier await
            OxenGeneration done = await WaitAsync(queued.First.GenerationId, progress, cancellationToken).ConfigureAwait(false);
            return done.Succeeded ? done : throw _core.Http.JobFailed(done.GenerationId, done.Status ?? "(no status)", done.ErrorMessage);
        }

        /// <summary>Enqueues a body and waits for every generation it started; returns them all, succeeded or not.</summary>
        public async Task<IReadOnlyList<OxenGeneration>> EnqueueAndWaitAllAsync(byte[] body, IProgress<QueueProgress>? progress, CancellationToken cancellationToken)
        {
            OxenQueueSubmission queued = await EnqueueAsync(body, cancellationToken).ConfigureAwait(false);
            // Stryker disable once Boolean : no caller's context is left to capture: this method has already suspended at an earlier await
            return await WaitAllAsync(queued.GenerationIds, progress, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// Polls several generations (from one enqueue with <c>num_generations</c>) until every one is final, and
        /// returns them in the order given; progress reports each change with <see cref="QueueProgress.JobId"/> set.
        /// </summary>
        public Task<IReadOnlyList<OxenGeneration>> WaitAllAsync(IReadOnlyList<string> generationIds, IProgress<QueueProgress>? progress, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(generationIds);
            return _core.WaitWithTimeoutAsync<IReadOnlyList<OxenGeneration>>(
                async token =>
                {
                    var waits = new Task<OxenGeneration>[generationIds.Count];
                    for (int i = 0; i < waits.Length; i++)
                    {
                        waits[i] = PollAsync(generationIds[i], progress, token);
                    }

                    return await Task.WhenAll(waits).ConfigureAwait(false);
                },
                "generations " + string.Join(", ", generationIds) + " did not all finish",
                cancellationToken);
        }

        private Task<OxenGeneration> PollAsync(string generationId, IProgress<QueueProgress>? progress, CancellationToken cancellationToken)
            => QueueWaiter.WaitAsync(
                poll => GetGenerationAsync(generationId, poll),
                g => g.IsTerminal,
                (g, elapsed) => new QueueProgress(g.Status ?? "(no status)", null, g.ErrorMessage, elapsed) { JobId = g.GenerationId },
                _core.PollInterval(DefaultPollInterval),
                progress,
                cancellationToken);

        /// <summary>
        /// Reads the event stream and yields every completed generation it announces, as they come, until the stream
        /// ends for good or <paramref name="cancellationToken"/> is cancelled; the stream reconnects when a connection
        /// ends. An event may carry only <c>generation_id</c>: then <see cref="OxenGeneration.Status"/> is null and the
        /// result is read with <see cref="GetGenerationAsync"/> (<see cref="WaitForCompletionEventAsync"/> does that).
        /// </summary>
        public async IAsyncEnumerable<OxenGeneration> StreamCompletionsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await foreach (ServerSentEvent item in _core.Http.StreamEventsAsync(_core.Url("/api/events"), cancellationToken).ConfigureAwait(false))
            {
                if (Completion(item) is { } generation)
                {
                    yield return generation;
                }
            }
        }

        /// <summary>
        /// Waits for one generation to finish, by its completion event: the stream is opened first and the generation
        /// read once (so a completion that came before the stream opened is not missed); an event that matches the id
        /// ends the wait even when it carries nothing else, and the result URL is then read from the generation.
        /// </summary>
        /// <exception cref="System.IO.EndOfStreamException">The stream kept ending before the event came.</exception>
        public Task<OxenGeneration> WaitForCompletionEventAsync(string generationId, CancellationToken cancellationToken)
        {
            ArgumentException.ThrowIfNullOrEmpty(generationId);
            return _core.WaitWithTimeoutAsync(
                async token =>
                {
                    EventStream stream = await _core.Http.OpenEventStreamAsync(_core.Url("/api/events"), token).ConfigureAwait(false);
                    // Stryker disable once Boolean : EventStream.DisposeAsync completes at once (it returns default): there is no continuation to post anywhere
                    await using System.Runtime.CompilerServices.ConfiguredAsyncDisposable disposeStream = stream.ConfigureAwait(false);
                    // Stryker disable once Boolean : no caller's context is left to capture: this method has already suspended at an earlier await
                    OxenGeneration now = await GetGenerationAsync(generationId, token).ConfigureAwait(false);
                    if (now.IsTerminal)
                    {
                        return now;
                    }

                    // Stryker disable once Boolean : no caller's context is left to capture: this method has already suspended at an earlier await
                    await foreach (ServerSentEvent item in stream.ReadAllAsync(token).ConfigureAwait(false))
                    {
                        if (Completion(item) is { } generation && generation.GenerationId == generationId)
                        {
                            // Stryker disable once Boolean : no caller's context is left to capture: this method has already suspended at an earlier await
                            return await CompleteAsync(generation, token).ConfigureAwait(false);
                        }
                    }

                    throw new System.IO.EndOfStreamException(_core.Http.Redact("oxen: the event stream ended before the completion event for " + generationId + "."));
                },
                "no completion event for " + generationId,
                cancellationToken);
        }

        /// <summary>An event says the generation is done; what it leaves out is read from the generation itself.</summary>
        private async Task<OxenGeneration> CompleteAsync(OxenGeneration announced, CancellationToken cancellationToken)
        {
            if (announced.ResultUrl != null && (announced.Status == null || announced.Succeeded))
            {
                return announced with { Status = "succeeded" };
            }

            if (announced.IsTerminal && !announced.Succeeded)
            {
                return announced;
            }

            // Stryker disable once Boolean : no caller's context is left to capture: this method has already suspended at an earlier await
            OxenGeneration read = await GetGenerationAsync(announced.GenerationId, cancellationToken).ConfigureAwait(false);
            // The event can come before the generation's own status moves on; then the poll takes over.
            // Stryker disable once Boolean : no caller's context is left to capture: this method has already suspended at an earlier await
            return read.IsTerminal ? read : await PollAsync(announced.GenerationId, null, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>The model object, with its <c>json_request_schema</c>.</summary>
        public Task<JsonElement> GetModelAsync(string modelId, CancellationToken cancellationToken)
            => _core.SendForJsonAsync(HttpMethod.Get, ModelClientCore.Expand("/api/ai/models/{id}", "id", modelId), false, null, cancellationToken);

        private static OxenGeneration? Completion(ServerSentEvent item)
        {
            if (item.Event != CompletedEvent)
            {
                return null;
            }

            try
            {
                using JsonDocument document = JsonDocument.Parse(item.Data);
                return OxenGeneration.Parse(document.RootElement);
            }
            catch (JsonException)
            // Stryker disable once Block : removing the block makes it return default, which is the same null
            {
                return null; // an event this client does not understand is not the one it waits for
            }
        }
    }
}

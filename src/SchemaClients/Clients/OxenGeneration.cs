using System;
using System.Collections.Generic;
using System.Text.Json;

namespace SchemaClients.Clients
{
    /// <summary>Where a generation in Oxen's queue stands, as a typed word beside the raw one in <see cref="OxenGeneration.Status"/>.</summary>
    public enum OxenGenerationState
    {
        /// <summary>A status word this client does not know, or none (a completion event may carry only the id).</summary>
        Unknown,

        /// <summary><c>queued</c>.</summary>
        Queued,

        /// <summary><c>processing</c>.</summary>
        Processing,

        /// <summary><c>succeeded</c>: <see cref="OxenGeneration.ResultUrl"/> has the result.</summary>
        Succeeded,

        /// <summary><c>failed</c>: <see cref="OxenGeneration.ErrorMessage"/> says why, when Oxen says.</summary>
        Failed,

        /// <summary><c>cancelled</c>.</summary>
        Cancelled,
    }

    /// <summary>
    /// A generation in Oxen's queue, as <c>POST /api/ai/queue</c>, <c>GET /api/ai/queue/{id}</c> and the
    /// <c>media_generation_completed</c> event describe it. Every field but the id may be missing.
    /// </summary>
    /// <param name="GenerationId">The generation id.</param>
    /// <param name="Status">The status word as sent (queued, processing, succeeded, failed, cancelled, or one not documented yet); null when absent.</param>
    /// <param name="ResultUrl">Where the result is, once it succeeded.</param>
    /// <param name="ErrorMessage">Why it failed or was cancelled, when Oxen says.</param>
    /// <param name="Json">The whole object as sent.</param>
    public sealed record OxenGeneration(string GenerationId, string? Status, Uri? ResultUrl, string? ErrorMessage, JsonElement Json)
    {
        /// <summary>The status as a typed word.</summary>
        public OxenGenerationState State => Status switch
        {
            "queued" => OxenGenerationState.Queued,
            "processing" => OxenGenerationState.Processing,
            "succeeded" => OxenGenerationState.Succeeded,
            "failed" => OxenGenerationState.Failed,
            "cancelled" => OxenGenerationState.Cancelled,
            _ => OxenGenerationState.Unknown,
        };

        /// <summary>Whether the status is final: succeeded, failed or cancelled.</summary>
        public bool IsTerminal => State is OxenGenerationState.Succeeded or OxenGenerationState.Failed or OxenGenerationState.Cancelled;

        /// <summary>Whether the generation succeeded.</summary>
        public bool Succeeded => State == OxenGenerationState.Succeeded;

        /// <summary>Reads a generation object; <paramref name="fallbackId"/> fills a missing id. Null when there is no id at all.</summary>
        public static OxenGeneration? Parse(JsonElement json, string? fallbackId = null)
        {
            string? id = JsonFields.Text(json, "generation_id", "id") ?? fallbackId;
            if (string.IsNullOrEmpty(id))
            {
                return null;
            }

            return new OxenGeneration(id!, JsonFields.Text(json, "status"), JsonFields.Url(json, "result_url"), JsonFields.Text(json, "error_message"), JsonFields.Detach(json));
        }
    }

    /// <summary>What <c>POST /api/ai/queue</c> answered: one generation per <c>num_generations</c>.</summary>
    /// <param name="Generations">The generations, in the order Oxen listed them.</param>
    /// <param name="Json">The whole answer as sent.</param>
    public sealed record OxenQueueSubmission(IReadOnlyList<OxenGeneration> Generations, JsonElement Json)
    {
        /// <summary>The first generation (the only one unless more were asked for).</summary>
        public OxenGeneration First => Generations[0];

        /// <summary>The ids of every generation.</summary>
        public IReadOnlyList<string> GenerationIds
        {
            get
            {
                var ids = new string[Generations.Count];
                for (int i = 0; i < ids.Length; i++)
                {
                    ids[i] = Generations[i].GenerationId;
                }

                return ids;
            }
        }
    }

    /// <summary>The queue's own parameters, sent beside the model's (Oxen's async queue reference).</summary>
    public sealed class OxenQueueOptions
    {
        /// <summary>The most generations one enqueue may ask for.</summary>
        public const int MaxGenerations = 4;

        /// <summary>How many generations to run in parallel, each with its own id: 1 to 4. Null sends nothing (Oxen's default is 1).</summary>
        public int? NumGenerations { get; init; }

        /// <summary>The namespace that is billed and stores the results. Null sends nothing (the key's own).</summary>
        public string? TargetNamespace { get; init; }
    }
}

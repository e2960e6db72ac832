using System;
using System.Collections.Generic;
using System.Text.Json;

namespace SchemaClients.Clients
{
    /// <summary>Where an apiframe job stands, as a typed word beside the raw one in <see cref="ApiframeJob.Status"/>.</summary>
    public enum ApiframeJobState
    {
        /// <summary>A status word this client does not know, or none.</summary>
        Unknown,

        /// <summary><c>QUEUED</c>.</summary>
        Queued,

        /// <summary><c>PROCESSING</c>, with <see cref="ApiframeJob.Progress"/> from 0 to 100.</summary>
        Processing,

        /// <summary><c>COMPLETED</c>: <see cref="ApiframeJob.ResultUrls"/> has the images.</summary>
        Completed,

        /// <summary><c>FAILED</c>: <see cref="ApiframeJob.Error"/> says why; apiframe refunds the credits.</summary>
        Failed,
    }

    /// <summary>
    /// An apiframe job, as <c>POST /v2/images/generate</c> (202 <c>{jobId, status}</c>) and <c>GET /v2/jobs/{id}</c>
    /// (<c>{id, status, model, progress, result, error, creditCost, webhookStatus, createdAt, completedAt}</c>) describe
    /// it. Every field but the id may be missing; <c>result</c> is read both as a URL string and as
    /// <c>{"images": [...]}</c>, since apiframe's pages show both.
    /// </summary>
    /// <param name="Id">The job id.</param>
    /// <param name="Status">The status word as sent; null when absent.</param>
    /// <param name="Json">The whole object as sent.</param>
    public sealed record ApiframeJob(string Id, string? Status, JsonElement Json)
    {
        /// <summary>The status as a typed word.</summary>
        public ApiframeJobState State => Status switch
        {
            "QUEUED" => ApiframeJobState.Queued,
            "PROCESSING" => ApiframeJobState.Processing,
            "COMPLETED" => ApiframeJobState.Completed,
            "FAILED" => ApiframeJobState.Failed,
            _ => ApiframeJobState.Unknown,
        };

        /// <summary>Whether the job is final: completed or failed.</summary>
        public bool IsTerminal => State is ApiframeJobState.Completed or ApiframeJobState.Failed;

        /// <summary>How far the job is, 0 to 100, while processing.</summary>
        public int? Progress => JsonFields.Int32(Json, "progress") is int p ? Math.Clamp(p, 0, 100) : null;

        /// <summary>The model the job runs.</summary>
        public string? Model => JsonFields.Text(Json, "model");

        /// <summary>The raw <c>result</c> (Undefined until the job completed).</summary>
        public JsonElement Result => JsonFields.Member(Json, "result");

        /// <summary>
        /// The result images: <c>result</c> as a URL, or its <c>images</c> (URL strings or objects with <c>url</c>), or
        /// a <c>url</c> member; empty until the job completed.
        /// </summary>
        public IReadOnlyList<Uri> ResultUrls => UrlsOf(Result);

        /// <summary>Why the job failed, when apiframe says (<c>error</c> as text, or its <c>message</c>).</summary>
        public string? Error
        {
            get
            {
                JsonElement error = JsonFields.Member(Json, "error");
                return error.ValueKind switch
                {
                    JsonValueKind.String => error.GetString(),
                    JsonValueKind.Object => JsonFields.Text(error, "message") ?? error.GetRawText(),
                    JsonValueKind.Undefined or JsonValueKind.Null => null,
                    _ => error.GetRawText(),
                };
            }
        }

        /// <summary>What the job cost, in apiframe credits.</summary>
        public double? CreditCost => JsonFields.Number(Json, "creditCost");

        /// <summary>How the delivery of the job's webhook went, when one was asked for.</summary>
        public string? WebhookStatus => JsonFields.Text(Json, "webhookStatus");

        /// <summary>When the job was created.</summary>
        public DateTimeOffset? CreatedAt => JsonFields.Time(Json, "createdAt");

        /// <summary>When the job ended.</summary>
        public DateTimeOffset? CompletedAt => JsonFields.Time(Json, "completedAt");

        /// <summary>Reads a job (the generate answer or the job object); <paramref name="fallbackId"/> fills a missing id. Null when there is no id at all.</summary>
        public static ApiframeJob? Parse(JsonElement json, string? fallbackId = null)
        {
            string? id = JsonFields.Text(json, "jobId", "id") ?? fallbackId;
            return string.IsNullOrEmpty(id) ? null : new ApiframeJob(id!, JsonFields.Text(json, "status"), JsonFields.Detach(json));
        }

        private static IReadOnlyList<Uri> UrlsOf(JsonElement result)
        {
            var urls = new List<Uri>();
            switch (result.ValueKind)
            {
                case JsonValueKind.String:
                    Add(urls, result.GetString());
                    break;
                case JsonValueKind.Array:
                    AddAll(urls, result);
                    break;
                case JsonValueKind.Object:
                    AddAll(urls, JsonFields.Member(result, "images"));
                    Add(urls, JsonFields.Text(result, "url"));
                    break;
            }

            return urls;
        }

        private static void AddAll(List<Uri> urls, JsonElement images)
        {
            if (images.ValueKind != JsonValueKind.Array)
            {
                return;
            }

            foreach (JsonElement image in images.EnumerateArray())
            {
                Add(urls, image.ValueKind == JsonValueKind.String ? image.GetString() : JsonFields.Text(image, "url"));
            }
        }

        private static void Add(List<Uri> urls, string? text)
        {
            if (JsonFields.AbsoluteUrl(text) is { } url && !urls.Contains(url))
            {
                urls.Add(url);
            }
        }
    }
}

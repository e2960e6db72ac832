using System;
using SchemaClients.Http;

namespace SchemaClients
{
    /// <summary>
    /// Options of a generated client: where the provider is, the key, and how calls behave. Every value has a
    /// default, so <c>new SchemaClientOptions()</c> works when the provider's key is in its environment variable.
    /// </summary>
    public class SchemaClientOptions
    {
        /// <summary>The provider's base URL; null uses the one its documentation gives (for example <c>https://fal.run</c>).</summary>
        public Uri? BaseAddress { get; set; }

        /// <summary>
        /// Where the provider serves its queue when that is another host (fal: <c>https://queue.fal.run</c>); null uses
        /// the documented one, or <see cref="BaseAddress"/> for providers whose queue shares it.
        /// </summary>
        public Uri? QueueBaseAddress { get; set; }

        /// <summary>
        /// Where fal's CDN uploads go (<c>POST /storage/upload/initiate</c>); null uses the documented
        /// <c>https://rest.alpha.fal.ai</c>. Only fal clients and <see cref="Files.FalCdnUploader"/> use it.
        /// </summary>
        public Uri? StorageBaseAddress { get; set; }

        /// <summary>
        /// Hosts local image inputs (a file, bytes, a stream) for providers that take image URLs only (Oxen, apiframe);
        /// fal clients use it instead of fal's CDN when set. Null: fal uploads to its CDN, and the others refuse local
        /// images before anything billed is sent.
        /// </summary>
        public Files.IImageUploader? ImageUploader { get; set; }

        /// <summary>
        /// Sends local image inputs inline as <c>data:</c> URIs instead of uploading them, up to
        /// <see cref="Files.ImageInput.MaxInlineBytes"/> each; only for providers that document data URIs (fal). Default false.
        /// </summary>
        public bool InlineImages { get; set; }

        /// <summary>The API key; null reads <see cref="ApiKeyEnvironmentVariable"/>.</summary>
        public string? ApiKey { get; set; }

        /// <summary>The variable the key is read from when <see cref="ApiKey"/> is null; null uses the provider's own (for example <c>FAL_KEY</c>).</summary>
        public string? ApiKeyEnvironmentVariable { get; set; }

        /// <summary>Whether requests are validated against their schema before they are sent (default true). An invalid request throws <see cref="Validation.SchemaValidationException"/> and nothing is sent.</summary>
        public bool ValidateBeforeSend { get; set; } = true;

        /// <summary>Retries and per-attempt timeout.</summary>
        public RetryOptions Retry { get; set; } = new RetryOptions();

        /// <summary>How often a queued request's status is asked for while waiting; null uses the provider's (fal and Oxen 1 s, apiframe 2 s, as its docs advise).</summary>
        public TimeSpan? PollInterval { get; set; }

        /// <summary>The longest a wait for a queued request may take before it gives up with a <see cref="TimeoutException"/>. Default 10 minutes.</summary>
        public TimeSpan WaitTimeout { get; set; } = TimeSpan.FromMinutes(10);

        /// <summary>
        /// Checks the values; a client checks its options when it is made, and DI registrations check them at start-up
        /// (<c>ValidateOnStart</c>). The message names the option that is wrong.
        /// </summary>
        /// <exception cref="ArgumentOutOfRangeException">A retry option, <see cref="PollInterval"/> or <see cref="WaitTimeout"/> is out of range.</exception>
        /// <exception cref="ArgumentException">A base address is not an absolute http(s) URL, or <see cref="Retry"/> is null.</exception>
        public void Validate()
        {
            if (Retry == null)
            {
                throw new ArgumentException("SchemaClientOptions.Retry cannot be null; leave it at its default to get the default retries.", nameof(Retry));
            }

            Retry.Validate();
            CheckAddress(BaseAddress, nameof(BaseAddress));
            CheckAddress(QueueBaseAddress, nameof(QueueBaseAddress));
            CheckAddress(StorageBaseAddress, nameof(StorageBaseAddress));
            if (PollInterval is { } poll && poll <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(PollInterval), poll, "SchemaClientOptions.PollInterval must be positive (or null for the provider's own).");
            }

            if (WaitTimeout <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(WaitTimeout), WaitTimeout, "SchemaClientOptions.WaitTimeout must be positive.");
            }
        }

        private static void CheckAddress(Uri? address, string name)
        {
            if (address != null && !HttpUrls.IsHttp(address))
            {
                throw new ArgumentException("SchemaClientOptions." + name + " must be an absolute http or https URL, not '" + address.OriginalString + "'.", name);
            }
        }
    }
}

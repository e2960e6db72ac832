using System;
using System.IO;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using SchemaClients.Http;

namespace SchemaClients.Files
{
    /// <summary>
    /// Uploads images to fal's CDN the way fal documents it, in two steps: <c>POST {storage}/storage/upload/initiate</c> with
    /// the content type and a file name (fal's <c>Key</c> auth) answers an <c>upload_url</c> and a <c>file_url</c>; the bytes
    /// go to <c>upload_url</c> with <c>PUT</c> (no key: the URL is signed); <c>file_url</c> is what a request carries. fal's
    /// clients use it for local files; any other provider's client may too (set <see cref="SchemaClientOptions.ImageUploader"/>).
    /// </summary>
    public sealed class FalCdnUploader : IImageUploader
    {
        /// <summary>fal's documented storage host, <c>https://rest.alpha.fal.ai</c>.</summary>
        public static Uri DefaultStorageBaseAddress { get; } = new Uri("https://rest.alpha.fal.ai");

        /// <summary>fal's auth: <c>Authorization: Key $FAL_KEY</c>.</summary>
        public static ProviderAuth Auth { get; } = new ProviderAuth("Authorization", "Key", "FAL_KEY");

        private readonly ProviderHttpClient _http;
        private readonly string _initiate;

        /// <summary>Creates an uploader with its own key and host.</summary>
        /// <param name="http">The HttpClient to send with.</param>
        /// <param name="options">The fal key (<see cref="SchemaClientOptions.ApiKey"/>, else <c>FAL_KEY</c>), the storage host (<see cref="SchemaClientOptions.StorageBaseAddress"/>) and retries; null for the defaults.</param>
        /// <param name="logger">Where uploads are logged; the key never is.</param>
        /// <exception cref="InvalidOperationException">No fal key in the options or the environment.</exception>
        public FalCdnUploader(HttpClient http, SchemaClientOptions? options = null, ILogger? logger = null)
        {
            ArgumentNullException.ThrowIfNull(http);
            options ??= new SchemaClientOptions();
            options.Validate();
            string variable = options.ApiKeyEnvironmentVariable ?? Auth.EnvironmentVariable;
            ApiKey key = !string.IsNullOrWhiteSpace(options.ApiKey) ? new ApiKey(options.ApiKey!)
                : ApiKey.FromEnvironment(variable)
                ?? throw new InvalidOperationException("No fal key for uploads to fal's CDN: set SchemaClientOptions.ApiKey or the " + variable + " environment variable.");
            _http = new ProviderHttpClient(http, "fal", Auth, key, options.Retry, logger);
            StorageBaseAddress = options.StorageBaseAddress ?? DefaultStorageBaseAddress;
            _initiate = StorageBaseAddress.AbsoluteUri.TrimEnd('/') + "/storage/upload/initiate";
        }

        /// <summary>An uploader that sends with a fal client's own transport (its key, retries and logging).</summary>
        internal FalCdnUploader(ProviderHttpClient http, Uri storageBaseAddress)
        {
            _http = http;
            StorageBaseAddress = storageBaseAddress;
            _initiate = storageBaseAddress.AbsoluteUri.TrimEnd('/') + "/storage/upload/initiate";
        }

        /// <summary>The storage host in use.</summary>
        public Uri StorageBaseAddress { get; }

        /// <inheritdoc/>
        /// <exception cref="ProviderApiException">fal refused the upload, or answered without the URLs.</exception>
        public async Task<Uri> UploadAsync(ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken = default)
        {
            ArgumentException.ThrowIfNullOrEmpty(contentType);
            var body = new MemoryStream();
            using (var writer = new Utf8JsonWriter(body))
            {
                writer.WriteStartObject();
                writer.WriteString("content_type", contentType);
                writer.WriteString("file_name", "image" + (ImageFormats.ExtensionFor(contentType) ?? string.Empty));
                writer.WriteEndObject();
            }

            // Not billed: an initiate that may have reached fal is safe to send again.
            ProviderAnswer answer = await _http.SendForAnswerAsync(HttpMethod.Post, _initiate, body.ToArray(), new CallOptions(RetryMode.Repeatable), null, cancellationToken).ConfigureAwait(false);
            Uri upload = AbsoluteUrl(answer, "upload_url");
            Uri file = AbsoluteUrl(answer, "file_url");
            await _http.PutFileAsync(upload, content.ToArray(), contentType, cancellationToken).ConfigureAwait(false);
            return file;
        }

        private static Uri AbsoluteUrl(ProviderAnswer answer, string name)
        {
            if (answer.Json.ValueKind == JsonValueKind.Object && answer.Json.TryGetProperty(name, out JsonElement value)
                && value.ValueKind == JsonValueKind.String && HttpUrls.Parse(value.GetString()) is Uri url)
            {
                return url;
            }

            throw answer.Unexpected("no absolute " + name);
        }
    }
}

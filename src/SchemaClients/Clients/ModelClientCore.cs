using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net.Http;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using SchemaClients.Http;
using SchemaClients.Validation;

namespace SchemaClients.Clients
{
    /// <summary>
    /// The shared part of every generated client: resolves options (base URLs, the key from options or the
    /// environment), validates requests before they are sent, and calls the provider through
    /// <see cref="ProviderHttpClient"/>. Generated clients stay thin wrappers over it.
    /// </summary>
    public sealed class ModelClientCore
    {
        /// <summary>Creates the core for one client.</summary>
        /// <param name="http">The HttpClient to send with (from IHttpClientFactory in apps). Its BaseAddress is not used: URLs come from <paramref name="options"/>.</param>
        /// <param name="options">The client's options.</param>
        /// <param name="description">The provider and model.</param>
        /// <param name="logger">Where calls are logged; the key is never logged.</param>
        /// <exception cref="InvalidOperationException">No key in the options or in the environment variable.</exception>
        /// <exception cref="ArgumentException">The key has a character an HTTP header cannot carry; nothing is sent with it.</exception>
        /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it; see <see cref="SchemaClientOptions.Validate"/>).</exception>
        public ModelClientCore(HttpClient http, SchemaClientOptions options, ClientDescription description, ILogger? logger = null)
        {
            ArgumentNullException.ThrowIfNull(http);
            Options = options ?? throw new ArgumentNullException(nameof(options));
            Description = description ?? throw new ArgumentNullException(nameof(description));
            options.Validate();
            string variable = options.ApiKeyEnvironmentVariable ?? description.Auth.EnvironmentVariable;
            ApiKey key = !string.IsNullOrWhiteSpace(options.ApiKey) ? new ApiKey(options.ApiKey!)
                : ApiKey.FromEnvironment(variable)
                ?? throw new InvalidOperationException(
                    "No API key for " + description.Provider + " " + description.Model + ": set SchemaClientOptions.ApiKey or the " + variable + " environment variable.");
            BaseAddress = options.BaseAddress ?? description.DefaultBaseAddress
                ?? throw new InvalidOperationException(description.Provider + " " + description.Model + ": the schema names no server URL; set SchemaClientOptions.BaseAddress.");
            QueueBaseAddress = options.QueueBaseAddress ?? description.DefaultQueueBaseAddress ?? BaseAddress;
            Http = new ProviderHttpClient(http, description.Provider, description.Auth, key, options.Retry, logger);
            _baseRoot = BaseAddress.AbsoluteUri.TrimEnd('/');
            _queueRoot = QueueBaseAddress.AbsoluteUri.TrimEnd('/');
        }

        private readonly string _baseRoot;
        private readonly string _queueRoot;
        private UrlCache? _lastUrl;

        /// <summary>The options the client was made with.</summary>
        public SchemaClientOptions Options { get; }

        /// <summary>The provider and model.</summary>
        public ClientDescription Description { get; }

        /// <summary>The base URL in use.</summary>
        public Uri BaseAddress { get; }

        /// <summary>The queue base URL in use (the base URL for providers with one host).</summary>
        public Uri QueueBaseAddress { get; }

        /// <summary>The transport.</summary>
        public ProviderHttpClient Http { get; }

        /// <summary>The absolute URL of a path (which may carry a query) on the base or the queue host.</summary>
        public string Url(string path, bool queue = false)
        {
            ArgumentNullException.ThrowIfNull(path);
            UrlCache? last = Volatile.Read(ref _lastUrl);
            if (last != null && last.Queue == queue && string.Equals(last.Path, path, StringComparison.Ordinal))
            // Stryker disable once Block : a cache: without it the same value is worked out again
            {
                return last.Url; // a client calling one endpoint builds its URL once
            }

            string url = (queue ? _queueRoot : _baseRoot) + (path.StartsWith('/') ? path : "/" + path);
            // Stryker disable once Statement : a cache: without it the same value is worked out again
            Volatile.Write(ref _lastUrl, new UrlCache(path, queue, url));
            return url;
        }

        private sealed record UrlCache(string Path, bool Queue, string Url);

        /// <summary>
        /// Validates <paramref name="request"/> when <see cref="SchemaClientOptions.ValidateBeforeSend"/> is on and
        /// serializes it.
        /// </summary>
        /// <exception cref="SchemaValidationException">The request breaks its schema; nothing was sent.</exception>
        public byte[] Serialize<TRequest>(TRequest request, JsonTypeInfo<TRequest> requestType, Func<TRequest, ValidationResult> validate)
        {
            ArgumentNullException.ThrowIfNull(request);
            ArgumentNullException.ThrowIfNull(requestType);
            ArgumentNullException.ThrowIfNull(validate);
            if (Options.ValidateBeforeSend)
            {
                validate(request).ThrowIfInvalid();
            }

            return JsonSerializer.SerializeToUtf8Bytes(request, requestType);
        }

        /// <summary>Validates <paramref name="request"/> when <see cref="SchemaClientOptions.ValidateBeforeSend"/> is on and writes it with its generated converter.</summary>
        /// <exception cref="SchemaValidationException">The request breaks its schema; nothing was sent.</exception>
        public byte[] Serialize<TRequest>(TRequest request, Serialization.SchemaConverter<TRequest> converter, Func<TRequest, ValidationResult> validate)
        {
            ArgumentNullException.ThrowIfNull(request);
            ArgumentNullException.ThrowIfNull(converter);
            ArgumentNullException.ThrowIfNull(validate);
            if (Options.ValidateBeforeSend)
            {
                validate(request).ThrowIfInvalid();
            }

            return converter.ToUtf8Bytes(request);
        }

        /// <summary>
        /// Validates a generated request (its own <see cref="ISchemaValidated.Validate"/>) when
        /// <see cref="SchemaClientOptions.ValidateBeforeSend"/> is on, and writes it with its generated converter.
        /// </summary>
        /// <exception cref="SchemaValidationException">The request breaks its schema; nothing was sent.</exception>
        public byte[] Serialize<TRequest>(TRequest request, Serialization.SchemaConverter<TRequest> converter)
            where TRequest : ISchemaValidated
        {
            ArgumentNullException.ThrowIfNull(request);
            ArgumentNullException.ThrowIfNull(converter);
            if (Options.ValidateBeforeSend)
            {
                request.Validate().ThrowIfInvalid();
            }

            return converter.ToUtf8Bytes(request);
        }

        /// <summary>
        /// Validates a generated request with image inputs, resolves those inputs the way the provider documents (fal:
        /// uploaded to its CDN, or inlined as data URIs with <see cref="SchemaClientOptions.InlineImages"/>; the others:
        /// through <see cref="SchemaClientOptions.ImageUploader"/>), and writes it. Everything is checked before the first
        /// upload, and nothing billed is sent by this method: the caller sends the bytes it returns.
        /// </summary>
        /// <exception cref="SchemaValidationException">The request breaks its schema; nothing was sent.</exception>
        /// <exception cref="InvalidOperationException">A local image the provider cannot be given (no uploader); nothing was sent.</exception>
        /// <exception cref="InvalidDataException">An image over <see cref="Files.ImageInput.MaxFileBytes"/>, or not a PNG, JPEG or WebP; nothing was sent.</exception>
        public Task<byte[]> SerializeAsync<TRequest>(TRequest request, Serialization.SchemaConverter<TRequest> converter, CancellationToken cancellationToken)
            where TRequest : ISchemaValidated
            => SerializeWithAsync(request, converter, Array.Empty<KeyValuePair<string, string>>(), Array.Empty<KeyValuePair<string, string>>(), cancellationToken);

        /// <summary>
        /// <see cref="SerializeAsync{TRequest}(TRequest, Serialization.SchemaConverter{TRequest}, CancellationToken)"/> with members
        /// the schema does not carry, as <see cref="SerializeWith{TRequest}(TRequest, Serialization.SchemaConverter{TRequest}, IReadOnlyList{KeyValuePair{string, string}}, IReadOnlyList{KeyValuePair{string, string}})"/> adds them.
        /// </summary>
        /// <exception cref="SchemaValidationException">The request breaks its schema; nothing was sent.</exception>
        /// <exception cref="InvalidOperationException">A local image the provider cannot be given (no uploader); nothing was sent.</exception>
        /// <exception cref="InvalidDataException">An image over <see cref="Files.ImageInput.MaxFileBytes"/>, or not a PNG, JPEG or WebP; nothing was sent.</exception>
        public async Task<byte[]> SerializeWithAsync<TRequest>(TRequest request, Serialization.SchemaConverter<TRequest> converter, IReadOnlyList<KeyValuePair<string, string>> leading, IReadOnlyList<KeyValuePair<string, string>> trailing, CancellationToken cancellationToken)
            where TRequest : ISchemaValidated
        {
            ArgumentNullException.ThrowIfNull(request);
            ArgumentNullException.ThrowIfNull(converter);
            if (Options.ValidateBeforeSend)
            {
                request.Validate().ThrowIfInvalid();
            }

            var pending = new List<Files.ImageInput>();
            byte[] json;
            using (Files.ImageWriteScope.Collect(pending))
            {
                json = converter.ToUtf8Bytes(request);
            }

            if (pending.Count > 0)
            {
                Dictionary<Files.ImageInput, string> resolved = await Images.ResolveAsync(pending, cancellationToken).ConfigureAwait(false);
                using (Files.ImageWriteScope.Write(resolved))
                {
                    json = converter.ToUtf8Bytes(request);
                }
            }

            return AddMembers(json, leading, trailing);
        }

        private Files.ImageResolver? _images;

        // Stryker disable once Assignment : a cache: without it the same value is worked out again
        private Files.ImageResolver Images => _images ??= CreateImageResolver();

        private Files.ImageResolver CreateImageResolver()
        {
            bool fal = string.Equals(Description.Provider, "fal", StringComparison.OrdinalIgnoreCase);
            Files.IImageUploader? uploader = Options.ImageUploader
                ?? (fal ? new Files.FalCdnUploader(Http, Options.StorageBaseAddress ?? Files.FalCdnUploader.DefaultStorageBaseAddress) : null);
            return new Files.ImageResolver(Description.Provider + " " + Description.Model, fal, Options.InlineImages, uploader, Options.ImageUploader != null);
        }

        /// <summary>
        /// <see cref="Serialize{TRequest}(TRequest, Serialization.SchemaConverter{TRequest})"/> with members the schema does
        /// not carry, as <see cref="SerializeWith{TRequest}(TRequest, JsonTypeInfo{TRequest}, Func{TRequest, ValidationResult}, IReadOnlyList{KeyValuePair{string, string}}, IReadOnlyList{KeyValuePair{string, string}})"/> adds them.
        /// </summary>
        /// <exception cref="SchemaValidationException">The request breaks its schema; nothing was sent.</exception>
        public byte[] SerializeWith<TRequest>(TRequest request, Serialization.SchemaConverter<TRequest> converter, IReadOnlyList<KeyValuePair<string, string>> leading, IReadOnlyList<KeyValuePair<string, string>> trailing)
            where TRequest : ISchemaValidated
            => AddMembers(Serialize(request, converter), leading, trailing);

        /// <summary>
        /// <see cref="SerializeWith{TRequest}(TRequest, JsonTypeInfo{TRequest}, Func{TRequest, ValidationResult}, IReadOnlyList{KeyValuePair{string, string}}, IReadOnlyList{KeyValuePair{string, string}})"/>
        /// with the request's generated converter.
        /// </summary>
        /// <exception cref="SchemaValidationException">The request breaks its schema; nothing was sent.</exception>
        public byte[] SerializeWith<TRequest>(TRequest request, Serialization.SchemaConverter<TRequest> converter, Func<TRequest, ValidationResult> validate, IReadOnlyList<KeyValuePair<string, string>> leading, IReadOnlyList<KeyValuePair<string, string>> trailing)
            => AddMembers(Serialize(request, converter, validate), leading, trailing);

        /// <summary>
        /// Validates <paramref name="request"/> (as <see cref="Serialize{TRequest}(TRequest, JsonTypeInfo{TRequest}, Func{TRequest, ValidationResult})"/> does) and serializes it with members
        /// the schema does not carry: <paramref name="leading"/> before the request's own (Oxen's <c>model</c>), and
        /// <paramref name="trailing"/> after them (Oxen's queue parameters). A member the request already has is not
        /// written twice. Values are JSON text.
        /// </summary>
        /// <exception cref="SchemaValidationException">The request breaks its schema; nothing was sent.</exception>
        public byte[] SerializeWith<TRequest>(TRequest request, JsonTypeInfo<TRequest> requestType, Func<TRequest, ValidationResult> validate, IReadOnlyList<KeyValuePair<string, string>> leading, IReadOnlyList<KeyValuePair<string, string>> trailing)
            => AddMembers(Serialize(request, requestType, validate), leading, trailing);

        private static byte[] AddMembers(byte[] json, IReadOnlyList<KeyValuePair<string, string>> leading, IReadOnlyList<KeyValuePair<string, string>> trailing)
        {
            ArgumentNullException.ThrowIfNull(leading);
            ArgumentNullException.ThrowIfNull(trailing);
            if (leading.Count == 0 && trailing.Count == 0)
            {
                return json;
            }

            using JsonDocument document = JsonDocument.Parse(json);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return json;
            }

            var buffer = new MemoryStream(json.Length + 64);
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                WriteMissing(writer, root, leading);
                foreach (JsonProperty property in root.EnumerateObject())
                {
                    property.WriteTo(writer);
                }

                WriteMissing(writer, root, trailing);
                writer.WriteEndObject();
            }

            return buffer.ToArray();
        }

        private static void WriteMissing(Utf8JsonWriter writer, JsonElement root, IReadOnlyList<KeyValuePair<string, string>> members)
        {
            foreach (KeyValuePair<string, string> member in members)
            {
                if (!root.TryGetProperty(member.Key, out _))
                {
                    writer.WritePropertyName(member.Key);
                    writer.WriteRawValue(member.Value);
                }
            }
        }

        /// <summary>The poll interval: the options' own, else the provider's default.</summary>
        public TimeSpan PollInterval(TimeSpan providerDefault) => Options.PollInterval ?? providerDefault;

        /// <summary>Serializes an untyped body (for operations whose body schema is not a generated record); it is not validated here.</summary>
        public byte[] SerializeJson(JsonElement body)
        {
            var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                body.WriteTo(writer);
            }

            return buffer.ToArray();
        }

        /// <summary>Sends a body and reads a typed answer with its generated converter.</summary>
        public Task<TResponse> SendAsync<TResponse>(HttpMethod method, string path, bool queue, byte[]? body, Serialization.SchemaConverter<TResponse> converter, CancellationToken cancellationToken)
            => Http.SendBytesAsync(method, Url(path, queue), body, converter, default, cancellationToken);

        /// <summary>Sends a body and reads a typed answer.</summary>
        public Task<TResponse> SendAsync<TResponse>(HttpMethod method, string path, bool queue, byte[]? body, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
            => Http.SendBytesAsync(method, Url(path, queue), body, responseType, cancellationToken);

        /// <summary>Sends a body (or none) and reads an answer whose shape the provider does not document.</summary>
        public Task<JsonElement> SendForJsonAsync(HttpMethod method, string path, bool queue, byte[]? body, CancellationToken cancellationToken)
            => Http.SendJsonAsync(method, Url(path, queue), body, cancellationToken);

        /// <summary>
        /// Runs a wait (polling, an event stream) for at most <see cref="SchemaClientOptions.WaitTimeout"/>: running out
        /// of time is a <see cref="TimeoutException"/> naming <paramref name="what"/>; the caller's cancellation stays an
        /// <see cref="OperationCanceledException"/>.
        /// </summary>
        public async Task<T> WaitWithTimeoutAsync<T>(Func<CancellationToken, Task<T>> wait, string what, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(wait);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Options.WaitTimeout);
            try
            {
                return await wait(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException(Http.Redact(Description.Provider + ": " + what + " within " + Options.WaitTimeout + "."));
            }
        }

        /// <summary>Downloads a result file into <paramref name="destination"/>; returns the bytes written (-1 when the stream cannot tell).</summary>
        public Task<long> DownloadAsync(Uri url, Stream destination, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(url);
            ArgumentNullException.ThrowIfNull(destination);
            return Http.DownloadAsync(url, destination, cancellationToken);
        }

        /// <summary>
        /// Downloads a result file to <paramref name="path"/>: written to a temporary file beside it and moved into
        /// place only when complete, so a failed download never leaves a partial file or harms an existing one.
        /// </summary>
        public Task<long> DownloadToFileAsync(Uri url, string path, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(url);
            ArgumentException.ThrowIfNullOrEmpty(path);
            return WriteAtomicallyAsync(Path.GetFullPath(path), file => Http.DownloadAsync(url, file, cancellationToken), cancellationToken);
        }

        /// <summary>
        /// Saves a result file given as an answer has it: a <c>data:</c> URI (fal's <c>sync_mode</c>) is decoded and written
        /// with no HTTP request; an http(s) URL is downloaded with no key. The extension of <paramref name="path"/> follows
        /// the content type when one is known (<paramref name="contentType"/>, else the data URI's own), so a JPEG is not
        /// saved as <c>.png</c>. Written to a temporary file and moved into place, so a failure or a cancellation leaves no
        /// partial file and an existing file untouched.
        /// </summary>
        /// <param name="fileUrl">The URL or data URI from the answer.</param>
        /// <param name="path">The file to write; its extension may change (see the returned path).</param>
        /// <param name="contentType">The content type the answer gives for the file (fal's <c>content_type</c>); null when it gives none.</param>
        /// <param name="cancellationToken">Cancels the download or the write.</param>
        /// <exception cref="InvalidDataException">A data URI that is not valid Base64, or over <see cref="ResultFiles.MaxDataUriBytes"/>.</exception>
        public async Task<SavedFile> SaveAsync(string fileUrl, string path, string? contentType, CancellationToken cancellationToken)
        {
            ArgumentException.ThrowIfNullOrEmpty(fileUrl);
            ArgumentException.ThrowIfNullOrEmpty(path);
            if (Files.DataUri.IsDataUri(fileUrl))
            {
                byte[] bytes = Files.DataUri.Decode(fileUrl, ResultFiles.MaxDataUriBytes, "The result's data URI");
                Files.DataUri.TryParseHeader(fileUrl, out string dataType, out _);
                string type = contentType ?? Files.ImageFormats.Sniff(bytes) ?? dataType;
                string target = ResultFiles.PathFor(path, type);
                await WriteAtomicallyAsync(target, async file =>
                {
                    await file.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
                    return bytes.LongLength;
                }, cancellationToken).ConfigureAwait(false);
                return new SavedFile(target, bytes.LongLength, type);
            }

            if (HttpUrls.Parse(fileUrl) is not Uri url)
            {
                throw new ArgumentException("A result file is an http(s) URL or a data: URI, not '" + Http.Redact(fileUrl.Length > 80 ? fileUrl.Substring(0, 80) + "..." : fileUrl) + "'.", nameof(fileUrl));
            }

            string destination = ResultFiles.PathFor(path, contentType);
            long written = await WriteAtomicallyAsync(destination, file => Http.DownloadAsync(url, file, cancellationToken), cancellationToken).ConfigureAwait(false);
            return new SavedFile(destination, written, contentType);
        }

        private static async Task<long> WriteAtomicallyAsync(string path, Func<FileStream, Task<long>> write, CancellationToken cancellationToken)
        {
            string full = Path.GetFullPath(path);
            string temp = Path.Combine(Path.GetDirectoryName(full) ?? ".", "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp");
            try
            {
                long written;
                // Stryker disable once Boolean : on Linux, where the tests run, FileStream has no async file I/O and runs both kinds on the thread pool (dotnet/runtime#14134); on Windows the flag selects overlapped I/O
                var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true);
                await using (file.ConfigureAwait(false))
                {
                    written = await write(file).ConfigureAwait(false);
                }

                cancellationToken.ThrowIfCancellationRequested();
                File.Move(temp, full, overwrite: true);
                return written;
            }
            finally
            {
                if (File.Exists(temp))
                {
                    File.Delete(temp);
                }
            }
        }

        /// <summary>Puts a path parameter into a path template, escaped.</summary>
        public static string Expand(string template, string name, string value)
            => template.Replace("{" + name + "}", Uri.EscapeDataString(value ?? throw new ArgumentNullException(name)), StringComparison.Ordinal);

        /// <summary>Appends a query parameter when it has a value.</summary>
        public static string Query(string path, string name, string? value)
            => value == null ? path : path + (path.Contains('?', StringComparison.Ordinal) ? "&" : "?") + Uri.EscapeDataString(name) + "=" + Uri.EscapeDataString(value);

        /// <summary>The query text of a value: invariant culture, booleans as <c>true</c>/<c>false</c>.</summary>
        public static string? QueryValue(object? value) => value switch
        {
            null => null,
            bool b => b ? "true" : "false",
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString(),
        };
    }
}

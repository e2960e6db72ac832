using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace SchemaClients.Files
{
    /// <summary>What an <see cref="ImageInput"/> was made from.</summary>
    public enum ImageInputKind
    {
        /// <summary>An absolute http or https URL, sent as it is.</summary>
        Url,

        /// <summary>A <c>data:</c> URI with Base64 content.</summary>
        DataUri,

        /// <summary>A local file, read when the request is sent.</summary>
        File,

        /// <summary>Bytes in memory.</summary>
        Bytes,

        /// <summary>A stream, read once when the request is first sent.</summary>
        Stream,
    }

    /// <summary>
    /// An image a model takes as input (a reference image to edit or to follow): a URL, a data URI, a local file, bytes or
    /// a stream. Generated request properties for image inputs (<c>input_image</c>, <c>image_urls</c>,
    /// <c>fluxParams.input_images</c>) have this type. A string converts to it when it is an http(s) URL or a data URI, so
    /// <c>InputImage = ["https://example.com/cat.png"]</c> keeps working.
    /// </summary>
    /// <remarks>
    /// Before a request is sent, its client turns every input into what its provider documents: fal uploads local
    /// content to its CDN (or sends a data URI when <see cref="SchemaClientOptions.InlineImages"/> is set); Oxen and
    /// apiframe take URLs only, so local content goes through <see cref="SchemaClientOptions.ImageUploader"/>, and without
    /// one the call fails before anything billed is sent. Content is checked first: at most <see cref="MaxFileBytes"/>,
    /// and a PNG, JPEG or WebP signature in its first bytes, which decides the content type (a JPEG named <c>.png</c> is sent
    /// as <c>image/jpeg</c>).
    /// </remarks>
    [System.Text.Json.Serialization.JsonConverter(typeof(ImageInputConverter))]
    public sealed class ImageInput
    {
        /// <summary>
        /// The largest image accepted from a file, bytes or a stream: 20 MiB. The providers take up to 4 megapixels; a 4 MP
        /// RGBA PNG stored with no compression at all is 16.8 MB, so every real reference image fits, and a larger file is
        /// almost surely the wrong one.
        /// </summary>
        public const long MaxFileBytes = 20L * 1024 * 1024;

        /// <summary>
        /// The largest image sent inline as a data URI: 4 MiB (5.6 MB of Base64 in the JSON body). fal documents that large
        /// data URIs slow requests; above this, upload the file instead.
        /// </summary>
        public const long MaxInlineBytes = 4L * 1024 * 1024;

        private readonly ReadOnlyMemory<byte> _bytes;
        private readonly Stream? _stream;
        private readonly string? _declaredType;
        private Task<ImageContent>? _streamRead;
        private readonly object _gate = new object();

        private ImageInput(ImageInputKind kind, Uri? url, string? dataUri, string? path, ReadOnlyMemory<byte> bytes, Stream? stream, string? contentType, string? fileName)
        {
            Kind = kind;
            Url = url;
            DataUri = dataUri;
            Path = path;
            _bytes = bytes;
            _stream = stream;
            _declaredType = contentType;
            FileName = fileName;
            _streamStart = stream != null && stream.CanSeek ? stream.Position : 0;
        }

        private readonly long _streamStart;

        /// <summary>What the input was made from.</summary>
        public ImageInputKind Kind { get; }

        /// <summary>The URL, for <see cref="ImageInputKind.Url"/>.</summary>
        public Uri? Url { get; }

        /// <summary>The data URI, for <see cref="ImageInputKind.DataUri"/>.</summary>
        public string? DataUri { get; }

        /// <summary>The file path, for <see cref="ImageInputKind.File"/>.</summary>
        public string? Path { get; }

        /// <summary>The file name given (or the file's own name); uploads use it.</summary>
        public string? FileName { get; }

        /// <summary>Whether the input is a URL, which every provider takes as it is.</summary>
        public bool IsUrl => Kind == ImageInputKind.Url;

        /// <summary>An absolute http or https URL.</summary>
        /// <exception cref="ArgumentException">Not an absolute http or https URL.</exception>
        public static ImageInput FromUrl(Uri url)
        {
            ArgumentNullException.ThrowIfNull(url);
            if (!Http.HttpUrls.IsHttp(url))
            {
                throw new ArgumentException("An image URL must be an absolute http or https URL, not '" + Shorten(url.OriginalString) + "'. For a local file use ImageInput.FromFile.", nameof(url));
            }

            return new ImageInput(ImageInputKind.Url, url, null, null, default, null, null, null);
        }

        /// <summary>An http(s) URL or a <c>data:</c> URI, as a string.</summary>
        /// <exception cref="ArgumentException">Neither an absolute http(s) URL nor a Base64 data URI.</exception>
        public static ImageInput Parse(string urlOrDataUri)
        {
            ArgumentNullException.ThrowIfNull(urlOrDataUri);
            if (urlOrDataUri.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
            {
                return FromDataUri(urlOrDataUri);
            }

            if (Http.HttpUrls.Parse(urlOrDataUri) is Uri url)
            {
                return new ImageInput(ImageInputKind.Url, url, null, null, default, null, null, null);
            }

            throw new ArgumentException("An image input given as text must be an absolute http or https URL or a data: URI, not '" + Shorten(urlOrDataUri) + "'. For a local file use ImageInput.FromFile.", nameof(urlOrDataUri));
        }

        /// <summary>A <c>data:image/...;base64,...</c> URI. Its content is checked when the request is sent.</summary>
        /// <exception cref="ArgumentException">Not a Base64 data URI.</exception>
        public static ImageInput FromDataUri(string dataUri)
        {
            ArgumentNullException.ThrowIfNull(dataUri);
            if (!Files.DataUri.TryParseHeader(dataUri, out _, out _))
            {
                throw new ArgumentException("Not a Base64 data URI (data:<type>;base64,<data>): '" + Shorten(dataUri) + "'.", nameof(dataUri));
            }

            return new ImageInput(ImageInputKind.DataUri, null, dataUri, null, default, null, null, null);
        }

        /// <summary>A local file, read when the request is sent (so a missing file fails then, before anything billed).</summary>
        public static ImageInput FromFile(string path)
        {
            ArgumentException.ThrowIfNullOrEmpty(path);
            return new ImageInput(ImageInputKind.File, null, null, path, default, null, null, System.IO.Path.GetFileName(path));
        }

        /// <summary>Bytes in memory. The content type is told from the bytes; <paramref name="contentType"/> only names what you expect.</summary>
        public static ImageInput FromBytes(ReadOnlyMemory<byte> bytes, string? contentType = null, string? fileName = null)
            => new ImageInput(ImageInputKind.Bytes, null, null, null, bytes, null, contentType, fileName);

        /// <summary>A stream, read to its end (at most <see cref="MaxFileBytes"/>) the first time the request is sent; the caller keeps ownership.</summary>
        public static ImageInput FromStream(Stream stream, string? contentType = null, string? fileName = null)
        {
            ArgumentNullException.ThrowIfNull(stream);
            if (!stream.CanRead)
            {
                throw new ArgumentException("The image stream cannot be read.", nameof(stream));
            }

            return new ImageInput(ImageInputKind.Stream, null, null, null, default, stream, contentType, fileName);
        }

        /// <summary>An http(s) URL or a data URI; see <see cref="Parse"/>.</summary>
        public static implicit operator ImageInput(string urlOrDataUri) => Parse(urlOrDataUri);

        /// <summary>An http(s) URL; see <see cref="FromUrl(Uri)"/>.</summary>
        public static implicit operator ImageInput(Uri url) => FromUrl(url);

        /// <summary>What the input is, for messages: the URL, <c>file 'cat.png'</c>, <c>data URI (image/png)</c>, <c>12,345 bytes</c>. Never the content.</summary>
        public override string ToString() => Kind switch
        {
            ImageInputKind.Url => Url!.ToString(),
            ImageInputKind.DataUri => "data URI (" + (Files.DataUri.TryParseHeader(DataUri!, out string? type, out _) ? type : "?") + ", " + DataUri!.Length.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) + " characters)",
            ImageInputKind.File => "file '" + Path + "'",
            ImageInputKind.Bytes => _bytes.Length.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) + " bytes" + (FileName != null ? " ('" + FileName + "')" : string.Empty),
            _ => "stream" + (FileName != null ? " ('" + FileName + "')" : string.Empty),
        };

        /// <summary>
        /// Reads the content (not for URLs), checks its size and its signature, and gives it with the content type its bytes
        /// show. A stream is read once; later calls give the same bytes.
        /// </summary>
        /// <exception cref="InvalidOperationException">The input is a URL.</exception>
        /// <exception cref="InvalidDataException">Over <see cref="MaxFileBytes"/>, or not a PNG, JPEG or WebP image.</exception>
        /// <exception cref="FileNotFoundException">The file does not exist.</exception>
        public Task<ImageContent> ReadAsync(CancellationToken cancellationToken = default)
        {
            switch (Kind)
            {
                case ImageInputKind.Url:
                    throw new InvalidOperationException("A URL input has no content to read: it is sent as it is.");
                case ImageInputKind.DataUri:
                    return Task.FromResult(FromChecked(Files.DataUri.Decode(DataUri!, MaxFileBytes, ToString()), null));
                case ImageInputKind.Bytes:
                    CheckSize(_bytes.Length);
                    return Task.FromResult(FromChecked(_bytes, _declaredType));
                case ImageInputKind.File:
                    return ReadFileAsync(cancellationToken);
                default:
                    lock (_gate)
                    {
                        if (_streamRead == null || _streamRead.IsCanceled)
                        {
                            _streamRead = ReadStreamAsync(_streamRead != null, cancellationToken);
                        }

                        return _streamRead;
                    }
            }
        }

        private async Task<ImageContent> ReadFileAsync(CancellationToken cancellationToken)
        {
            var info = new FileInfo(Path!);
            if (!info.Exists)
            {
                throw new FileNotFoundException("The image file '" + Path + "' does not exist.", Path);
            }

            CheckSize(info.Length);
            byte[] bytes = await System.IO.File.ReadAllBytesAsync(info.FullName, cancellationToken).ConfigureAwait(false);
            CheckSize(bytes.Length); // the file may have grown since
            return FromChecked(bytes, null);
        }

        private async Task<ImageContent> ReadStreamAsync(bool again, CancellationToken cancellationToken)
        {
            if (again)
            {
                // A send that was cancelled read part of the stream: start over where it started, or say it cannot be.
                if (!_stream!.CanSeek)
                {
                    throw new InvalidOperationException("The image stream was partly read by a send that was cancelled and cannot seek back; pass a new ImageInput.FromStream.");
                }

                _stream.Position = _streamStart;
            }

            var buffer = new MemoryStream();
            byte[] chunk = new byte[81920];
            int read;
            while ((read = await _stream!.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                buffer.Write(chunk, 0, read);
                CheckSize(buffer.Length);
            }

            return FromChecked(buffer.ToArray(), _declaredType);
        }

        private void CheckSize(long length)
        {
            if (length > MaxFileBytes)
            {
                throw new InvalidDataException("The image " + ToString() + " is over " + (MaxFileBytes / (1024 * 1024)) + " MiB (ImageInput.MaxFileBytes); no FLUX.2 reference image needs that much. Scale it down or pass a URL.");
            }
        }

        private ImageContent FromChecked(ReadOnlyMemory<byte> bytes, string? declared)
        {
            string type = ImageFormats.Sniff(bytes.Span)
                ?? throw new InvalidDataException("The image " + ToString() + " is not a PNG, JPEG or WebP image (its first bytes say otherwise" + (declared != null ? "; it was declared " + declared : string.Empty) + ").");
            string name = FileName ?? ("image" + ImageFormats.ExtensionFor(type));
            return new ImageContent(bytes, type, name);
        }

        private static string Shorten(string text) => text.Length <= 80 ? text : text.Substring(0, 80) + "...";
    }

    /// <summary>The checked content of a local image input.</summary>
    /// <param name="Bytes">The image bytes.</param>
    /// <param name="ContentType">The type its signature shows: <c>image/png</c>, <c>image/jpeg</c> or <c>image/webp</c>.</param>
    /// <param name="FileName">A file name for uploads: the one given, else <c>image</c> with the type's extension.</param>
    public sealed record ImageContent(ReadOnlyMemory<byte> Bytes, string ContentType, string FileName);
}

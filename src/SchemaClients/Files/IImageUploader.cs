using System;
using System.Threading;
using System.Threading.Tasks;

namespace SchemaClients.Files
{
    /// <summary>
    /// Hosts an image and gives the URL a provider can fetch it from. Oxen and apiframe take image URLs only, so a local
    /// file, bytes or a stream sent to them goes through one (set <see cref="SchemaClientOptions.ImageUploader"/>);
    /// <see cref="FalCdnUploader"/> is one, and a bucket of your own with signed URLs is another.
    /// </summary>
    /// <remarks>
    /// An upload is not billed, so clients may repeat it after a failure; the billed call is sent only after every upload
    /// succeeded. An uploader should give a URL that stays valid at least as long as the provider's queue may wait.
    /// </remarks>
    public interface IImageUploader
    {
        /// <summary>Uploads <paramref name="content"/> and returns its absolute http(s) URL.</summary>
        /// <param name="content">The image bytes (already checked: at most <see cref="ImageInput.MaxFileBytes"/>, a PNG, JPEG or WebP).</param>
        /// <param name="contentType">The type the bytes' signature shows: <c>image/png</c>, <c>image/jpeg</c> or <c>image/webp</c>.</param>
        /// <param name="cancellationToken">Cancels the upload.</param>
        Task<Uri> UploadAsync(ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken = default);
    }
}

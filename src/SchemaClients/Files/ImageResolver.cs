using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;

namespace SchemaClients.Files
{
    /// <summary>
    /// Turns a request's image inputs into what its provider takes, before the billed call: every input is checked
    /// first (a way to send it, its size, its signature), so nothing is uploaded for a request that cannot be sent,
    /// and only then are local inputs uploaded (or, on fal when asked, inlined as data URIs).
    /// </summary>
    internal sealed class ImageResolver
    {
        private readonly string _who;
        private readonly bool _acceptsDataUris;
        private readonly bool _inline;
        private readonly IImageUploader? _uploader;
        private readonly bool _ownUploader;

        /// <param name="who">The provider and model, for messages.</param>
        /// <param name="acceptsDataUris">Whether the provider documents data URIs for image inputs (fal).</param>
        /// <param name="inline">Whether local content is sent as data URIs rather than uploaded (<see cref="SchemaClientOptions.InlineImages"/>).</param>
        /// <param name="uploader">The uploader: the options' own, else the provider's (fal's CDN), else none.</param>
        /// <param name="ownUploader">Whether <paramref name="uploader"/> came from the options.</param>
        public ImageResolver(string who, bool acceptsDataUris, bool inline, IImageUploader? uploader, bool ownUploader)
        {
            _who = who;
            _acceptsDataUris = acceptsDataUris;
            _inline = inline;
            _uploader = uploader;
            _ownUploader = ownUploader;
        }

        public async Task<Dictionary<ImageInput, string>> ResolveAsync(IReadOnlyList<ImageInput> inputs, CancellationToken cancellationToken)
        {
            if (!_acceptsDataUris && _uploader == null)
            {
                throw new InvalidOperationException(
                    _who + " takes image URLs only (its documentation names no upload and no data URIs), so the image input " + inputs[0]
                    + " cannot be sent. Pass an https URL, or set SchemaClientOptions.ImageUploader to an IImageUploader that hosts the file "
                    + "(FalCdnUploader uploads to fal's CDN with a fal key). Nothing was sent.");
            }

            if (_inline && !_acceptsDataUris)
            {
                throw new InvalidOperationException(_who + " takes no data URIs, so SchemaClientOptions.InlineImages cannot be used with it; unset it to upload through SchemaClientOptions.ImageUploader. Nothing was sent.");
            }

            // Read and check everything before the first upload: a bad third file must not leave two uploads behind.
            var contents = new ImageContent?[inputs.Count];
            for (int i = 0; i < inputs.Count; i++)
            {
                ImageInput input = inputs[i];
                bool sentAsGiven = input.Kind == ImageInputKind.DataUri && _acceptsDataUris && input.DataUri!.Length <= InlineCharacters;
                ImageContent content = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
                if (!sentAsGiven && _inline && content.Bytes.Length > ImageInput.MaxInlineBytes)
                {
                    throw new InvalidOperationException(
                        "The image input " + input + " is " + content.Bytes.Length.ToString("N0", CultureInfo.InvariantCulture) + " bytes, over the "
                        + ImageInput.MaxInlineBytes.ToString("N0", CultureInfo.InvariantCulture) + " sent inline as a data URI (ImageInput.MaxInlineBytes): large data URIs slow "
                        + _who + " requests. Unset SchemaClientOptions.InlineImages to upload it instead. Nothing was sent.");
                }

                contents[i] = sentAsGiven ? null : content;
            }

            var resolved = new Dictionary<ImageInput, string>(inputs.Count);
            for (int i = 0; i < inputs.Count; i++)
            {
                ImageInput input = inputs[i];
                ImageContent? content = contents[i];
                if (content == null)
                {
                    resolved[input] = input.DataUri!;
                }
                else if (_inline)
                {
                    resolved[input] = DataUri.Create(content.Bytes.Span, content.ContentType);
                }
                else
                {
                    Uri url = await _uploader!.UploadAsync(content.Bytes, content.ContentType, cancellationToken).ConfigureAwait(false);
                    if (!Http.HttpUrls.IsHttp(url))
                    {
                        throw new InvalidOperationException((_ownUploader ? "SchemaClientOptions.ImageUploader" : "The uploader") + " gave '" + url + "' for " + input + ", not an absolute http(s) URL. Nothing billed was sent.");
                    }

                    resolved[input] = url!.AbsoluteUri;
                }
            }

            return resolved;
        }

        /// <summary>A data URI given as such is sent as it is up to the inline limit (in Base64 characters).</summary>
        private static long InlineCharacters => (ImageInput.MaxInlineBytes + 2) / 3 * 4 + 64;
    }
}

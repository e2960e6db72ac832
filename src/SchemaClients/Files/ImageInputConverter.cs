using System;
using System.Collections.Generic;
using System.Text.Json;
using SchemaClients.Serialization;

namespace SchemaClients.Files
{
    /// <summary>Reads and writes <see cref="ImageInput"/> as the string the provider takes; see <see cref="PrimitiveConverters.Image"/>.</summary>
    public sealed class ImageInputConverter : SchemaConverter<ImageInput>
    {
        /// <inheritdoc/>
        public override ImageInput ReadValue(ref Utf8JsonReader reader)
        {
            string text = JsonIo.ReadString(ref reader);
            try
            {
                return ImageInput.Parse(text);
            }
            catch (ArgumentException e)
            {
                throw new JsonException(e.Message, e);
            }
        }

        /// <inheritdoc/>
        public override void WriteValue(Utf8JsonWriter writer, ImageInput value)
        {
            ArgumentNullException.ThrowIfNull(writer);
            ArgumentNullException.ThrowIfNull(value);
            writer.WriteStringValue(ImageWriteScope.WireValue(value));
        }
    }

    /// <summary>
    /// What the image converter writes during one serialization on this thread: in a collecting pass it notes every input
    /// that is not a URL (and writes a placeholder); in the final pass it writes each input's resolved URL or data URI.
    /// Serialization is synchronous, so a thread-local scope is exactly one serialization.
    /// </summary>
    internal sealed class ImageWriteScope : IDisposable
    {
        [ThreadStatic]
        private static ImageWriteScope? t_current;

        private readonly ImageWriteScope? _outer;
        private readonly List<ImageInput>? _collected;
        private readonly IReadOnlyDictionary<ImageInput, string>? _resolved;

        private ImageWriteScope(List<ImageInput>? collected, IReadOnlyDictionary<ImageInput, string>? resolved)
        {
            _collected = collected;
            _resolved = resolved;
            _outer = t_current;
            t_current = this;
        }

        /// <summary>Starts a pass that collects the inputs that need resolving into <paramref name="into"/>.</summary>
        public static ImageWriteScope Collect(List<ImageInput> into) => new ImageWriteScope(into, null);

        /// <summary>Starts a pass that writes resolved values.</summary>
        public static ImageWriteScope Write(IReadOnlyDictionary<ImageInput, string> resolved) => new ImageWriteScope(null, resolved);

        public void Dispose() => t_current = _outer;

        public static string WireValue(ImageInput value)
        {
            if (value.Kind == ImageInputKind.Url)
            {
                return value.Url!.AbsoluteUri;
            }

            ImageWriteScope? scope = t_current;
            if (scope?._collected != null)
            {
                if (!scope._collected.Contains(value))
                {
                    scope._collected.Add(value);
                }

                return string.Empty;
            }

            if (scope?._resolved != null && scope._resolved.TryGetValue(value, out string? wire))
            {
                return wire;
            }

            if (value.Kind == ImageInputKind.DataUri)
            {
                return value.DataUri!; // given as a data URI: written as given
            }

            throw new InvalidOperationException(
                "The image input " + value + " has to be uploaded before it is sent. Send the request with a generated client (it uploads or rejects it "
                + "before anything billed is sent), or pass a URL.");
        }
    }
}

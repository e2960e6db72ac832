using System;
using System.IO;

namespace SchemaClients.Files
{
    /// <summary>
    /// <c>data:</c> URIs with Base64 content (RFC 2397), as fal takes them for file inputs and gives them for
    /// <c>sync_mode</c> results: <c>data:image/png;base64,iVBOR...</c>.
    /// </summary>
    public static class DataUri
    {
        /// <summary>Whether <paramref name="text"/> starts like a data URI (<c>data:</c>, any case).</summary>
        public static bool IsDataUri(string? text) => text != null && text.StartsWith("data:", StringComparison.OrdinalIgnoreCase);

        /// <summary>
        /// Reads the header of a Base64 data URI: its media type (<c>text/plain</c> when it names none, as RFC 2397 says)
        /// and where the data starts. False for a data URI without <c>;base64</c> or without a comma.
        /// </summary>
        public static bool TryParseHeader(string text, out string contentType, out int dataStart)
        {
            contentType = string.Empty;
            dataStart = -1;
            if (!IsDataUri(text))
            {
                return false;
            }

            int comma = text.IndexOf(',', 5);
            if (comma < 0 || comma > 1024)
            {
                return false;
            }

            string[] parts = text.Substring(5, comma - 5).Split(';');
            if (!string.Equals(parts[parts.Length - 1].Trim(), "base64", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }

            string type = parts[0].Trim();
            contentType = type.Length == 0 ? "text/plain" : type.ToLowerInvariant();
            dataStart = comma + 1;
            return true;
        }

        /// <summary>Decodes a Base64 data URI's content, refusing more than <paramref name="maxBytes"/> before decoding.</summary>
        /// <param name="text">The data URI.</param>
        /// <param name="maxBytes">The most bytes accepted.</param>
        /// <param name="what">What the URI is, for messages (never its content).</param>
        /// <exception cref="InvalidDataException">Not a Base64 data URI, bad Base64, or too large.</exception>
        public static byte[] Decode(string text, long maxBytes, string what)
        {
            ArgumentNullException.ThrowIfNull(text);
            if (!TryParseHeader(text, out _, out int start))
            {
                throw new InvalidDataException(what + " is not a Base64 data URI (data:<type>;base64,<data>).");
            }

            long estimate = (text.Length - start) / 4L * 3;
            if (estimate > maxBytes + 3)
            {
                throw TooLarge(what, "about " + Count(estimate), maxBytes); // refused before any decoding
            }

            try
            {
                // URL-safe Base64 and percent-escaped padding are seen in the wild; be liberal in what is read.
                string data = text.Substring(start).Replace("%3D", "=", StringComparison.OrdinalIgnoreCase).Replace('-', '+').Replace('_', '/');
                byte[] bytes = Convert.FromBase64String(data);
                if (bytes.LongLength > maxBytes)
                {
                    throw TooLarge(what, Count(bytes.LongLength), maxBytes);
                }

                return bytes;
            }
            catch (FormatException)
            {
                throw new InvalidDataException(what + " has content that is not valid Base64.");
            }
        }

        private static InvalidDataException TooLarge(string what, string size, long maxBytes)
            => new(what + " holds " + size + " bytes, over the " + Count(maxBytes) + " accepted.");

        private static string Count(long value) => value.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);

        /// <summary>The data URI of some content: <c>data:{type};base64,{Base64}</c>.</summary>
        public static string Create(ReadOnlySpan<byte> bytes, string contentType)
        {
            ArgumentException.ThrowIfNullOrEmpty(contentType);
            return "data:" + contentType + ";base64," + Convert.ToBase64String(bytes);
        }
    }
}

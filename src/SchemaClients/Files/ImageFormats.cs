using System;

namespace SchemaClients.Files
{
    /// <summary>
    /// The image formats an input may have, told from the file's first bytes (its signature), never from its name:
    /// PNG, JPEG and WebP, the formats the FLUX.2 providers document for reference images.
    /// </summary>
    public static class ImageFormats
    {
        /// <summary><c>image/png</c>.</summary>
        public const string Png = "image/png";

        /// <summary><c>image/jpeg</c>.</summary>
        public const string Jpeg = "image/jpeg";

        /// <summary><c>image/webp</c>.</summary>
        public const string WebP = "image/webp";

        /// <summary>The content type the bytes' signature shows (PNG, JPEG or WebP), or null when they are none of these.</summary>
        public static string? Sniff(ReadOnlySpan<byte> bytes)
        {
            if (bytes.Length >= 8 && bytes[0] == 0x89 && bytes[1] == (byte)'P' && bytes[2] == (byte)'N' && bytes[3] == (byte)'G'
                && bytes[4] == 0x0D && bytes[5] == 0x0A && bytes[6] == 0x1A && bytes[7] == 0x0A)
            {
                return Png;
            }

            if (bytes.Length >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF)
            {
                return Jpeg;
            }

            if (bytes.Length >= 12 && bytes[0] == (byte)'R' && bytes[1] == (byte)'I' && bytes[2] == (byte)'F' && bytes[3] == (byte)'F'
                && bytes[8] == (byte)'W' && bytes[9] == (byte)'E' && bytes[10] == (byte)'B' && bytes[11] == (byte)'P')
            {
                return WebP;
            }

            return null;
        }

        /// <summary>
        /// The file extension (with its dot) for a content type: <c>.png</c>, <c>.jpg</c>, <c>.webp</c>, <c>.gif</c>; null for
        /// a type this library does not name. Parameters (<c>; charset=...</c>) and case are ignored.
        /// </summary>
        public static string? ExtensionFor(string? contentType)
        {
            if (string.IsNullOrWhiteSpace(contentType))
            {
                return null;
            }

            int semicolon = contentType.IndexOf(';');
            string type = (semicolon >= 0 ? contentType.Substring(0, semicolon) : contentType).Trim();
            return type.ToLowerInvariant() switch
            {
                "image/png" => ".png",
                "image/jpeg" or "image/jpg" => ".jpg",
                "image/webp" => ".webp",
                "image/gif" => ".gif",
                _ => null,
            };
        }
    }
}

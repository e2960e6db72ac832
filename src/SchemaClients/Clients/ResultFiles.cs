using System;
using System.Collections.Generic;
using System.Text.Json;

namespace SchemaClients.Clients
{
    /// <summary>A result file found in an answer: its URL or data URI, and the content type the answer gives for it.</summary>
    /// <param name="Url">An absolute http(s) URL or a <c>data:</c> URI.</param>
    /// <param name="ContentType">The <c>content_type</c> beside it in the answer, or null.</param>
    public sealed record ResultFile(string Url, string? ContentType)
    {
        /// <summary>Whether the file is inline (a data URI), so saving it needs no request.</summary>
        public bool IsDataUri => Files.DataUri.IsDataUri(Url);

        /// <summary>The URL, or the data URI's type and length: never the content.</summary>
        public override string ToString() => IsDataUri ? "data URI (" + Url.Length.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) + " characters)" : Url;
    }

    /// <summary>A saved result file.</summary>
    /// <param name="Path">Where it was written (its extension follows the content type).</param>
    /// <param name="Bytes">The bytes written (-1 when the download could not tell).</param>
    /// <param name="ContentType">The content type, when known.</param>
    public sealed record SavedFile(string Path, long Bytes, string? ContentType);

    /// <summary>
    /// Finds result file URLs in answers whose shape a provider does not document (Oxen's sync answer), so they can
    /// stay untyped and still be downloaded.
    /// </summary>
    public static class ResultFiles
    {
        /// <summary>The largest result accepted as a data URI: 64 MiB, well above a 4 MP image in any format.</summary>
        public const long MaxDataUriBytes = 64L * 1024 * 1024;

        /// <summary>
        /// <paramref name="path"/> with the extension of <paramref name="contentType"/> (<c>.png</c>, <c>.jpg</c>, <c>.webp</c>,
        /// <c>.gif</c>) when the path's own extension says another type; unchanged when the type is unknown or already matches
        /// (<c>.jpeg</c> is kept for a JPEG).
        /// </summary>
        public static string PathFor(string path, string? contentType)
        {
            ArgumentException.ThrowIfNullOrEmpty(path);
            string? wanted = Files.ImageFormats.ExtensionFor(contentType);
            if (wanted == null)
            {
                return path;
            }

            string current = System.IO.Path.GetExtension(path);
            if (string.Equals(current, wanted, StringComparison.OrdinalIgnoreCase)
                || (wanted == ".jpg" && string.Equals(current, ".jpeg", StringComparison.OrdinalIgnoreCase)))
            {
                return path;
            }

            return System.IO.Path.ChangeExtension(path, wanted);
        }

        /// <summary>
        /// Every result file in <paramref name="json"/>: each string that is an absolute http(s) URL or a <c>data:</c> URI, in
        /// document order and without repeats, with the <c>content_type</c> of the object that holds it when it has one.
        /// </summary>
        public static IReadOnlyList<ResultFile> FindFiles(JsonElement json)
        {
            var found = new List<ResultFile>();
            WalkFiles(json, null, found, 0);
            return found;
        }

        private static void WalkFiles(JsonElement json, string? contentType, List<ResultFile> found, int depth)
        {
            if (depth > 64)
            {
                return;
            }

            switch (json.ValueKind)
            {
                case JsonValueKind.String:
                    string? text = json.GetString();
                    bool file = text != null && (Files.DataUri.IsDataUri(text) || Http.HttpUrls.Parse(text) != null);
                    if (file && !found.Exists(f => f.Url == text))
                    {
                        found.Add(new ResultFile(text!, contentType));
                    }

                    break;
                case JsonValueKind.Array:
                    foreach (JsonElement item in json.EnumerateArray())
                    {
                        WalkFiles(item, null, found, depth + 1);
                    }

                    break;
                case JsonValueKind.Object:
                    string? type = json.TryGetProperty("content_type", out JsonElement t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                    foreach (JsonProperty property in json.EnumerateObject())
                    {
                        WalkFiles(property.Value, type, found, depth + 1);
                    }

                    break;
            }
        }

        /// <summary>
        /// Every string in <paramref name="json"/> that is an absolute http or https URL, in document order,
        /// without repeats. A best effort by design: it knows no schema, so check what it finds.
        /// </summary>
        public static IReadOnlyList<Uri> FindUrls(JsonElement json)
        {
            var found = new List<Uri>();
            foreach (ResultFile file in FindFiles(json))
            {
                if (!file.IsDataUri && new Uri(file.Url) is var uri && !found.Contains(uri))
                {
                    found.Add(uri);
                }
            }

            return found;
        }
    }
}

using System;
using System.Collections.Generic;
using System.Text.Json;

namespace SchemaClients.Clients
{
    /// <summary>
    /// Finds result file URLs in answers whose shape a provider does not document (Oxen's sync answer), so they can
    /// stay untyped and still be downloaded.
    /// </summary>
    public static class ResultFiles
    {
        /// <summary>
        /// Every string in <paramref name="json"/> that is an absolute http or https URL, in document order,
        /// without repeats. A best effort by design: it knows no schema, so check what it finds.
        /// </summary>
        public static IReadOnlyList<Uri> FindUrls(JsonElement json)
        {
            var found = new List<Uri>();
            Walk(json, found, 0);
            return found;
        }

        private static void Walk(JsonElement json, List<Uri> found, int depth)
        {
            if (depth > 64)
            {
                return;
            }

            switch (json.ValueKind)
            {
                case JsonValueKind.String:
                    string? text = json.GetString();
                    if (text != null && Uri.TryCreate(text, UriKind.Absolute, out Uri? uri)
                        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && !found.Contains(uri))
                    {
                        found.Add(uri);
                    }

                    break;
                case JsonValueKind.Array:
                    foreach (JsonElement item in json.EnumerateArray())
                    {
                        Walk(item, found, depth + 1);
                    }

                    break;
                case JsonValueKind.Object:
                    foreach (JsonProperty property in json.EnumerateObject())
                    {
                        Walk(property.Value, found, depth + 1);
                    }

                    break;
            }
        }
    }
}

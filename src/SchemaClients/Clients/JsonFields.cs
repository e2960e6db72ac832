using System.Text.Json;

namespace SchemaClients.Clients
{
    /// <summary>Reading the few fields the protocol types need from answers, and quoting answers in error messages.</summary>
    internal static class JsonFields
    {
        /// <summary>A string member of an object, or null when the value is not an object or the member is not a string.</summary>
        public static string? Text(JsonElement json, string name)
            => json.ValueKind == JsonValueKind.Object && json.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        /// <summary>The start of a JSON value, for error messages about answers that have an unexpected shape.</summary>
        public static string Excerpt(JsonElement json)
        {
            string text = json.GetRawText();
            return text.Length > 200 ? text.Substring(0, 200) + "..." : text;
        }
    }
}

using System.Text.Json;

namespace SchemaClients.Clients
{
    /// <summary>The start of a JSON value, for error messages about answers that have an unexpected shape.</summary>
    internal static class JsonExcerpt
    {
        public static string Of(JsonElement json)
        {
            string text = json.GetRawText();
            return text.Length > 200 ? text.Substring(0, 200) + "..." : text;
        }
    }
}

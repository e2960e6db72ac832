using System;
using System.Globalization;
using System.Text.Json;

namespace SchemaClients.Clients
{
    /// <summary>
    /// Reading the few fields the protocol types need from answers, liberally: a member that is missing or of
    /// another JSON type reads as null, never as an exception.
    /// </summary>
    internal static class JsonFields
    {
        /// <summary>A string member of an object, or null when the value is not an object or the member is not a string.</summary>
        public static string? Text(JsonElement json, string name)
            => json.ValueKind == JsonValueKind.Object && json.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        /// <summary>The first of several string members that is present.</summary>
        public static string? Text(JsonElement json, string name, string otherName) => Text(json, name) ?? Text(json, otherName);

        /// <summary>A member that is present (any kind), or Undefined.</summary>
        public static JsonElement Member(JsonElement json, string name)
            => json.ValueKind == JsonValueKind.Object && json.TryGetProperty(name, out JsonElement value) ? value : default;

        /// <summary>An integer member that fits 32 bits (a string of digits is accepted too).</summary>
        public static int? Int32(JsonElement json, string name)
        {
            JsonElement value = Member(json, name);
            if (value.ValueKind == JsonValueKind.Number)
            {
                if (value.TryGetInt32(out int whole))
                {
                    return whole;
                }

                double d = value.GetDouble();
                return d >= int.MinValue && d <= int.MaxValue ? (int)Math.Round(d) : null;
            }

            return value.ValueKind == JsonValueKind.String && int.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int parsed) ? parsed : null;
        }

        /// <summary>A number member.</summary>
        public static double? Number(JsonElement json, string name)
        {
            JsonElement value = Member(json, name);
            if (value.ValueKind == JsonValueKind.Number)
            {
                return value.GetDouble();
            }

            return value.ValueKind == JsonValueKind.String && double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed) ? parsed : null;
        }

        /// <summary>A boolean member.</summary>
        public static bool? Boolean(JsonElement json, string name) => Member(json, name).ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => null,
        };

        /// <summary>An absolute URL member.</summary>
        public static Uri? Url(JsonElement json, string name) => AbsoluteUrl(Text(json, name));

        /// <summary>A string that is an absolute URL (http, https or data), else null.</summary>
        public static Uri? AbsoluteUrl(string? text)
            => text != null && Uri.TryCreate(text, UriKind.Absolute, out Uri? url) && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp || url.Scheme == "data") ? url : null;

        /// <summary>A date and time member in ISO 8601, or Unix seconds.</summary>
        public static DateTimeOffset? Time(JsonElement json, string name)
        {
            JsonElement value = Member(json, name);
            if (value.ValueKind == JsonValueKind.String
                && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset parsed))
            {
                return parsed;
            }

            if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long seconds) && seconds >= 0 && seconds < 253402300800)
            {
                return DateTimeOffset.FromUnixTimeSeconds(seconds);
            }

            return null;
        }

        /// <summary>A detached copy of a value, so it outlives the document it was read from.</summary>
        public static JsonElement Detach(JsonElement json) => json.ValueKind == JsonValueKind.Undefined ? default : json.Clone();
    }
}

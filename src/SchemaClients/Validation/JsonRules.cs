using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;

namespace SchemaClients.Validation
{
    /// <summary>
    /// The JSON Schema rules generated validators share, so typed and raw-JSON validation agree:
    /// lengths count Unicode code points, <c>multipleOf</c> is exact for decimal values, and numbers
    /// compare by value (<c>1</c> equals <c>1.0</c>).
    /// </summary>
    public static class JsonRules
    {
        /// <summary>The length of a string as JSON Schema counts it: in code points, not UTF-16 units.</summary>
        public static int CodePointLength(string value) => global::SchemaClients.Shared.SchemaRules.CodePointLength(value);

        /// <summary>Whether <paramref name="value"/> is a whole multiple of <paramref name="divisor"/>.</summary>
        public static bool IsMultipleOf(double value, double divisor) => global::SchemaClients.Shared.SchemaRules.IsMultipleOf(value, divisor);

        /// <summary>Whether a JSON number has no fractional part (JSON Schema's integer).</summary>
        public static bool IsInteger(JsonElement value)
        {
            if (value.ValueKind != JsonValueKind.Number)
            {
                return false;
            }

            if (value.TryGetDecimal(out decimal d))
            {
                return d == decimal.Truncate(d);
            }

            double x = value.GetDouble();
            return !double.IsInfinity(x) && x == Math.Floor(x);
        }

        /// <summary>Whether the value's JSON type is one the mask allows (bits: null 1, boolean 2, object 4, array 8, number 16, string 32, integer 64).</summary>
        public static bool HasType(JsonElement value, int mask)
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.Null: return (mask & 1) != 0;
                case JsonValueKind.True:
                case JsonValueKind.False: return (mask & 2) != 0;
                case JsonValueKind.Object: return (mask & 4) != 0;
                case JsonValueKind.Array: return (mask & 8) != 0;
                case JsonValueKind.String: return (mask & 32) != 0;
                case JsonValueKind.Number: return (mask & 16) != 0 || ((mask & 64) != 0 && IsInteger(value));
                default: return false;
            }
        }

        /// <summary>Parses a JSON array literal of constants once, for enum and const checks.</summary>
        public static JsonElement[] ParseValues(string jsonArray)
        {
            using JsonDocument document = JsonDocument.Parse(jsonArray);
            var values = new List<JsonElement>();
            foreach (JsonElement item in document.RootElement.EnumerateArray())
            {
                values.Add(item.Clone());
            }

            return values.ToArray();
        }

        /// <summary>Whether any of the candidates equals the value.</summary>
        public static bool ContainsEqual(JsonElement[] candidates, JsonElement value)
        {
            foreach (JsonElement candidate in candidates)
            {
                if (DeepEquals(candidate, value))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>JSON equality: numbers by value, objects regardless of member order.</summary>
        public static bool DeepEquals(JsonElement a, JsonElement b)
        {
            if (a.ValueKind != b.ValueKind)
            {
                return false;
            }

            switch (a.ValueKind)
            {
                case JsonValueKind.Number:
                    if (a.TryGetDecimal(out decimal x) && b.TryGetDecimal(out decimal y))
                    {
                        return x == y;
                    }

                    return a.GetDouble() == b.GetDouble();
                case JsonValueKind.String:
                    return a.ValueEquals(b.GetString());
                case JsonValueKind.Array:
                    if (a.GetArrayLength() != b.GetArrayLength())
                    {
                        return false;
                    }

                    using (JsonElement.ArrayEnumerator left = a.EnumerateArray())
                    using (JsonElement.ArrayEnumerator right = b.EnumerateArray())
                    {
                        while (left.MoveNext() && right.MoveNext())
                        {
                            if (!DeepEquals(left.Current, right.Current))
                            {
                                return false;
                            }
                        }
                    }

                    return true;
                case JsonValueKind.Object:
                    int count = 0;
                    foreach (JsonProperty property in a.EnumerateObject())
                    {
                        count++;
                        if (!b.TryGetProperty(property.Name, out JsonElement other) || !DeepEquals(property.Value, other))
                        {
                            return false;
                        }
                    }

                    foreach (JsonProperty unused in b.EnumerateObject())
                    {
                        count--;
                    }

                    return count == 0;
                default:
                    return true;
            }
        }

        /// <summary>Whether every item of a JSON array differs from every other.</summary>
        public static bool HasUniqueItems(JsonElement array)
        {
            var items = new List<JsonElement>();
            foreach (JsonElement item in array.EnumerateArray())
            {
                foreach (JsonElement seen in items)
                {
                    if (DeepEquals(seen, item))
                    {
                        return false;
                    }
                }

                items.Add(item);
            }

            return true;
        }

        /// <summary>Whether every item of a list differs from every other.</summary>
        public static bool HasUniqueItems<T>(IReadOnlyList<T> items)
        {
            EqualityComparer<T> comparer = EqualityComparer<T>.Default;
            for (int i = 0; i < items.Count; i++)
            {
                for (int j = i + 1; j < items.Count; j++)
                {
                    if (comparer.Equals(items[i], items[j]))
                    {
                        return false;
                    }
                }
            }

            return true;
        }

        /// <summary>The path of an array item: <c>$.input_image</c> and 2 give <c>$.input_image[2]</c>.</summary>
        public static string Index(string path, int index) => path + "[" + index.ToString(CultureInfo.InvariantCulture) + "]";

        /// <summary>The path of an object member, quoted when the name is not a plain identifier.</summary>
        public static string Member(string path, string name)
        {
            foreach (char c in name)
            {
                if (!(char.IsLetterOrDigit(c) || c == '_'))
                {
                    return path + "['" + name.Replace("'", "\\'") + "']";
                }
            }

            return path + "." + name;
        }

        /// <summary>A number as JSON text, invariant culture.</summary>
        public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

        /// <summary>A number as JSON text, invariant culture.</summary>
        public static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);

        /// <summary>A string as a short JSON text for messages: long values are cut.</summary>
        public static string Format(string value)
        {
            string shown = value.Length > 60 ? value.Substring(0, 57) + "..." : value;
            return JsonSerializer.Serialize(shown, global::SchemaClients.Serialization.SchemaClientsRuntimeJsonContext.Default.String);
        }

        /// <summary>A JSON value as short text for messages.</summary>
        public static string Format(JsonElement value)
        {
            string text = value.GetRawText();
            return text.Length > 60 ? text.Substring(0, 57) + "..." : text;
        }

        /// <summary>A count for messages: "3 items" or "12 characters".</summary>
        public static string Count(int count, string unit) => count.ToString(CultureInfo.InvariantCulture) + " " + unit;
    }
}

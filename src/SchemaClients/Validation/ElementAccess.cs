using System;
using System.Text.Json;
using SchemaClients.Shared.Validation;

namespace SchemaClients.Validation
{
    /// <summary>Reads <see cref="JsonElement"/>s for the validator, without allocating except where a string's content is needed.</summary>
    internal struct ElementAccess : IJsonAccess<JsonElement, JsonElement.ArrayEnumerator, JsonElement.ObjectEnumerator>
    {
        public JsonType TypeOf(JsonElement value) => value.ValueKind switch
        {
            JsonValueKind.Null => JsonType.Null,
            JsonValueKind.True or JsonValueKind.False => JsonType.Boolean,
            JsonValueKind.Object => JsonType.Object,
            JsonValueKind.Array => JsonType.Array,
            JsonValueKind.Number => JsonType.Number,
            JsonValueKind.String => JsonType.String,
            _ => JsonType.None,
        };

        public bool IsInteger(JsonElement value)
        {
            if (value.TryGetDecimal(out decimal d))
            {
                // 1e-400 and 1e-30 round to a decimal 0: a zero not written as a plain integer is decided from its digits.
                return d == 0m
                    ? value.TryGetInt64(out _) || SchemaClients.Shared.SchemaRules.IsIntegerLiteral(value.GetRawText())
                    : d == decimal.Truncate(d);
            }

            // Past decimal's range (1e400, 1.5e30): decided from the digits as written, as JSON Schema asks.
            return SchemaClients.Shared.SchemaRules.IsIntegerLiteral(value.GetRawText());
        }

        public double GetDouble(JsonElement value) => value.GetDouble();

        public bool TryGetDecimal(JsonElement value, out decimal number) => value.TryGetDecimal(out number);

        public bool IsTrue(JsonElement value) => value.ValueKind == JsonValueKind.True;

        public string GetString(JsonElement value)
        {
            try
            {
                return value.GetString()!;
            }
            catch (InvalidOperationException)
            {
                // A lone surrogate escape ("\ud800") is legal JSON but not valid UTF-16, and System.Text.Json will not
                // decode it; the validator reads it as the one UTF-16 unit it names, as ECMA-262 and JSON Schema do.
                return Unescape(value.GetRawText());
            }
        }

        public bool StringEquals(JsonElement value, string text)
        {
            try
            {
                return value.ValueEquals(text);
            }
            catch (InvalidOperationException)
            {
                return string.Equals(GetString(value), text, StringComparison.Ordinal);
            }
        }

        /// <summary>Decodes a JSON string literal (quotes included), keeping lone surrogates as they are escaped.</summary>
        internal static string Unescape(string literal)
        {
            var builder = new System.Text.StringBuilder(literal.Length);
            for (int i = 1; i < literal.Length - 1; i++)
            {
                char c = literal[i];
                if (c != '\\' || i + 1 >= literal.Length - 1)
                {
                    builder.Append(c);
                    continue;
                }

                char e = literal[++i];
                switch (e)
                {
                    case 'b': builder.Append('\b'); break;
                    case 'f': builder.Append('\f'); break;
                    case 'n': builder.Append('\n'); break;
                    case 'r': builder.Append('\r'); break;
                    case 't': builder.Append('\t'); break;
                    case 'u' when i + 4 < literal.Length
                        && int.TryParse(literal.Substring(i + 1, 4), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out int unit):
                        builder.Append((char)unit);
                        i += 4;
                        break;
                    default: builder.Append(e); break; // \" \\ \/
                }
            }

            return builder.ToString();
        }

        public int ArrayLength(JsonElement value) => value.GetArrayLength();

        public JsonElement.ArrayEnumerator Items(JsonElement value) => value.EnumerateArray();

        public bool NextItem(ref JsonElement.ArrayEnumerator items, out JsonElement item)
        {
            if (items.MoveNext())
            {
                item = items.Current;
                return true;
            }

            item = default;
            return false;
        }

        public bool? KnownUnique(JsonElement value) => null;

        public int MemberCount(JsonElement value)
        {
            int count = 0;
            foreach (JsonProperty unused in value.EnumerateObject())
            {
                count++;
            }

            return count;
        }

        public JsonElement.ObjectEnumerator Members(JsonElement value) => value.EnumerateObject();

        public bool NextMember(ref JsonElement.ObjectEnumerator members, out JsonElement value)
        {
            if (members.MoveNext())
            {
                value = members.Current.Value;
                return true;
            }

            value = default;
            return false;
        }

        public bool MemberNameIs(ref JsonElement.ObjectEnumerator members, string name) => members.Current.NameEquals(name);

        public string MemberName(ref JsonElement.ObjectEnumerator members) => members.Current.Name;

        public bool TryGetMember(JsonElement value, string name, out JsonElement member) => value.TryGetProperty(name, out member);

        public string RawText(JsonElement value) => value.GetRawText();
    }
}

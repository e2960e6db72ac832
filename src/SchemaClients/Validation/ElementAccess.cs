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
                return d == decimal.Truncate(d);
            }

            double x = value.GetDouble();
            return !double.IsInfinity(x) && x == Math.Floor(x);
        }

        public double GetDouble(JsonElement value) => value.GetDouble();

        public bool TryGetDecimal(JsonElement value, out decimal number) => value.TryGetDecimal(out number);

        public bool IsTrue(JsonElement value) => value.ValueKind == JsonValueKind.True;

        public string GetString(JsonElement value) => value.GetString()!;

        public bool StringEquals(JsonElement value, string text) => value.ValueEquals(text);

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

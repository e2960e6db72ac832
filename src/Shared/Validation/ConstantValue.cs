using System;
using System.Collections.Generic;
using System.Globalization;

namespace SchemaClients.Shared.Validation
{
    /// <summary>
    /// A JSON value from a schema (an <c>enum</c> member, a <c>const</c>), held independently of how JSON was read,
    /// so the same graph checks <c>JsonElement</c> payloads, typed values and build-time values alike.
    /// </summary>
    internal sealed class ConstantValue
    {
        private static readonly ConstantValue[] NoItems = new ConstantValue[0];
        private static readonly KeyValuePair<string, ConstantValue>[] NoMembers = new KeyValuePair<string, ConstantValue>[0];

        private ConstantValue(JsonType type)
        {
            Type = type;
        }

        public JsonType Type { get; }

        public bool Boolean { get; private set; }

        public double Number { get; private set; }

        /// <summary>The number exactly, when it fits a decimal.</summary>
        public decimal? Decimal { get; private set; }

        public string? Text { get; private set; }

        public ConstantValue[] Items { get; private set; } = NoItems;

        public KeyValuePair<string, ConstantValue>[] Members { get; private set; } = NoMembers;

        public static readonly ConstantValue Null = new ConstantValue(JsonType.Null);

        public static ConstantValue Of(bool value) => new ConstantValue(JsonType.Boolean) { Boolean = value };

        public static ConstantValue Of(string value) => new ConstantValue(JsonType.String) { Text = value };

        public static ConstantValue Of(double value, decimal? exact) => new ConstantValue(JsonType.Number) { Number = value, Decimal = exact };

        public static ConstantValue Array(ConstantValue[] items) => new ConstantValue(JsonType.Array) { Items = items };

        public static ConstantValue Object(KeyValuePair<string, ConstantValue>[] members) => new ConstantValue(JsonType.Object) { Members = members };

        /// <summary>Reads any JSON value through an accessor, bounded in depth.</summary>
        public static ConstantValue From<TValue, TItems, TMembers, TAccess>(TAccess access, TValue value, int depth = 0)
            where TAccess : struct, IJsonAccess<TValue, TItems, TMembers>
        {
            if (depth > 64)
            {
                throw new FormatException("a constant in the schema graph is nested more than 64 levels deep");
            }

            switch (access.TypeOf(value))
            {
                case JsonType.Boolean:
                    return Of(access.IsTrue(value));
                case JsonType.Number:
                    return Of(access.GetDouble(value), access.TryGetDecimal(value, out decimal d) ? d : (decimal?)null);
                case JsonType.String:
                    return Of(access.GetString(value));
                case JsonType.Array:
                    var items = new List<ConstantValue>();
                    TItems cursor = access.Items(value);
                    while (access.NextItem(ref cursor, out TValue item))
                    {
                        items.Add(From<TValue, TItems, TMembers, TAccess>(access, item, depth + 1));
                    }

                    return Array(items.ToArray());
                case JsonType.Object:
                    var members = new List<KeyValuePair<string, ConstantValue>>();
                    TMembers each = access.Members(value);
                    while (access.NextMember(ref each, out TValue member))
                    {
                        members.Add(new KeyValuePair<string, ConstantValue>(access.MemberName(ref each), From<TValue, TItems, TMembers, TAccess>(access, member, depth + 1)));
                    }

                    return Object(members.ToArray());
                default:
                    return Null;
            }
        }

        /// <summary>The value as compact JSON text.</summary>
        public override string ToString()
        {
            switch (Type)
            {
                case JsonType.Null: return "null";
                case JsonType.Boolean: return Boolean ? "true" : "false";
                case JsonType.Number: return Decimal.HasValue ? Decimal.Value.ToString(CultureInfo.InvariantCulture) : Number.ToString("R", CultureInfo.InvariantCulture);
                case JsonType.String: return Quote(Text!);
                case JsonType.Array:
                    var items = new List<string>();
                    foreach (ConstantValue item in Items)
                    {
                        items.Add(item.ToString());
                    }

                    return "[" + string.Join(",", items) + "]";
                default:
                    var members = new List<string>();
                    foreach (KeyValuePair<string, ConstantValue> member in Members)
                    {
                        members.Add(Quote(member.Key) + ":" + member.Value);
                    }

                    return "{" + string.Join(",", members) + "}";
            }
        }

        /// <summary>A string as JSON text: pure ASCII by default (for tables in UTF-8 literals); otherwise only control characters and surrogates are escaped.</summary>
        public static string Quote(string text, bool asciiOnly = true)
        {
            var builder = new System.Text.StringBuilder(text.Length + 2).Append('"');
            foreach (char c in text)
            {
                switch (c)
                {
                    case '"': builder.Append("\\\""); break;
                    case '\\': builder.Append("\\\\"); break;
                    case '\n': builder.Append("\\n"); break;
                    case '\r': builder.Append("\\r"); break;
                    case '\t': builder.Append("\\t"); break;
                    default:
                        if (c < ' ' || (asciiOnly ? c > '~' : c >= 0xD800 && c <= 0xDFFF))
                        {
                            builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        }
                        else
                        {
                            builder.Append(c);
                        }

                        break;
                }
            }

            return builder.Append('"').ToString();
        }
    }
}

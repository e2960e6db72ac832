using System.Collections.Generic;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SchemaClients.Serialization
{
    /// <summary>Reads one value from a reader positioned on its first token.</summary>
    public delegate T JsonValueReader<T>(ref Utf8JsonReader reader);

    /// <summary>
    /// Reflection-free JSON reading and writing helpers used by generated converters, so generated
    /// code is trimming and native AOT safe.
    /// </summary>
    public static class JsonIo
    {
        /// <summary>Checks that the reader is on the start of an object, for the converter of <paramref name="typeName"/>.</summary>
        /// <exception cref="JsonException">It is on another token.</exception>
        public static void ExpectObject(ref Utf8JsonReader reader, string typeName)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw Unexpected(ref reader, "an object for " + typeName);
            }
        }

        /// <summary>Moves to the next property name of the object being read; false at its end.</summary>
        public static bool NextProperty(ref Utf8JsonReader reader) => reader.Read() && reader.TokenType == JsonTokenType.PropertyName;

        /// <summary>Moves to a property's value and says whether it is null.</summary>
        public static bool NextIsNull(ref Utf8JsonReader reader)
        {
            reader.Read();
            return reader.TokenType == JsonTokenType.Null;
        }

        /// <summary>Skips the value of a property the type does not name.</summary>
        public static void SkipValue(ref Utf8JsonReader reader)
        {
            reader.Read();
            reader.Skip();
        }

        /// <summary>Keeps the value of a property the type does not name, for types read from answers.</summary>
        public static void KeepValue(ref Utf8JsonReader reader, ref Dictionary<string, JsonElement>? extra)
        {
            string name = reader.GetString()!;
            reader.Read();
            (extra ??= new Dictionary<string, JsonElement>(System.StringComparer.Ordinal))[name] = JsonElement.ParseValue(ref reader);
        }

        /// <summary>Writes back the members a type read from an answer kept.</summary>
        public static void WriteKept(Utf8JsonWriter writer, IReadOnlyDictionary<string, JsonElement>? extra)
        {
            if (extra == null)
            {
                return;
            }

            foreach (KeyValuePair<string, JsonElement> member in extra)
            {
                writer.WritePropertyName(member.Key);
                member.Value.WriteTo(writer);
            }
        }

        /// <summary>Reads a string, failing with a clear message on any other token.</summary>
        public static string ReadString(ref Utf8JsonReader reader)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                throw Unexpected(ref reader, "a string");
            }

            return reader.GetString()!;
        }

        /// <summary>Reads a boolean.</summary>
        public static bool ReadBoolean(ref Utf8JsonReader reader)
        {
            if (reader.TokenType != JsonTokenType.True && reader.TokenType != JsonTokenType.False)
            {
                throw Unexpected(ref reader, "a boolean");
            }

            return reader.GetBoolean();
        }

        /// <summary>Reads a 32-bit integer; a number with a zero fraction (<c>2.0</c>) is accepted.</summary>
        public static int ReadInt32(ref Utf8JsonReader reader)
        {
            if (reader.TokenType != JsonTokenType.Number)
            {
                throw Unexpected(ref reader, "an integer");
            }

            if (reader.TryGetInt32(out int value))
            {
                return value;
            }

            double d = reader.GetDouble();
            if (d == System.Math.Floor(d) && d >= int.MinValue && d <= int.MaxValue)
            {
                return (int)d;
            }

            throw Unexpected(ref reader, "an integer in the 32-bit range");
        }

        /// <summary>Reads a 64-bit integer; a number with a zero fraction is accepted.</summary>
        public static long ReadInt64(ref Utf8JsonReader reader)
        {
            if (reader.TokenType != JsonTokenType.Number)
            {
                throw Unexpected(ref reader, "an integer");
            }

            if (reader.TryGetInt64(out long value))
            {
                return value;
            }

            double d = reader.GetDouble();
            if (d == System.Math.Floor(d) && d >= long.MinValue && d <= long.MaxValue)
            {
                return (long)d;
            }

            throw Unexpected(ref reader, "an integer in the 64-bit range");
        }

        /// <summary>Reads a number.</summary>
        public static double ReadDouble(ref Utf8JsonReader reader)
        {
            if (reader.TokenType != JsonTokenType.Number)
            {
                throw Unexpected(ref reader, "a number");
            }

            return reader.GetDouble();
        }

        /// <summary>Reads any JSON value as a detached element.</summary>
        public static JsonElement ReadElement(ref Utf8JsonReader reader) => JsonElement.ParseValue(ref reader);

        /// <summary>Reads a JSON array with the given item reader.</summary>
        public static IReadOnlyList<T> ReadList<T>(ref Utf8JsonReader reader, JsonValueReader<T> readItem)
        {
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw Unexpected(ref reader, "an array");
            }

            var items = new List<T>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                items.Add(readItem(ref reader));
            }

            return items;
        }

        /// <summary>Reads a JSON object of uniform values with the given value reader.</summary>
        public static IReadOnlyDictionary<string, T> ReadMap<T>(ref Utf8JsonReader reader, JsonValueReader<T> readValue)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw Unexpected(ref reader, "an object");
            }

            var map = new Dictionary<string, T>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                string name = reader.GetString()!;
                reader.Read();
                map[name] = readValue(ref reader);
            }

            return map;
        }

        /// <summary>Writes a list with the given item writer.</summary>
        public static void WriteList<T>(Utf8JsonWriter writer, IReadOnlyList<T> items, System.Action<Utf8JsonWriter, T> writeItem)
        {
            writer.WriteStartArray();
            for (int i = 0; i < items.Count; i++)
            {
                writeItem(writer, items[i]);
            }

            writer.WriteEndArray();
        }

        /// <summary>Writes a map with the given value writer, keys in the map's order.</summary>
        public static void WriteMap<T>(Utf8JsonWriter writer, IReadOnlyDictionary<string, T> map, System.Action<Utf8JsonWriter, T> writeValue)
        {
            writer.WriteStartObject();
            foreach (KeyValuePair<string, T> pair in map)
            {
                writer.WritePropertyName(pair.Key);
                writeValue(writer, pair.Value);
            }

            writer.WriteEndObject();
        }

        /// <summary>The exception for a token of the wrong kind, naming what was expected.</summary>
        public static JsonException Unexpected(ref Utf8JsonReader reader, string expected)
            => new JsonException("Expected " + expected + " but found " + reader.TokenType + " at byte " + reader.TokenStartIndex + ".");

        /// <summary>The exception for a required property the JSON does not have.</summary>
        public static JsonException MissingRequired(string typeName, string jsonName)
            => new JsonException("The JSON for " + typeName + " has no value for the required property '" + jsonName + "'.");

        /// <summary>The exception for a string that is none of an enum's wire values.</summary>
        public static JsonException UnknownEnumValue(string typeName, string? value)
            => new JsonException("'" + value + "' is not a value of " + typeName + ".");
    }

    /// <summary>Source-generated metadata for the few values the runtime itself serializes.</summary>
    [JsonSerializable(typeof(string))]
    [JsonSerializable(typeof(JsonElement))]
    internal sealed partial class SchemaClientsRuntimeJsonContext : JsonSerializerContext
    {
    }
}

using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SchemaClients.Serialization
{
    /// <summary>
    /// The base of every generated converter: reading and writing go through <see cref="ReadValue"/> and
    /// <see cref="WriteValue"/>, which other generated converters (and the clients) call directly, without options
    /// or reflection.
    /// </summary>
    /// <typeparam name="T">The converted type.</typeparam>
    public abstract class SchemaConverter<T> : JsonConverter<T>
    {
        /// <summary>Reads a value; the reader is on its first token and is left on its last.</summary>
        public abstract T ReadValue(ref Utf8JsonReader reader);

        /// <summary>Writes a value.</summary>
        public abstract void WriteValue(Utf8JsonWriter writer, T value);

        /// <inheritdoc />
        public sealed override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ReadValue(ref reader);

        /// <inheritdoc />
        public sealed override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => WriteValue(writer, value);

        // Helpers generated converters call by their simple names (they derive from this class).

        /// <summary>Checks that the reader is on the start of an object.</summary>
        protected static void ExpectObject(ref Utf8JsonReader reader, string typeName) => JsonIo.ExpectObject(ref reader, typeName);

        /// <summary>Moves to the next property name of the object being read; false at its end.</summary>
        protected static bool NextProperty(ref Utf8JsonReader reader) => JsonIo.NextProperty(ref reader);

        /// <summary>Moves to a property's value and says whether it is null.</summary>
        protected static bool NextIsNull(ref Utf8JsonReader reader) => JsonIo.NextIsNull(ref reader);

        /// <summary>Moves to a property's value.</summary>
        protected static void Next(ref Utf8JsonReader reader) => reader.Read();

        /// <summary>Moves to a property's value and reads it with another converter.</summary>
        protected static TValue NextValue<TValue>(ref Utf8JsonReader reader, SchemaConverter<TValue> converter)
        {
            reader.Read();
            return converter.ReadValue(ref reader);
        }

        /// <summary>Moves to a property's value and reads it with another converter; null for JSON null.</summary>
        protected static TValue? NextObjectOrNull<TValue>(ref Utf8JsonReader reader, SchemaConverter<TValue> converter)
            where TValue : class
            => NextIsNull(ref reader) ? null : converter.ReadValue(ref reader);

        /// <summary>Moves to a property's value and reads it with another converter; null for JSON null.</summary>
        protected static TValue? NextValueOrNull<TValue>(ref Utf8JsonReader reader, SchemaConverter<TValue> converter)
            where TValue : struct
            => NextIsNull(ref reader) ? null : converter.ReadValue(ref reader);

        /// <summary>Moves to a property's value and reads a string.</summary>
        protected static string NextString(ref Utf8JsonReader reader)
        {
            reader.Read();
            return JsonIo.ReadString(ref reader);
        }

        /// <summary>Moves to a property's value and reads a 32-bit integer.</summary>
        protected static int NextInt32(ref Utf8JsonReader reader)
        {
            reader.Read();
            return JsonIo.ReadInt32(ref reader);
        }

        /// <summary>Moves to a property's value and reads a 64-bit integer.</summary>
        protected static long NextInt64(ref Utf8JsonReader reader)
        {
            reader.Read();
            return JsonIo.ReadInt64(ref reader);
        }

        /// <summary>Moves to a property's value and reads a number.</summary>
        protected static double NextDouble(ref Utf8JsonReader reader)
        {
            reader.Read();
            return JsonIo.ReadDouble(ref reader);
        }

        /// <summary>Moves to a property's value and reads a boolean.</summary>
        protected static bool NextBoolean(ref Utf8JsonReader reader)
        {
            reader.Read();
            return JsonIo.ReadBoolean(ref reader);
        }

        /// <summary>Moves to a property's value and reads it as raw JSON.</summary>
        protected static JsonElement NextElement(ref Utf8JsonReader reader)
        {
            reader.Read();
            return JsonIo.ReadElement(ref reader);
        }

        /// <summary>Moves to a property's value and reads a string, or null.</summary>
        protected static string? NextStringOrNull(ref Utf8JsonReader reader) => NextIsNull(ref reader) ? null : JsonIo.ReadString(ref reader);

        /// <summary>Moves to a property's value and reads a 32-bit integer, or null.</summary>
        protected static int? NextInt32OrNull(ref Utf8JsonReader reader) => NextIsNull(ref reader) ? null : JsonIo.ReadInt32(ref reader);

        /// <summary>Moves to a property's value and reads a 64-bit integer, or null.</summary>
        protected static long? NextInt64OrNull(ref Utf8JsonReader reader) => NextIsNull(ref reader) ? null : JsonIo.ReadInt64(ref reader);

        /// <summary>Moves to a property's value and reads a number, or null.</summary>
        protected static double? NextDoubleOrNull(ref Utf8JsonReader reader) => NextIsNull(ref reader) ? null : JsonIo.ReadDouble(ref reader);

        /// <summary>Moves to a property's value and reads a boolean, or null.</summary>
        protected static bool? NextBooleanOrNull(ref Utf8JsonReader reader) => NextIsNull(ref reader) ? null : JsonIo.ReadBoolean(ref reader);

        /// <summary>Moves to a property's value and reads it as raw JSON, or null.</summary>
        protected static JsonElement? NextElementOrNull(ref Utf8JsonReader reader) => NextIsNull(ref reader) ? null : JsonIo.ReadElement(ref reader);

        /// <summary>Skips the value of a property the type does not name.</summary>
        protected static void SkipValue(ref Utf8JsonReader reader) => JsonIo.SkipValue(ref reader);

        /// <summary>Keeps the value of a property the type does not name.</summary>
        protected static void KeepValue(ref Utf8JsonReader reader, ref Dictionary<string, JsonElement>? extra) => JsonIo.KeepValue(ref reader, ref extra);

        /// <summary>Writes a member whose value another converter writes.</summary>
        protected static void WriteMember<TValue>(Utf8JsonWriter writer, ReadOnlySpan<byte> name, TValue value, SchemaConverter<TValue> converter)
        {
            writer.WritePropertyName(name);
            converter.WriteValue(writer, value);
        }

        /// <summary>Writes back kept members.</summary>
        protected static void WriteKept(Utf8JsonWriter writer, IReadOnlyDictionary<string, JsonElement>? extra) => JsonIo.WriteKept(writer, extra);

        /// <summary>Reads a string.</summary>
        protected static string ReadString(ref Utf8JsonReader reader) => JsonIo.ReadString(ref reader);

        /// <summary>Reads a 32-bit integer.</summary>
        protected static int ReadInt32(ref Utf8JsonReader reader) => JsonIo.ReadInt32(ref reader);

        /// <summary>Reads a 64-bit integer.</summary>
        protected static long ReadInt64(ref Utf8JsonReader reader) => JsonIo.ReadInt64(ref reader);

        /// <summary>Reads a number.</summary>
        protected static double ReadDouble(ref Utf8JsonReader reader) => JsonIo.ReadDouble(ref reader);

        /// <summary>Reads a boolean.</summary>
        protected static bool ReadBoolean(ref Utf8JsonReader reader) => JsonIo.ReadBoolean(ref reader);

        /// <summary>Reads any value as a detached element.</summary>
        protected static JsonElement ReadElement(ref Utf8JsonReader reader) => JsonIo.ReadElement(ref reader);

        /// <summary>Reads an array whose items another converter reads.</summary>
        protected static IReadOnlyList<TItem> ReadList<TItem>(ref Utf8JsonReader reader, SchemaConverter<TItem> item)
        {
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw JsonIo.Unexpected(ref reader, "an array");
            }

            var items = new List<TItem>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                items.Add(item.ReadValue(ref reader));
            }

            return items;
        }

        /// <summary>Reads an object of uniform values that another converter reads.</summary>
        protected static IReadOnlyDictionary<string, TItem> ReadMap<TItem>(ref Utf8JsonReader reader, SchemaConverter<TItem> value)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw JsonIo.Unexpected(ref reader, "an object");
            }

            var map = new Dictionary<string, TItem>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                string name = reader.GetString()!;
                reader.Read();
                map[name] = value.ReadValue(ref reader);
            }

            return map;
        }

        /// <summary>Writes a list whose items another converter writes.</summary>
        protected static void WriteList<TItem>(Utf8JsonWriter writer, IReadOnlyList<TItem> items, SchemaConverter<TItem> item)
        {
            writer.WriteStartArray();
            for (int i = 0; i < items.Count; i++)
            {
                item.WriteValue(writer, items[i]);
            }

            writer.WriteEndArray();
        }

        /// <summary>Writes a map whose values another converter writes, in the map's order.</summary>
        protected static void WriteMap<TItem>(Utf8JsonWriter writer, IReadOnlyDictionary<string, TItem> map, SchemaConverter<TItem> value)
        {
            writer.WriteStartObject();
            foreach (KeyValuePair<string, TItem> pair in map)
            {
                writer.WritePropertyName(pair.Key);
                value.WriteValue(writer, pair.Value);
            }

            writer.WriteEndObject();
        }

        /// <summary>Reads an array with the given item reader (items that may be null, lists of lists).</summary>
        protected static IReadOnlyList<TItem> ReadListWith<TItem>(ref Utf8JsonReader reader, JsonValueReader<TItem> readItem) => JsonIo.ReadList(ref reader, readItem);

        /// <summary>Reads an object of uniform values with the given value reader.</summary>
        protected static IReadOnlyDictionary<string, TItem> ReadMapWith<TItem>(ref Utf8JsonReader reader, JsonValueReader<TItem> readValue) => JsonIo.ReadMap(ref reader, readValue);

        /// <summary>Writes a list with the given item writer.</summary>
        protected static void WriteListWith<TItem>(Utf8JsonWriter writer, IReadOnlyList<TItem> items, Action<Utf8JsonWriter, TItem> writeItem) => JsonIo.WriteList(writer, items, writeItem);

        /// <summary>Writes a map with the given value writer.</summary>
        protected static void WriteMapWith<TItem>(Utf8JsonWriter writer, IReadOnlyDictionary<string, TItem> map, Action<Utf8JsonWriter, TItem> writeValue) => JsonIo.WriteMap(writer, map, writeValue);

        // One signature each, so a generated call binds without overload resolution (Utf8JsonWriter's own
        // WriteString and WriteNumber have a dozen overloads each, and choosing among them costs compile time).

        /// <summary>Writes a member with a string value.</summary>
        protected static void WriteText(Utf8JsonWriter writer, ReadOnlySpan<byte> name, string value) => writer.WriteString(name, value);

        /// <summary>Writes a member with an integer value.</summary>
        protected static void WriteInteger(Utf8JsonWriter writer, ReadOnlySpan<byte> name, long value) => writer.WriteNumber(name, value);

        /// <summary>Writes a member with a number value.</summary>
        protected static void WriteDouble(Utf8JsonWriter writer, ReadOnlySpan<byte> name, double value) => writer.WriteNumber(name, value);

        /// <summary>Writes a member with a boolean value.</summary>
        protected static void WriteBool(Utf8JsonWriter writer, ReadOnlySpan<byte> name, bool value) => writer.WriteBoolean(name, value);

        /// <summary>Writes a member that is null.</summary>
        protected static void WriteNullMember(Utf8JsonWriter writer, ReadOnlySpan<byte> name) => writer.WriteNull(name);

        /// <summary>Writes a member with raw JSON.</summary>
        protected static void WriteJson(Utf8JsonWriter writer, ReadOnlySpan<byte> name, JsonElement value)
        {
            writer.WritePropertyName(name);
            value.WriteTo(writer);
        }

        /// <summary>Writes a member whose value is a list that another converter's items make.</summary>
        protected static void WriteListMember<TItem>(Utf8JsonWriter writer, ReadOnlySpan<byte> name, IReadOnlyList<TItem> items, SchemaConverter<TItem> item)
        {
            writer.WritePropertyName(name);
            WriteList(writer, items, item);
        }

        /// <summary>Writes a member whose value is a map of another converter's values.</summary>
        protected static void WriteMapMember<TItem>(Utf8JsonWriter writer, ReadOnlySpan<byte> name, IReadOnlyDictionary<string, TItem> map, SchemaConverter<TItem> value)
        {
            writer.WritePropertyName(name);
            WriteMap(writer, map, value);
        }

        /// <summary>The exception for a required property the JSON does not have.</summary>
        protected static JsonException MissingRequired(string typeName, string jsonName) => JsonIo.MissingRequired(typeName, jsonName);

        /// <summary>The exception for a token of the wrong kind.</summary>
        protected static JsonException Unexpected(ref Utf8JsonReader reader, string expected) => JsonIo.Unexpected(ref reader, expected);

        /// <summary>Serializes a value to UTF-8 JSON.</summary>
        public byte[] ToUtf8Bytes(T value)
        {
            // A writer and buffer kept per thread: a request costs its final array only.
            (System.Buffers.ArrayBufferWriter<byte> buffer, Utf8JsonWriter writer) = WriterCache.Rent();
            try
            {
                WriteValue(writer, value);
                writer.Flush();
                return buffer.WrittenSpan.ToArray();
            }
            finally
            {
                WriterCache.Return(buffer, writer);
            }
        }

        /// <summary>Reads a value from UTF-8 JSON that holds exactly one value.</summary>
        /// <exception cref="JsonException">The JSON is malformed or not of this type.</exception>
        public T FromUtf8Bytes(ReadOnlySpan<byte> json)
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read())
            {
                throw new JsonException("The JSON is empty.");
            }

            T value = ReadValue(ref reader);
            if (reader.Read())
            {
                throw new JsonException("The JSON has more than one value.");
            }

            return value;
        }
    }

    /// <summary>The wire values of a generated C# enum, read and written without reflection.</summary>
    /// <typeparam name="T">The enum.</typeparam>
    public sealed class EnumValues<T>
        where T : struct, Enum
    {
        private readonly byte[][] _utf8;
        private readonly JsonEncodedText[] _encoded;
        private readonly string[] _wire;
        private readonly T[] _values;

        /// <summary>Creates the table from each member and its exact wire value.</summary>
        public EnumValues(params (string Wire, T Value)[] members)
        {
            ArgumentNullException.ThrowIfNull(members);
            _utf8 = new byte[members.Length][];
            _encoded = new JsonEncodedText[members.Length];
            _wire = new string[members.Length];
            _values = new T[members.Length];
            for (int i = 0; i < members.Length; i++)
            {
                _wire[i] = members[i].Wire;
                _utf8[i] = System.Text.Encoding.UTF8.GetBytes(members[i].Wire);
                _encoded[i] = JsonEncodedText.Encode(members[i].Wire);
                _values[i] = members[i].Value;
            }
        }

        /// <summary>Reads a wire value.</summary>
        /// <exception cref="JsonException">The token is not a string, or the string is not a wire value of <typeparamref name="T"/>.</exception>
        public T Read(ref Utf8JsonReader reader)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                throw JsonIo.Unexpected(ref reader, "a string for " + typeof(T).Name);
            }

            for (int i = 0; i < _utf8.Length; i++)
            {
                if (reader.ValueTextEquals(_utf8[i]))
                {
                    return _values[i];
                }
            }

            throw JsonIo.UnknownEnumValue(typeof(T).Name, reader.GetString());
        }

        /// <summary>Writes the wire value of a member.</summary>
        public void Write(Utf8JsonWriter writer, T value) => writer.WriteStringValue(_encoded[IndexOf(value)]);

        /// <summary>The exact wire value of a member.</summary>
        public string WireValue(T value) => _wire[IndexOf(value)];

        private int IndexOf(T value)
        {
            EqualityComparer<T> comparer = EqualityComparer<T>.Default;
            for (int i = 0; i < _values.Length; i++)
            {
                if (comparer.Equals(_values[i], value))
                {
                    return i;
                }
            }

            throw new ArgumentOutOfRangeException(nameof(value), value, "Not a value of " + typeof(T).Name + ".");
        }
    }

    /// <summary>The converter of a generated C# enum: its exact wire values.</summary>
    public abstract class EnumConverter<T> : SchemaConverter<T>
        where T : struct, Enum
    {
        /// <summary>Creates the converter over the enum's wire values.</summary>
        protected EnumConverter(EnumValues<T> values) => Values = values ?? throw new ArgumentNullException(nameof(values));

        /// <summary>The wire values.</summary>
        public EnumValues<T> Values { get; }

        /// <inheritdoc />
        public sealed override T ReadValue(ref Utf8JsonReader reader) => Values.Read(ref reader);

        /// <inheritdoc />
        public sealed override void WriteValue(Utf8JsonWriter writer, T value) => Values.Write(writer, value);
    }

    /// <summary>The converter of a generated open enum (a string with known values): any string reads.</summary>
    public abstract class OpenEnumConverter<T> : SchemaConverter<T>
    {
        private readonly Func<string, T> _create;
        private readonly Func<T, string> _wire;

        /// <summary>Creates the converter from how a value is made from its wire text and back.</summary>
        protected OpenEnumConverter(Func<string, T> create, Func<T, string> wire)
        {
            _create = create ?? throw new ArgumentNullException(nameof(create));
            _wire = wire ?? throw new ArgumentNullException(nameof(wire));
        }

        /// <inheritdoc />
        public sealed override T ReadValue(ref Utf8JsonReader reader) => _create(JsonIo.ReadString(ref reader));

        /// <inheritdoc />
        public sealed override void WriteValue(Utf8JsonWriter writer, T value) => writer.WriteStringValue(_wire(value));
    }
}

namespace SchemaClients.Serialization
{
    /// <summary>Converters of the JSON primitives, for the items of lists and the values of maps.</summary>
    public static class PrimitiveConverters
    {
        /// <summary>Strings.</summary>
        public static SchemaConverter<string> String { get; } = new StringConverter();

        /// <summary>32-bit integers.</summary>
        public static SchemaConverter<int> Int32 { get; } = new Int32Converter();

        /// <summary>64-bit integers.</summary>
        public static SchemaConverter<long> Int64 { get; } = new Int64Converter();

        /// <summary>Numbers.</summary>
        public static SchemaConverter<double> Double { get; } = new DoubleConverter();

        /// <summary>Booleans.</summary>
        public static SchemaConverter<bool> Boolean { get; } = new BooleanConverter();

        /// <summary>Raw JSON, kept as sent.</summary>
        public static SchemaConverter<System.Text.Json.JsonElement> Element { get; } = new ElementConverter();

        /// <summary>
        /// Image inputs: written as the URL (or data URI) they are sent as. A local file, bytes or a stream must be resolved
        /// first, which the generated clients do before they send; written any other way it throws
        /// <see cref="System.InvalidOperationException"/> rather than send something the provider cannot read.
        /// </summary>
        public static SchemaConverter<Files.ImageInput> Image { get; } = new Files.ImageInputConverter();

        private sealed class StringConverter : SchemaConverter<string>
        {
            public override string ReadValue(ref System.Text.Json.Utf8JsonReader reader) => JsonIo.ReadString(ref reader);

            public override void WriteValue(System.Text.Json.Utf8JsonWriter writer, string value) => writer.WriteStringValue(value);
        }

        private sealed class Int32Converter : SchemaConverter<int>
        {
            public override int ReadValue(ref System.Text.Json.Utf8JsonReader reader) => JsonIo.ReadInt32(ref reader);

            public override void WriteValue(System.Text.Json.Utf8JsonWriter writer, int value) => writer.WriteNumberValue(value);
        }

        private sealed class Int64Converter : SchemaConverter<long>
        {
            public override long ReadValue(ref System.Text.Json.Utf8JsonReader reader) => JsonIo.ReadInt64(ref reader);

            public override void WriteValue(System.Text.Json.Utf8JsonWriter writer, long value) => writer.WriteNumberValue(value);
        }

        private sealed class DoubleConverter : SchemaConverter<double>
        {
            public override double ReadValue(ref System.Text.Json.Utf8JsonReader reader) => JsonIo.ReadDouble(ref reader);

            public override void WriteValue(System.Text.Json.Utf8JsonWriter writer, double value) => writer.WriteNumberValue(value);
        }

        private sealed class BooleanConverter : SchemaConverter<bool>
        {
            public override bool ReadValue(ref System.Text.Json.Utf8JsonReader reader) => JsonIo.ReadBoolean(ref reader);

            public override void WriteValue(System.Text.Json.Utf8JsonWriter writer, bool value) => writer.WriteBooleanValue(value);
        }

        private sealed class ElementConverter : SchemaConverter<System.Text.Json.JsonElement>
        {
            public override System.Text.Json.JsonElement ReadValue(ref System.Text.Json.Utf8JsonReader reader) => JsonIo.ReadElement(ref reader);

            public override void WriteValue(System.Text.Json.Utf8JsonWriter writer, System.Text.Json.JsonElement value) => value.WriteTo(writer);
        }
    }
}

namespace SchemaClients.Serialization
{
    /// <summary>One JSON writer and its buffer per thread, for <see cref="SchemaConverter{T}.ToUtf8Bytes"/>; a nested use gets fresh ones.</summary>
    internal static class WriterCache
    {
        private const int MaxKeptCapacity = 64 * 1024;

        [ThreadStatic]
        private static System.Buffers.ArrayBufferWriter<byte>? t_buffer;

        [ThreadStatic]
        private static Utf8JsonWriter? t_writer;

        public static (System.Buffers.ArrayBufferWriter<byte> Buffer, Utf8JsonWriter Writer) Rent()
        {
            System.Buffers.ArrayBufferWriter<byte>? buffer = t_buffer;
            Utf8JsonWriter? writer = t_writer;
            if (buffer == null || writer == null)
            {
                buffer = new System.Buffers.ArrayBufferWriter<byte>(512);
                return (buffer, new Utf8JsonWriter(buffer));
            }

            t_buffer = null;
            t_writer = null;
            writer.Reset(buffer);
            return (buffer, writer);
        }

        public static void Return(System.Buffers.ArrayBufferWriter<byte> buffer, Utf8JsonWriter writer)
        {
            if (buffer.Capacity > MaxKeptCapacity)
            {
                writer.Dispose();
                return;
            }

            buffer.ResetWrittenCount();
            writer.Reset();
            t_buffer = buffer;
            t_writer = writer;
        }
    }
}

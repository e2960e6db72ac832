using System.Globalization;

namespace SchemaClients.Shared.Validation
{
    /// <summary>
    /// One C# value as the validator sees it: a number, a string, a boolean, null, or a list known only by its count
    /// (its items are checked one by one by the caller). Typed validation and compile-time constants go through
    /// <see cref="SchemaWalker{TValue, TItems, TMembers, TAccess}"/> as these, so they meet the same rules as JSON.
    /// </summary>
    internal readonly struct PrimitiveValue
    {
        private PrimitiveValue(JsonType type, double number, decimal? exact, string? text, bool boolean, int count, bool? unique)
        {
            Type = type;
            Number = number;
            Exact = exact;
            Text = text;
            Boolean = boolean;
            Count = count;
            Unique = unique;
        }

        public JsonType Type { get; }

        public double Number { get; }

        public decimal? Exact { get; }

        public string? Text { get; }

        public bool Boolean { get; }

        public int Count { get; }

        public bool? Unique { get; }

        public static PrimitiveValue Null => new PrimitiveValue(JsonType.Null, 0, null, null, false, 0, null);

        public static PrimitiveValue Of(long value) => new PrimitiveValue(JsonType.Number, value, value, null, false, 0, null);

        public static PrimitiveValue Of(double value) => new PrimitiveValue(JsonType.Number, value, null, null, false, 0, null);

        public static PrimitiveValue Of(string value) => new PrimitiveValue(JsonType.String, 0, null, value, false, 0, null);

        public static PrimitiveValue Of(bool value) => new PrimitiveValue(JsonType.Boolean, 0, null, null, value, 0, null);

        /// <summary>A list of <paramref name="count"/> items; <paramref name="unique"/> says whether they are distinct when that is asked.</summary>
        public static PrimitiveValue List(int count, bool? unique) => new PrimitiveValue(JsonType.Array, 0, null, null, false, count, unique);
    }

    /// <summary>A cursor that never yields: a <see cref="PrimitiveValue"/> has no items or members of its own.</summary>
    internal struct NoCursor
    {
    }

    /// <summary>Reads <see cref="PrimitiveValue"/>s for the validator.</summary>
    internal struct PrimitiveAccess : IJsonAccess<PrimitiveValue, NoCursor, NoCursor>
    {
        public JsonType TypeOf(PrimitiveValue value) => value.Type;

        public bool IsInteger(PrimitiveValue value) => value.Exact.HasValue || (value.Number == System.Math.Floor(value.Number) && !double.IsInfinity(value.Number));

        public double GetDouble(PrimitiveValue value) => value.Number;

        public bool TryGetDecimal(PrimitiveValue value, out decimal number)
        {
            number = value.Exact ?? 0;
            return value.Exact.HasValue;
        }

        public bool IsTrue(PrimitiveValue value) => value.Boolean;

        public string GetString(PrimitiveValue value) => value.Text ?? string.Empty;

        public bool StringEquals(PrimitiveValue value, string text) => string.Equals(value.Text, text, System.StringComparison.Ordinal);

        public int ArrayLength(PrimitiveValue value) => value.Count;

        public NoCursor Items(PrimitiveValue value) => default;

        public bool NextItem(ref NoCursor items, out PrimitiveValue item)
        {
            item = default;
            return false;
        }

        public bool? KnownUnique(PrimitiveValue value) => value.Unique ?? true;

        public int MemberCount(PrimitiveValue value) => 0;

        public NoCursor Members(PrimitiveValue value) => default;

        public bool NextMember(ref NoCursor members, out PrimitiveValue value)
        {
            value = default;
            return false;
        }

        public bool MemberNameIs(ref NoCursor members, string name) => false;

        public string MemberName(ref NoCursor members) => string.Empty;

        public bool TryGetMember(PrimitiveValue value, string name, out PrimitiveValue member)
        {
            member = default;
            return false;
        }

        public string RawText(PrimitiveValue value)
        {
            switch (value.Type)
            {
                case JsonType.Null: return "null";
                case JsonType.Boolean: return value.Boolean ? "true" : "false";
                case JsonType.Number: return value.Exact.HasValue ? value.Exact.Value.ToString(CultureInfo.InvariantCulture) : value.Number.ToString("R", CultureInfo.InvariantCulture);
                case JsonType.String: return ConstantValue.Quote(value.Text!);
                default: return value.Count.ToString(CultureInfo.InvariantCulture) + " items";
            }
        }
    }
}

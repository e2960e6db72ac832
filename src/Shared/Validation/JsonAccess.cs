namespace SchemaClients.Shared.Validation
{
    /// <summary>The JSON type of a value, as the validator sees it.</summary>
    internal enum JsonType : byte
    {
        /// <summary>No value (an absent member).</summary>
        None,
        Null,
        Boolean,
        Object,
        Array,
        Number,
        String,
    }

    /// <summary>
    /// How the validator reads one representation of JSON values: <c>JsonElement</c> at run time, the generator's
    /// syntax tree at build time, and single C# values (<see cref="PrimitiveValue"/>) for typed validation and
    /// compile-time constants. Implemented by structs, so each use is specialized and nothing is boxed.
    /// </summary>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <typeparam name="TItems">A cursor over an array's items.</typeparam>
    /// <typeparam name="TMembers">A cursor over an object's members.</typeparam>
    internal interface IJsonAccess<TValue, TItems, TMembers>
    {
        JsonType TypeOf(TValue value);

        /// <summary>Whether a number has no fractional part (JSON Schema's integer).</summary>
        bool IsInteger(TValue value);

        double GetDouble(TValue value);

        bool TryGetDecimal(TValue value, out decimal number);

        bool IsTrue(TValue value);

        string GetString(TValue value);

        bool StringEquals(TValue value, string text);

        int ArrayLength(TValue value);

        TItems Items(TValue value);

        bool NextItem(ref TItems items, out TValue item);

        /// <summary>Whether the items are all distinct; null to let the validator compare them itself.</summary>
        bool? KnownUnique(TValue value);

        int MemberCount(TValue value);

        TMembers Members(TValue value);

        bool NextMember(ref TMembers members, out TValue value);

        bool MemberNameIs(ref TMembers members, string name);

        string MemberName(ref TMembers members);

        bool TryGetMember(TValue value, string name, out TValue member);

        /// <summary>The value as JSON text, whole.</summary>
        string RawText(TValue value);
    }
}

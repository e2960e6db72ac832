using System.Globalization;
using SchemaClients.Generator.Reading;
using SchemaClients.Shared;
using SchemaClients.Shared.Validation;

namespace SchemaClients.Generator.Validation
{
    /// <summary>A cursor over the items or members of a syntax-tree value.</summary>
    internal struct SyntaxCursor
    {
        public JsonSyntax Node;
        public int Index;
    }

    /// <summary>Reads the generator's JSON syntax tree for the shared validator (schema defaults, the graph table itself).</summary>
    internal struct SyntaxAccess : IJsonAccess<JsonSyntax, SyntaxCursor, SyntaxCursor>
    {
        public JsonType TypeOf(JsonSyntax value)
        {
            switch (value.Kind)
            {
                case JsonKind.Null: return JsonType.Null;
                case JsonKind.True:
                case JsonKind.False: return JsonType.Boolean;
                case JsonKind.Number: return JsonType.Number;
                case JsonKind.String: return JsonType.String;
                case JsonKind.Array: return JsonType.Array;
                default: return JsonType.Object;
            }
        }

        public bool IsInteger(JsonSyntax value)
            => TryGetDecimal(value, out decimal d) && d != 0m ? d == decimal.Truncate(d) : SchemaRules.IsIntegerLiteral(value.NumberText ?? string.Empty);

        public double GetDouble(JsonSyntax value) => value.NumberValue;

        public bool TryGetDecimal(JsonSyntax value, out decimal number)
        {
            number = 0;
            return value.NumberText != null && decimal.TryParse(value.NumberText, NumberStyles.Float, CultureInfo.InvariantCulture, out number);
        }

        public bool IsTrue(JsonSyntax value) => value.Kind == JsonKind.True;

        public string GetString(JsonSyntax value) => value.StringValue ?? string.Empty;

        public bool StringEquals(JsonSyntax value, string text) => value.StringValue == text;

        public int ArrayLength(JsonSyntax value) => value.Items.Count;

        public SyntaxCursor Items(JsonSyntax value) => new SyntaxCursor { Node = value, Index = -1 };

        public bool NextItem(ref SyntaxCursor items, out JsonSyntax item)
        {
            if (++items.Index < items.Node.Items.Count)
            {
                item = items.Node.Items[items.Index];
                return true;
            }

            item = null!;
            return false;
        }

        public bool? KnownUnique(JsonSyntax value) => null;

        public int MemberCount(JsonSyntax value) => value.Members.Count;

        public SyntaxCursor Members(JsonSyntax value) => new SyntaxCursor { Node = value, Index = -1 };

        public bool NextMember(ref SyntaxCursor members, out JsonSyntax value)
        {
            if (++members.Index < members.Node.Members.Count)
            {
                value = members.Node.Members[members.Index].Value;
                return true;
            }

            value = null!;
            return false;
        }

        public bool MemberNameIs(ref SyntaxCursor members, string name) => members.Node.Members[members.Index].Name == name;

        public string MemberName(ref SyntaxCursor members) => members.Node.Members[members.Index].Name;

        public bool TryGetMember(JsonSyntax value, string name, out JsonSyntax member)
        {
            member = value.Get(name)!;
            return member != null;
        }

        public string RawText(JsonSyntax value) => JsonText.Compact(value);
    }
}

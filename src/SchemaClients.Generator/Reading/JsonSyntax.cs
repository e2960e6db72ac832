using System.Collections.Generic;

namespace SchemaClients.Generator.Reading
{
    /// <summary>The kind of a JSON value.</summary>
    internal enum JsonKind
    {
        Null,
        False,
        True,
        Number,
        String,
        Array,
        Object,
    }

    /// <summary>
    /// A JSON value with the character span it came from, so every diagnostic can point at the
    /// line and column in the schema file. Lives only inside one pipeline step; never in a model.
    /// The generator's own syntax tree, apart from System.Text.Json's JsonNode, which keeps no positions.
    /// </summary>
    internal sealed class JsonSyntax
    {
        private static readonly List<JsonMember> NoMembers = new List<JsonMember>();
        private static readonly List<JsonSyntax> NoItems = new List<JsonSyntax>();
        private const int IndexedAbove = 16;
        private Dictionary<string, JsonSyntax>? _index;
        private int _indexedCount;

        public JsonSyntax(JsonKind kind, int start)
        {
            Kind = kind;
            Start = start;
        }

        public JsonKind Kind { get; }

        /// <summary>Offset of the first character of the value.</summary>
        public int Start { get; }

        /// <summary>Offset just past the last character of the value.</summary>
        public int End { get; set; }

        /// <summary>The decoded text of a string value.</summary>
        public string? StringValue { get; set; }

        /// <summary>The number exactly as written (used for exact output and integer checks).</summary>
        public string? NumberText { get; set; }

        /// <summary>The number as a double; infinity when the literal is out of range.</summary>
        public double NumberValue { get; set; }

        public List<JsonMember> Members { get; set; } = NoMembers;

        public List<JsonSyntax> Items { get; set; } = NoItems;

        public bool IsObject => Kind == JsonKind.Object;

        public bool IsString => Kind == JsonKind.String;

        public bool IsNumber => Kind == JsonKind.Number;

        public bool IsBoolean => Kind == JsonKind.True || Kind == JsonKind.False;

        /// <summary>Returns the value of the last member with that name (JSON allows duplicates; the last wins).</summary>
        public JsonSyntax? Get(string name)
        {
            if (Members.Count > IndexedAbove)
            {
                // A large object ($defs of hundreds of schemas) is looked up through an index built on first use, so
                // following references stays linear in the document. The reader fills Members before anyone reads.
                if (_index == null || _indexedCount != Members.Count)
                {
                    var index = new Dictionary<string, JsonSyntax>(Members.Count, System.StringComparer.Ordinal);
                    foreach (JsonMember member in Members)
                    {
                        index[member.Name] = member.Value; // the last of duplicates wins, as below
                    }

                    _index = index;
                    _indexedCount = Members.Count;
                }

                return _index.TryGetValue(name, out JsonSyntax? found) ? found : null;
            }

            for (int i = Members.Count - 1; i >= 0; i--)
            {
                if (Members[i].Name == name)
                {
                    return Members[i].Value;
                }
            }

            return null;
        }

        /// <summary>Returns the member itself, so a caller can point at the key.</summary>
        public JsonMember? GetMember(string name)
        {
            for (int i = Members.Count - 1; i >= 0; i--)
            {
                if (Members[i].Name == name)
                {
                    return Members[i];
                }
            }

            return null;
        }

        public string? GetString(string name)
        {
            JsonSyntax? value = Get(name);
            return value != null && value.Kind == JsonKind.String ? value.StringValue : null;
        }
    }

    /// <summary>One member of a JSON object: the key with its span, and the value.</summary>
    internal sealed class JsonMember
    {
        public JsonMember(string name, int nameStart, int nameEnd, JsonSyntax value)
        {
            Name = name;
            NameStart = nameStart;
            NameEnd = nameEnd;
            Value = value;
        }

        public string Name { get; }

        public int NameStart { get; }

        public int NameEnd { get; }

        public JsonSyntax Value { get; }
    }
}

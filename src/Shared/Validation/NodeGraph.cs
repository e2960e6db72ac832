using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.RegularExpressions;

namespace SchemaClients.Shared.Validation
{
    /// <summary>Bits of the JSON types a schema node allows.</summary>
    internal static class TypeMask
    {
        public const int Null = 1;
        public const int Boolean = 2;
        public const int Object = 4;
        public const int Array = 8;
        public const int Number = 16;
        public const int String = 32;
        public const int Integer = 64;

        /// <summary>The bit of a JSON Schema type name; 0 for a name that is not one. <c>number</c> covers integers.</summary>
        public static int Of(string name)
        {
            switch (name)
            {
                case "null": return Null;
                case "boolean": return Boolean;
                case "object": return Object;
                case "array": return Array;
                case "number": return Number | Integer;
                case "string": return String;
                case "integer": return Integer;
                default: return 0;
            }
        }

        /// <summary>The type names of a mask joined with <paramref name="separator"/>: number covers integer.</summary>
        public static string Describe(int mask, string separator)
        {
            var names = new List<string>();
            if ((mask & Null) != 0) names.Add("null");
            if ((mask & Boolean) != 0) names.Add("boolean");
            if ((mask & Object) != 0) names.Add("object");
            if ((mask & Array) != 0) names.Add("array");
            if ((mask & Number) != 0) names.Add("number");
            else if ((mask & Integer) != 0) names.Add("integer");
            if ((mask & String) != 0) names.Add("string");
            return string.Join(separator, names);
        }
    }

    /// <summary>
    /// One schema, digested for validation: every keyword that applies is a field, references are node indexes,
    /// patterns are compiled once. Built from the schema graph table the generator emits for a document.
    /// </summary>
    internal sealed class GraphNode
    {
        public const int AnyAdditional = -1;
        public const int NoAdditional = -2;
        public static readonly int[] NoNodes = new int[0];
        public static readonly string[] NoNames = new string[0];

        /// <summary>For a boolean schema: true accepts everything, false nothing; null for an object schema.</summary>
        public bool? Boolean;

        /// <summary>The allowed JSON types (<see cref="TypeMask"/>); 0 allows any.</summary>
        public int Types;

        public ConstantValue[]? Enum;
        public ConstantValue? Const;

        public double? Minimum;
        public double? Maximum;
        public double? ExclusiveMinimum;
        public double? ExclusiveMaximum;
        public double? MultipleOf;

        public int? MinLength;
        public int? MaxLength;

        /// <summary>The pattern as the schema writes it (ECMA-262), for messages.</summary>
        public string? Pattern;

        /// <summary>The pattern for .NET, compiled with a match timeout.</summary>
        public Regex? Regex;

        public int? MinItems;
        public int? MaxItems;
        public bool UniqueItems;

        /// <summary>The node every item must match, or -1.</summary>
        public int Items = -1;

        public string[] PropertyNames = NoNames;
        public int[] PropertyNodes = NoNodes;
        public string[] Required = NoNames;

        /// <summary><see cref="AnyAdditional"/>, <see cref="NoAdditional"/>, or the node other members must match.</summary>
        public int Additional = AnyAdditional;

        public int[] AllOf = NoNodes;
        public int[] AnyOf = NoNodes;
        public int[] OneOf = NoNodes;
        public int Not = -1;

        /// <summary>The node a <c>$ref</c> points at, or -1.</summary>
        public int Ref = -1;

        /// <summary>The JSON types the node takes, following <c>$ref</c>; 0 when it does not say.</summary>
        public int EffectiveTypes;

        /// <summary>The enum's or const's values as JSON text, for messages.</summary>
        public string? AllowedText;

        // What a typed value's check needs to accept without walking (set by NodeGraph): the node's only rules
        // that apply to such a value are its type and, for numbers, its bounds.
        private bool _integerFast;
        private bool _numberFast;
        private bool _booleanFast;
        private double _low = double.NegativeInfinity;
        private double _high = double.PositiveInfinity;
        private double _lowExclusive = double.NegativeInfinity;
        private double _highExclusive = double.PositiveInfinity;

        /// <summary>Whether an integer certainly keeps every rule of this node, decided from its type and bounds alone; false means walk it.</summary>
        public bool Accepts(long value)
            => _integerFast && value >= -9007199254740992L && value <= 9007199254740992L && InRange(value);

        /// <summary>Whether a number certainly keeps every rule of this node; false means walk it.</summary>
        public bool Accepts(double value)
            => _numberFast && value >= double.MinValue && value <= double.MaxValue && InRange(value);

        /// <summary>Whether a boolean certainly keeps every rule of this node; false means walk it.</summary>
        public bool Accepts(bool value) => _booleanFast;

        private bool InRange(double value) => value >= _low && value <= _high && value > _lowExclusive && value < _highExclusive;

        internal void PrepareFastChecks()
        {
            bool plain = Boolean == null && Ref < 0 && AllOf.Length == 0 && AnyOf.Length == 0 && OneOf.Length == 0 && Not < 0
                && Enum == null && Const == null;
            bool numeric = plain && MultipleOf == null;
            _integerFast = numeric && (Types == 0 || (Types & TypeMask.Integer) != 0);
            _numberFast = numeric && (Types == 0 || (Types & TypeMask.Number) != 0);
            _booleanFast = plain && (Types == 0 || (Types & TypeMask.Boolean) != 0);
            _low = Minimum ?? double.NegativeInfinity;
            _high = Maximum ?? double.PositiveInfinity;
            _lowExclusive = ExclusiveMinimum ?? double.NegativeInfinity;
            _highExclusive = ExclusiveMaximum ?? double.PositiveInfinity;
        }
    }

    /// <summary>The digested schemas of one document: the model every validator walks.</summary>
    internal sealed class NodeGraph
    {
        public NodeGraph(GraphNode[] nodes)
        {
            Nodes = nodes;
            for (int i = 0; i < nodes.Length; i++)
            {
                nodes[i].EffectiveTypes = EffectiveTypes(i);
                nodes[i].PrepareFastChecks();
            }
        }

        public GraphNode[] Nodes { get; }

        private int EffectiveTypes(int id)
        {
            for (int hops = 0; hops < 16 && id >= 0 && id < Nodes.Length; hops++)
            {
                GraphNode node = Nodes[id];
                if (node.Types != 0)
                {
                    return node.Types;
                }

                id = node.Ref;
            }

            return 0;
        }

        /// <summary>
        /// Reads the table the generator emits: a JSON array with one element per node, <c>true</c>, <c>false</c> or an
        /// object of JSON Schema keywords whose subschemas are node indexes (<c>"items": 3</c>, <c>"$ref": 7</c>,
        /// <c>"properties": {"prompt": 1}</c>); exclusive bounds are numbers; <c>pattern</c> is the schema's own text and
        /// <c>regex</c> its .NET translation.
        /// </summary>
        /// <exception cref="FormatException">The table is not such an array.</exception>
        public static NodeGraph Load<TValue, TItems, TMembers, TAccess>(TAccess access, TValue table, TimeSpan regexTimeout)
            where TAccess : struct, IJsonAccess<TValue, TItems, TMembers>
        {
            if (access.TypeOf(table) != JsonType.Array)
            {
                throw new FormatException("a schema graph table is a JSON array of nodes");
            }

            var nodes = new List<GraphNode>();
            TItems items = access.Items(table);
            while (access.NextItem(ref items, out TValue item))
            {
                nodes.Add(ReadNode<TValue, TItems, TMembers, TAccess>(access, item, regexTimeout));
            }

            var graph = new NodeGraph(nodes.ToArray());
            graph.CheckIndexes();
            return graph;
        }

        private static GraphNode ReadNode<TValue, TItems, TMembers, TAccess>(TAccess access, TValue value, TimeSpan regexTimeout)
            where TAccess : struct, IJsonAccess<TValue, TItems, TMembers>
        {
            var node = new GraphNode();
            JsonType type = access.TypeOf(value);
            if (type == JsonType.Boolean)
            {
                node.Boolean = access.IsTrue(value);
                return node;
            }

            if (type != JsonType.Object)
            {
                throw new FormatException("a schema graph node is true, false or an object");
            }

            TMembers members = access.Members(value);
            while (access.NextMember(ref members, out TValue member))
            {
                string key = access.MemberName(ref members);
                switch (key)
                {
                    case "type":
                        if (access.TypeOf(member) == JsonType.String)
                        {
                            node.Types = TypeMask.Of(access.GetString(member));
                        }
                        else
                        {
                            foreach (string name in Strings<TValue, TItems, TMembers, TAccess>(access, member))
                            {
                                node.Types |= TypeMask.Of(name);
                            }
                        }

                        break;
                    case "enum":
                        var values = new List<ConstantValue>();
                        TItems each = access.Items(member);
                        while (access.NextItem(ref each, out TValue item))
                        {
                            values.Add(ConstantValue.From<TValue, TItems, TMembers, TAccess>(access, item));
                        }

                        node.Enum = values.ToArray();
                        node.AllowedText = access.RawText(member);
                        break;
                    case "const":
                        node.Const = ConstantValue.From<TValue, TItems, TMembers, TAccess>(access, member);
                        node.AllowedText = access.RawText(member);
                        break;
                    case "minimum": node.Minimum = access.GetDouble(member); break;
                    case "maximum": node.Maximum = access.GetDouble(member); break;
                    case "exclusiveMinimum": node.ExclusiveMinimum = access.GetDouble(member); break;
                    case "exclusiveMaximum": node.ExclusiveMaximum = access.GetDouble(member); break;
                    case "multipleOf": node.MultipleOf = access.GetDouble(member); break;
                    case "minLength": node.MinLength = Count(access.GetDouble(member)); break;
                    case "maxLength": node.MaxLength = Count(access.GetDouble(member)); break;
                    case "minItems": node.MinItems = Count(access.GetDouble(member)); break;
                    case "maxItems": node.MaxItems = Count(access.GetDouble(member)); break;
                    case "uniqueItems": node.UniqueItems = access.IsTrue(member); break;
                    case "pattern": node.Pattern = access.GetString(member); break;
                    case "regex": node.Regex = new Regex(access.GetString(member), RegexOptions.CultureInvariant, regexTimeout); break;
                    case "items": node.Items = Index(access.GetDouble(member)); break;
                    case "not": node.Not = Index(access.GetDouble(member)); break;
                    case "$ref": node.Ref = Index(access.GetDouble(member)); break;
                    case "allOf": node.AllOf = Indexes<TValue, TItems, TMembers, TAccess>(access, member); break;
                    case "anyOf": node.AnyOf = Indexes<TValue, TItems, TMembers, TAccess>(access, member); break;
                    case "oneOf": node.OneOf = Indexes<TValue, TItems, TMembers, TAccess>(access, member); break;
                    case "required": node.Required = Strings<TValue, TItems, TMembers, TAccess>(access, member).ToArray(); break;
                    case "additionalProperties":
                        node.Additional = access.TypeOf(member) == JsonType.Boolean
                            ? (access.IsTrue(member) ? GraphNode.AnyAdditional : GraphNode.NoAdditional)
                            : Index(access.GetDouble(member));
                        break;
                    case "properties":
                        var names = new List<string>();
                        var targets = new List<int>();
                        TMembers properties = access.Members(member);
                        while (access.NextMember(ref properties, out TValue target))
                        {
                            names.Add(access.MemberName(ref properties));
                            targets.Add(Index(access.GetDouble(target)));
                        }

                        node.PropertyNames = names.ToArray();
                        node.PropertyNodes = targets.ToArray();
                        break;
                }
            }

            return node;
        }

        private void CheckIndexes()
        {
            foreach (GraphNode node in Nodes)
            {
                Check(node.Items);
                Check(node.Not);
                Check(node.Ref);
                if (node.Additional >= 0)
                {
                    Check(node.Additional);
                }

                foreach (int[] list in new[] { node.AllOf, node.AnyOf, node.OneOf, node.PropertyNodes })
                {
                    foreach (int index in list)
                    {
                        Check(index);
                    }
                }
            }
        }

        private void Check(int index)
        {
            if (index < -1 || index >= Nodes.Length)
            {
                throw new FormatException("the schema graph refers to node " + index.ToString(CultureInfo.InvariantCulture) + " of " + Nodes.Length.ToString(CultureInfo.InvariantCulture));
            }
        }

        private static int Count(double value) => value < 0 ? 0 : value > int.MaxValue ? int.MaxValue : (int)value;

        private static int Index(double value)
            => value >= -1 && value <= int.MaxValue && value == Math.Floor(value) ? (int)value : throw new FormatException("a node index is a whole number");

        private static List<string> Strings<TValue, TItems, TMembers, TAccess>(TAccess access, TValue array)
            where TAccess : struct, IJsonAccess<TValue, TItems, TMembers>
        {
            var list = new List<string>();
            TItems items = access.Items(array);
            while (access.NextItem(ref items, out TValue item))
            {
                list.Add(access.GetString(item));
            }

            return list;
        }

        private static int[] Indexes<TValue, TItems, TMembers, TAccess>(TAccess access, TValue array)
            where TAccess : struct, IJsonAccess<TValue, TItems, TMembers>
        {
            var list = new List<int>();
            TItems items = access.Items(array);
            while (access.NextItem(ref items, out TValue item))
            {
                list.Add(Index(access.GetDouble(item)));
            }

            return list.ToArray();
        }
    }
}

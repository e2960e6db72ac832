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
        public static readonly Regex[] NoRegexes = new Regex[0];
        public static readonly string[][] NoLists = new string[0][];

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

        // Object keywords beyond properties/required/additionalProperties.

        /// <summary>patternProperties: the schema's patterns (ECMA-262 text), their .NET regexes and nodes.</summary>
        public string[] PatternTexts = NoNames;
        public Regex[] PatternRegexes = NoRegexes;
        public int[] PatternNodes = NoNodes;

        /// <summary>The node every member name (as a string) must match, or -1.</summary>
        public int PropertyNamesNode = -1;
        public int? MinProperties;
        public int? MaxProperties;

        /// <summary>dependentRequired (and draft 4-7 <c>dependencies</c> with arrays): when a member is present, these must be too.</summary>
        public string[] DependentNames = NoNames;
        public string[][] DependentRequired = NoLists;

        /// <summary>dependentSchemas (and <c>dependencies</c> with schemas): when a member is present, the object must match the node.</summary>
        public string[] DependentSchemaNames = NoNames;
        public int[] DependentSchemaNodes = NoNodes;

        // Array keywords: items before the prefix's end match the prefix node at their index; the rest match Items.

        /// <summary>prefixItems (and items as an array up to draft 2019-09).</summary>
        public int[] PrefixItems = NoNodes;
        public int Contains = -1;

        /// <summary>Whether the items contains matches count as evaluated for unevaluatedItems (2020-12, not 2019-09).</summary>
        public bool ContainsEvaluates;
        public int? MinContains;
        public int? MaxContains;

        public int If = -1;
        public int Then = -1;
        public int Else = -1;

        /// <summary>The node members no other keyword evaluated must match, or -1.</summary>
        public int UnevaluatedProperties = -1;

        /// <summary>The node items no other keyword evaluated must match, or -1.</summary>
        public int UnevaluatedItems = -1;

        /// <summary>
        /// <c>$dynamicRef</c> (2020-12) or <c>$recursiveRef</c> (2019-09): the node it resolves to statically, and the anchor
        /// name that, when the target carries it, makes the outermost resource in the dynamic scope with that anchor win
        /// (the empty name is 2019-09's <c>$recursiveAnchor: true</c>).
        /// </summary>
        public int DynamicRef = -1;
        public string? DynamicAnchor;

        /// <summary>The schema resource (a document or a schema with its own <c>$id</c>) this node belongs to.</summary>
        public int Resource;

        /// <summary>Whether evaluating this node must collect which members and items were evaluated (unevaluated* above it or here).</summary>
        public bool TracksEvaluation;

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
                && Enum == null && Const == null && If < 0 && DynamicRef < 0 && UnevaluatedItems < 0 && UnevaluatedProperties < 0;
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
            : this(nodes, NoAnchors)
        {
        }

        private static readonly Dictionary<string, int>[] NoAnchors = new Dictionary<string, int>[0];

        /// <param name="nodes">The nodes, by index.</param>
        /// <param name="dynamicAnchors">Per schema resource: its <c>$dynamicAnchor</c> names (and "" for <c>$recursiveAnchor: true</c>) and their nodes.</param>
        public NodeGraph(GraphNode[] nodes, Dictionary<string, int>[] dynamicAnchors)
        {
            Nodes = nodes;
            DynamicAnchors = dynamicAnchors;
            for (int i = 0; i < nodes.Length; i++)
            {
                nodes[i].EffectiveTypes = EffectiveTypes(i);
                nodes[i].PrepareFastChecks();
                HasDynamicRefs |= nodes[i].DynamicRef >= 0;
            }

            MarkEvaluationTracking();
        }

        /// <summary>
        /// Marks every node that unevaluatedProperties or unevaluatedItems needs annotations from: the node that carries
        /// the keyword and every node it applies in place (allOf, anyOf, oneOf, not excluded, if/then/else,
        /// dependentSchemas, $ref, $dynamicRef), transitively. Other nodes collect nothing and allocate nothing.
        /// </summary>
        private void MarkEvaluationTracking()
        {
            var pending = new Stack<int>();
            for (int i = 0; i < Nodes.Length; i++)
            {
                if (Nodes[i].UnevaluatedItems >= 0 || Nodes[i].UnevaluatedProperties >= 0)
                {
                    pending.Push(i);
                }
            }

            if (pending.Count == 0)
            {
                return;
            }

            bool dynamicTargets = false;
            while (pending.Count > 0)
            {
                GraphNode node = Nodes[pending.Pop()];
                if (node.TracksEvaluation)
                {
                    continue;
                }

                node.TracksEvaluation = true;
                foreach (int next in InPlace(node))
                {
                    if (next >= 0 && next < Nodes.Length && !Nodes[next].TracksEvaluation)
                    {
                        pending.Push(next);
                    }
                }

                if (node.DynamicRef >= 0 && !dynamicTargets)
                {
                    // A dynamic reference may land on any resource's anchor: all of them collect.
                    dynamicTargets = true;
                    foreach (Dictionary<string, int> anchors in DynamicAnchors)
                    {
                        foreach (int target in anchors.Values)
                        {
                            if (target >= 0 && target < Nodes.Length)
                            {
                                pending.Push(target); // out of range: CheckIndexes rejects the table
                            }
                        }
                    }
                }
            }
        }

        private static IEnumerable<int> InPlace(GraphNode node)
        {
            yield return node.Ref;
            yield return node.DynamicRef;
            yield return node.If;
            yield return node.Then;
            yield return node.Else;
            foreach (int i in node.AllOf) yield return i;
            foreach (int i in node.AnyOf) yield return i;
            foreach (int i in node.OneOf) yield return i;
            foreach (int i in node.DependentSchemaNodes) yield return i;
        }

        public GraphNode[] Nodes { get; }

        /// <summary>Per schema resource, the dynamic anchors it declares and the node of each.</summary>
        public Dictionary<string, int>[] DynamicAnchors { get; }

        /// <summary>Whether any node needs a dynamic scope (<c>$dynamicRef</c>/<c>$recursiveRef</c>).</summary>
        public bool HasDynamicRefs { get; private set; }

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
            var dynamicAnchors = new List<Dictionary<string, int>>();
            TItems items = access.Items(table);
            while (access.NextItem(ref items, out TValue item))
            {
                if (access.TypeOf(item) == JsonType.Object && access.TryGetMember(item, "dynamicAnchors", out TValue resources))
                {
                    // The table's last element: {"dynamicAnchors": [{"name": node, ...} per resource]}.
                    TItems each = access.Items(resources);
                    while (access.NextItem(ref each, out TValue map))
                    {
                        (string[] names, int[] targets) = NodeMap<TValue, TItems, TMembers, TAccess>(access, map);
                        var anchors = new Dictionary<string, int>(StringComparer.Ordinal);
                        for (int i = 0; i < names.Length; i++)
                        {
                            anchors[names[i]] = targets[i];
                        }

                        dynamicAnchors.Add(anchors);
                    }

                    continue;
                }

                nodes.Add(ReadNode<TValue, TItems, TMembers, TAccess>(access, item, regexTimeout));
            }

            var graph = new NodeGraph(nodes.ToArray(), dynamicAnchors.ToArray());
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
                    case "patternProperties":
                        var texts = new List<string>();
                        var regexes = new List<Regex>();
                        var patternNodes = new List<int>();
                        TItems patterns = access.Items(member);
                        while (access.NextItem(ref patterns, out TValue entry))
                        {
                            // [pattern, .NET regex, node]
                            TItems parts = access.Items(entry);
                            if (access.TypeOf(entry) != JsonType.Array || access.ArrayLength(entry) != 3
                                || !access.NextItem(ref parts, out TValue text) || !access.NextItem(ref parts, out TValue regex) || !access.NextItem(ref parts, out TValue target)
                                || access.TypeOf(text) != JsonType.String || access.TypeOf(regex) != JsonType.String)
                            {
                                throw new FormatException("a patternProperties entry is [pattern, regex, node]");
                            }

                            texts.Add(access.GetString(text));
                            regexes.Add(new Regex(access.GetString(regex), RegexOptions.CultureInvariant, regexTimeout));
                            patternNodes.Add(Index(access.GetDouble(target)));
                        }

                        node.PatternTexts = texts.ToArray();
                        node.PatternRegexes = regexes.ToArray();
                        node.PatternNodes = patternNodes.ToArray();
                        break;
                    case "propertyNames": node.PropertyNamesNode = Index(access.GetDouble(member)); break;
                    case "minProperties": node.MinProperties = Count(access.GetDouble(member)); break;
                    case "maxProperties": node.MaxProperties = Count(access.GetDouble(member)); break;
                    case "dependentRequired":
                        var dependents = new List<string>();
                        var requirements = new List<string[]>();
                        TMembers dependencies = access.Members(member);
                        while (access.NextMember(ref dependencies, out TValue list))
                        {
                            dependents.Add(access.MemberName(ref dependencies));
                            requirements.Add(Strings<TValue, TItems, TMembers, TAccess>(access, list).ToArray());
                        }

                        node.DependentNames = dependents.ToArray();
                        node.DependentRequired = requirements.ToArray();
                        break;
                    case "dependentSchemas":
                        (node.DependentSchemaNames, node.DependentSchemaNodes) = NodeMap<TValue, TItems, TMembers, TAccess>(access, member);
                        break;
                    case "prefixItems": node.PrefixItems = Indexes<TValue, TItems, TMembers, TAccess>(access, member); break;
                    case "contains": node.Contains = Index(access.GetDouble(member)); break;
                    case "containsEvaluates": node.ContainsEvaluates = access.IsTrue(member); break;
                    case "minContains": node.MinContains = Count(access.GetDouble(member)); break;
                    case "maxContains": node.MaxContains = Count(access.GetDouble(member)); break;
                    case "if": node.If = Index(access.GetDouble(member)); break;
                    case "then": node.Then = Index(access.GetDouble(member)); break;
                    case "else": node.Else = Index(access.GetDouble(member)); break;
                    case "unevaluatedProperties": node.UnevaluatedProperties = Index(access.GetDouble(member)); break;
                    case "unevaluatedItems": node.UnevaluatedItems = Index(access.GetDouble(member)); break;
                    case "$dynamicRef":
                        // [static target, anchor name]
                        TItems dynamic = access.Items(member);
                        access.NextItem(ref dynamic, out TValue staticTarget);
                        node.DynamicRef = Index(access.GetDouble(staticTarget));
                        node.DynamicAnchor = access.NextItem(ref dynamic, out TValue anchor) && access.TypeOf(anchor) == JsonType.String ? access.GetString(anchor) : null;
                        break;
                    case "resource": node.Resource = Index(access.GetDouble(member)); break;
                    case "properties":
                        (node.PropertyNames, node.PropertyNodes) = NodeMap<TValue, TItems, TMembers, TAccess>(access, member);
                        break;
                }
            }

            return node;
        }

        private void CheckIndexes()
        {
            foreach (Dictionary<string, int> anchors in DynamicAnchors)
            {
                foreach (int target in anchors.Values)
                {
                    if (target < 0)
                    {
                        throw new FormatException("a dynamic anchor names node " + target.ToString(CultureInfo.InvariantCulture));
                    }

                    Check(target);
                }
            }

            foreach (GraphNode node in Nodes)
            {
                Check(node.Items);
                Check(node.Not);
                Check(node.Ref);
                foreach (int single in new[] { node.PropertyNamesNode, node.Contains, node.If, node.Then, node.Else, node.UnevaluatedItems, node.UnevaluatedProperties, node.DynamicRef })
                {
                    Check(single);
                }

                if (node.Additional >= 0)
                {
                    Check(node.Additional);
                }

                foreach (int[] list in new[] { node.AllOf, node.AnyOf, node.OneOf, node.PropertyNodes, node.PatternNodes, node.DependentSchemaNodes, node.PrefixItems })
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

        private static (string[] Names, int[] Nodes) NodeMap<TValue, TItems, TMembers, TAccess>(TAccess access, TValue map)
            where TAccess : struct, IJsonAccess<TValue, TItems, TMembers>
        {
            var names = new List<string>();
            var targets = new List<int>();
            TMembers members = access.Members(map);
            while (access.NextMember(ref members, out TValue target))
            {
                names.Add(access.MemberName(ref members));
                targets.Add(Index(access.GetDouble(target)));
            }

            return (names.ToArray(), targets.ToArray());
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

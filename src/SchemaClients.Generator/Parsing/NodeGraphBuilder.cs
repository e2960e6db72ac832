using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.RegularExpressions;
using System.Threading;
using SchemaClients.Generator.Diagnostics;
using SchemaClients.Generator.Model;
using SchemaClients.Generator.Reading;
using SchemaClients.Generator.Validation;
using SchemaClients.Shared.Validation;

namespace SchemaClients.Generator.Parsing
{
    /// <summary>
    /// Turns the schemas of one document into its JSON validator nodes: one node per schema object, however it is
    /// reached, with its keywords read once (types, constraints, enum and const, properties, applicators, $ref).
    /// The C# type mapper asks here for the node of each schema it types, so both see the same graph.
    /// </summary>
    internal sealed class NodeGraphBuilder
    {
        /// <summary>How many nested schemas and $ref hops the builder and the type mapper follow (SCG0016 past it).</summary>
        public const int MaxDepth = 200;

        /// <summary>How many schemas one value may meet through $ref, allOf, anyOf, oneOf and not (SCG0017 past it).</summary>
        public const int MaxApplied = 4096;

        private static readonly string[] UnsupportedKeywords =
        {
            "patternProperties", "dependencies", "dependentRequired", "dependentSchemas", "prefixItems", "contains",
            "if", "unevaluatedProperties", "unevaluatedItems", "propertyNames", "minProperties", "maxProperties",
            "$dynamicRef", "$recursiveRef", "additionalItems",
        };

        private readonly SourceLines _lines;
        private readonly RefResolver _refs;
        private readonly bool _draft4;
        private readonly List<DiagnosticInfo> _diagnostics;
        private readonly CancellationToken _cancellationToken;

        private readonly Dictionary<JsonSyntax, int> _nodeIds = new Dictionary<JsonSyntax, int>(ReferenceComparer.Instance);
        private readonly List<SchemaNodeSpec?> _nodes = new List<SchemaNodeSpec?>();
        private readonly Dictionary<int, LocationInfo> _refLocations = new Dictionary<int, LocationInfo>();
        private readonly Dictionary<int, string> _refTexts = new Dictionary<int, string>();
        private readonly HashSet<JsonSyntax> _reportedPatterns = new HashSet<JsonSyntax>(ReferenceComparer.Instance);
        private readonly List<PendingDefault> _defaults = new List<PendingDefault>();
        private int _depth;
        private bool _reportedDepth;

        /// <param name="draft4">Drafts 3 to 7 and OpenAPI 3.0: keywords beside <c>$ref</c> are ignored.</param>
        public NodeGraphBuilder(SourceLines lines, RefResolver refs, bool draft4, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
        {
            _lines = lines;
            _refs = refs;
            _draft4 = draft4;
            _diagnostics = diagnostics;
            _cancellationToken = cancellationToken;
        }

        /// <summary>A property's default, checked against its node once the whole graph is built and its cycles cut.</summary>
        private sealed class PendingDefault
        {
            public PendingDefault(JsonSyntax value, int node, string subject)
            {
                Value = value;
                Node = node;
                Subject = subject;
            }

            public JsonSyntax Value { get; }

            public int Node { get; }

            public string Subject { get; }
        }

        /// <summary>The node of a schema, built with everything it reaches the first time it is asked for.</summary>
        public int NodeOf(JsonSyntax schema, string pointer) => BuildNode(schema, pointer);

        /// <summary>Queues a property's default for <see cref="FinishNodes"/> to check against the property's node.</summary>
        public void CheckDefault(JsonSyntax value, int node, string subject) => _defaults.Add(new PendingDefault(value, node, subject));

        /// <summary>
        /// Builds the node list, after cutting $ref cycles that could never consume any data, and checks every
        /// property default against its node with the validator the generated code uses (warning SCG0010).
        /// </summary>
        public EquatableArray<SchemaNodeSpec> FinishNodes()
        {
            BreakApplicatorCycles();
            var result = new SchemaNodeSpec[_nodes.Count];
            for (int i = 0; i < result.Length; i++)
            {
                result[i] = _nodes[i] ?? AnyNode(i, "#");
            }

            var nodes = new EquatableArray<SchemaNodeSpec>(result);
            if (_defaults.Count > 0)
            {
                var graph = BuildTimeGraph.From(nodes);
                foreach (PendingDefault pending in _defaults)
                {
                    _cancellationToken.ThrowIfCancellationRequested();
                    string? problem = graph.FirstProblem(pending.Node, pending.Value);
                    if (problem != null)
                    {
                        _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DefaultOutsideLimits, _lines.Locate(pending.Value), JsonText.Compact(pending.Value), pending.Subject, problem));
                    }
                }
            }

            return nodes;
        }

        private static SchemaNodeSpec AnyNode(int id, string pointer) => new SchemaNodeSpec(
            id, pointer, true, 0, Constraints.None, false, EquatableArray<string>.Empty, null,
            EquatableArray<NodeProperty>.Empty, EquatableArray<string>.Empty, -1, -1,
            EquatableArray<int>.Empty, EquatableArray<int>.Empty, EquatableArray<int>.Empty, -1, -1);

        /// <summary>
        /// Reports SCG0016, once per document: nesting and $ref hops ran past <see cref="MaxDepth"/> at
        /// <paramref name="where"/>. The type mapper, which walks the same schemas on its own path, reports through here too.
        /// </summary>
        public void ReportTooDeep(JsonSyntax where, string what, string pointer)
        {
            if (!_reportedDepth)
            {
                _reportedDepth = true;
                _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NestingTooDeep, _lines.Locate(where), what, pointer, MaxDepth.ToString(CultureInfo.InvariantCulture)));
            }
        }

        private int BuildNode(JsonSyntax schema, string pointer)
        {
            if (_nodeIds.TryGetValue(schema, out int existing))
            {
                return existing;
            }

            _cancellationToken.ThrowIfCancellationRequested();
            int id = _nodes.Count;
            _nodes.Add(null);
            _nodeIds[schema] = id;
            if (_depth >= MaxDepth)
            {
                ReportTooDeep(schema, "The schema", pointer);
                _nodes[id] = AnyNode(id, pointer);
                return id;
            }

            _depth++;
            try
            {
                _nodes[id] = BuildNodeCore(id, schema, pointer);
            }
            finally
            {
                _depth--;
            }

            return id;
        }

        private SchemaNodeSpec BuildNodeCore(int id, JsonSyntax schema, string pointer)
        {

            if (schema.Kind == JsonKind.True || schema.Kind == JsonKind.False)
            {
                return AnyNode(id, pointer) with { BooleanSchema = schema.Kind == JsonKind.True };
            }

            if (!schema.IsObject)
            {
                _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedType, _lines.Locate(schema), JsonText.Compact(schema), pointer));
                return AnyNode(id, pointer);
            }

            int refNode = -1;
            JsonSyntax? refValue = schema.Get("$ref");
            if (refValue != null && refValue.IsString)
            {
                JsonSyntax? target = _refs.Resolve(refValue.StringValue!, out string? why);
                if (target == null)
                {
                    _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnresolvedReference, _lines.Locate(refValue), refValue.StringValue!, pointer, why!));
                }
                else if (_depth >= MaxDepth && !_nodeIds.ContainsKey(target))
                {
                    ReportTooDeep(refValue, "$ref '" + refValue.StringValue + "'", pointer);
                }
                else
                {
                    _refLocations[id] = _lines.Locate(refValue);
                    _refTexts[id] = refValue.StringValue!;
                    refNode = BuildNode(target, refValue.StringValue!);
                }

                if (_draft4)
                {
                    // Drafts 3 to 7 and OpenAPI 3.0: keywords beside $ref are ignored.
                    return AnyNode(id, pointer) with { BooleanSchema = null, Ref = refNode };
                }
            }

            int typeMask = ReadTypeMask(schema, pointer);
            JsonSyntax? nullableValue = schema.Get("nullable");
            if (nullableValue != null && nullableValue.Kind == JsonKind.True && typeMask != 0)
            {
                typeMask |= TypeMask.Null;
            }

            Constraints constraints = ReadConstraints(schema, pointer);

            bool hasEnum = false;
            var enumValues = new List<string>();
            JsonSyntax? enumNode = schema.Get("enum");
            if (enumNode != null && enumNode.Kind == JsonKind.Array)
            {
                hasEnum = true;
                foreach (JsonSyntax item in enumNode.Items)
                {
                    enumValues.Add(JsonText.Compact(item));
                }

                if (nullableValue != null && nullableValue.Kind == JsonKind.True && !enumValues.Contains("null"))
                {
                    enumValues.Add("null");
                }
            }

            JsonSyntax? constNode = schema.Get("const");
            string? constJson = constNode != null ? JsonText.Compact(constNode) : null;

            var properties = new List<NodeProperty>();
            JsonSyntax? propertiesNode = schema.Get("properties");
            if (propertiesNode != null && propertiesNode.IsObject)
            {
                foreach (JsonMember member in propertiesNode.Members)
                {
                    properties.Add(new NodeProperty(member.Name, BuildNode(member.Value, pointer + "/properties/" + RefResolver.Escape(member.Name))));
                }
            }

            var required = new List<string>();
            JsonSyntax? requiredNode = schema.Get("required");
            if (requiredNode != null && requiredNode.Kind == JsonKind.Array)
            {
                foreach (JsonSyntax item in requiredNode.Items)
                {
                    if (item.IsString && !required.Contains(item.StringValue!))
                    {
                        required.Add(item.StringValue!);
                    }
                }
            }

            int additional = -1;
            JsonSyntax? additionalNode = schema.Get("additionalProperties");
            if (additionalNode != null)
            {
                additional = additionalNode.Kind == JsonKind.False ? -2
                    : additionalNode.Kind == JsonKind.True ? -1
                    : BuildNode(additionalNode, pointer + "/additionalProperties");
            }

            int items = -1;
            JsonSyntax? itemsNode = schema.Get("items");
            if (itemsNode != null)
            {
                if (itemsNode.Kind == JsonKind.Array)
                {
                    _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedKeyword, _lines.Locate(itemsNode), "items (array form)", pointer));
                }
                else
                {
                    items = BuildNode(itemsNode, pointer + "/items");
                }
            }

            int not = -1;
            JsonSyntax? notNode = schema.Get("not");
            if (notNode != null)
            {
                not = BuildNode(notNode, pointer + "/not");
            }

            foreach (string keyword in UnsupportedKeywords)
            {
                JsonMember? member = schema.GetMember(keyword);
                if (member != null)
                {
                    _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedKeyword, _lines.LocateName(member), keyword, pointer));
                }
            }

            return new SchemaNodeSpec(
                id,
                pointer,
                null,
                typeMask,
                constraints,
                hasEnum,
                enumValues.ToEquatableArray(),
                constJson,
                properties.ToEquatableArray(),
                required.ToEquatableArray(),
                additional,
                items,
                BuildList(schema, "allOf", pointer),
                BuildList(schema, "anyOf", pointer),
                BuildList(schema, "oneOf", pointer),
                refNode,
                not);
        }

        private EquatableArray<int> BuildList(JsonSyntax schema, string keyword, string pointer)
        {
            JsonSyntax? list = schema.Get(keyword);
            if (list == null || list.Kind != JsonKind.Array)
            {
                return EquatableArray<int>.Empty;
            }

            var ids = new int[list.Items.Count];
            for (int i = 0; i < ids.Length; i++)
            {
                ids[i] = BuildNode(list.Items[i], pointer + "/" + keyword + "/" + i.ToString(CultureInfo.InvariantCulture));
            }

            return new EquatableArray<int>(ids);
        }

        private int ReadTypeMask(JsonSyntax schema, string pointer)
        {
            JsonSyntax? type = schema.Get("type");
            if (type == null)
            {
                return 0;
            }

            int mask = 0;
            if (type.IsString)
            {
                mask = TypeBit(type.StringValue!, type, pointer);
            }
            else if (type.Kind == JsonKind.Array)
            {
                foreach (JsonSyntax item in type.Items)
                {
                    mask |= item.IsString ? TypeBit(item.StringValue!, item, pointer) : 0;
                }
            }
            else
            {
                _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedType, _lines.Locate(type), JsonText.Compact(type), pointer));
            }

            return mask;
        }

        private int TypeBit(string name, JsonSyntax where, string pointer)
        {
            int bit = TypeMask.Of(name);
            if (bit == 0)
            {
                _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedType, _lines.Locate(where), name, pointer));
            }

            return bit;
        }

        /// <summary>
        /// The constraint keywords of a schema. Read for its validator node and again for its C# type (its attributes);
        /// an invalid pattern is reported once.
        /// </summary>
        public Constraints ReadConstraints(JsonSyntax schema, string pointer)
        {
            double? minimum = Number(schema, "minimum");
            double? maximum = Number(schema, "maximum");
            double? exclusiveMinimum = null;
            double? exclusiveMaximum = null;

            // Draft 4 and OpenAPI 3.0 write exclusiveMinimum as a boolean that changes minimum;
            // draft 6 and later (OpenAPI 3.1) write it as a number of its own.
            JsonSyntax? exMin = schema.Get("exclusiveMinimum");
            if (exMin != null)
            {
                if (exMin.Kind == JsonKind.True && minimum.HasValue)
                {
                    exclusiveMinimum = minimum;
                    minimum = null;
                }
                else if (exMin.IsNumber && !double.IsNegativeInfinity(exMin.NumberValue))
                {
                    // Past double's range (1e400): the nearest double keeps the meaning for every value JSON can carry
                    // here, and stays a number C# can write. Below -1.8e308 there is no bound at all.
                    exclusiveMinimum = double.IsPositiveInfinity(exMin.NumberValue) ? double.MaxValue : exMin.NumberValue;
                }
            }

            JsonSyntax? exMax = schema.Get("exclusiveMaximum");
            if (exMax != null)
            {
                if (exMax.Kind == JsonKind.True && maximum.HasValue)
                {
                    exclusiveMaximum = maximum;
                    maximum = null;
                }
                else if (exMax.IsNumber && !double.IsPositiveInfinity(exMax.NumberValue))
                {
                    exclusiveMaximum = double.IsNegativeInfinity(exMax.NumberValue) ? double.MinValue : exMax.NumberValue;
                }
            }

            double? multipleOf = Number(schema, "multipleOf");
            if (multipleOf.HasValue && multipleOf.Value <= 0)
            {
                multipleOf = null;
            }

            string? pattern = schema.GetString("pattern");
            if (pattern != null)
            {
                try
                {
                    _ = new Regex(EcmaRegex.ToDotNet(pattern), RegexOptions.CultureInvariant);
                }
                catch (ArgumentException e)
                {
                    // Constraints are read both for the validator node and for the C# type; report once.
                    if (_reportedPatterns.Add(schema))
                    {
                        _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidPattern, _lines.Locate(schema.Get("pattern")!), pattern, pointer, e.Message));
                    }

                    pattern = null;
                }
            }

            var allowed = new List<string>();
            JsonSyntax? constValue = schema.Get("const");
            JsonSyntax? enumValues = schema.Get("enum");
            if (constValue != null)
            {
                allowed.Add(JsonText.Compact(constValue));
            }
            else if (enumValues != null && enumValues.Kind == JsonKind.Array)
            {
                foreach (JsonSyntax item in enumValues.Items)
                {
                    allowed.Add(JsonText.Compact(item));
                }
            }

            JsonSyntax? unique = schema.Get("uniqueItems");
            return new Constraints(
                minimum,
                maximum,
                exclusiveMinimum,
                exclusiveMaximum,
                multipleOf,
                Count(schema, "minLength"),
                Count(schema, "maxLength"),
                pattern,
                Count(schema, "minItems"),
                Count(schema, "maxItems"),
                unique != null && unique.Kind == JsonKind.True,
                allowed.ToEquatableArray());
        }

        private static double? Number(JsonSyntax schema, string name)
        {
            JsonSyntax? value = schema.Get(name);
            return value != null && value.IsNumber && !double.IsInfinity(value.NumberValue) ? value.NumberValue : (double?)null;
        }

        private static int? Count(JsonSyntax schema, string name)
        {
            double? value = Number(schema, name);
            if (value == null || value.Value < 0 || value.Value != Math.Floor(value.Value))
            {
                return null;
            }

            return value.Value > int.MaxValue ? int.MaxValue : (int)value.Value;
        }

        /// <summary>
        /// $ref, allOf, anyOf, oneOf and not apply other schemas to the same value. A chain of them that returns to its
        /// start never reaches an object property, so a validator following it would never end: each such edge is
        /// reported (SCG0006) and cut. Over what remains (a DAG), counts how many schemas one value meets from each
        /// node, shared subschemas counted each time, as a validator meets them; a node past <see cref="MaxApplied"/>
        /// loses its branches (SCG0017), so neither the default check here nor the validator at run time can take
        /// exponential time. Iterative: a chain of thousands of references cannot exhaust the stack.
        /// </summary>
        private void BreakApplicatorCycles()
        {
            int count = _nodes.Count;
            var state = new byte[count]; // 0 new, 1 on the path, 2 done
            var applied = new int[count];
            var edges = new int[count][];
            for (int i = 0; i < count; i++)
            {
                edges[i] = SameValueEdges(_nodes[i], count);
            }

            var cut = new HashSet<long>();
            var path = new List<int>();
            var nextEdge = new List<int>();
            JsonSyntax?[]? schemas = null;
            bool reportedCost = false;
            for (int root = 0; root < count; root++)
            {
                if (state[root] != 0)
                {
                    continue;
                }

                state[root] = 1;
                path.Add(root);
                nextEdge.Add(0);
                while (path.Count > 0)
                {
                    int top = path.Count - 1;
                    int id = path[top];
                    int[] out_ = edges[id];
                    if (nextEdge[top] < out_.Length)
                    {
                        int target = out_[nextEdge[top]++];
                        if (state[target] == 0)
                        {
                            state[target] = 1;
                            path.Add(target);
                            nextEdge.Add(0);
                        }
                        else if (state[target] == 1 && cut.Add(((long)id << 32) | (uint)target))
                        {
                            ReportCycle(id, target, path);
                        }

                        continue;
                    }

                    long total = 1;
                    foreach (int target in out_)
                    {
                        if (!cut.Contains(((long)id << 32) | (uint)target))
                        {
                            total += applied[target];
                        }
                    }

                    if (total > MaxApplied)
                    {
                        if (!reportedCost)
                        {
                            reportedCost = true;
                            schemas ??= SchemasById(count);
                            JsonSyntax? where = schemas[id];
                            _diagnostics.Add(DiagnosticInfo.Create(
                                DiagnosticDescriptors.ValidationTooCostly,
                                where != null ? _lines.Locate(where) : null,
                                _nodes[id]?.Pointer ?? "#",
                                total.ToString("N0", CultureInfo.InvariantCulture),
                                MaxApplied.ToString("N0", CultureInfo.InvariantCulture)));
                        }

                        SchemaNodeSpec? node = _nodes[id];
                        if (node != null)
                        {
                            _nodes[id] = node with { AllOf = EquatableArray<int>.Empty, AnyOf = EquatableArray<int>.Empty, OneOf = EquatableArray<int>.Empty, Not = -1, Ref = -1 };
                        }

                        edges[id] = GraphNodeNoEdges;
                        total = 1;
                    }

                    applied[id] = (int)total;
                    state[id] = 2;
                    path.RemoveAt(top);
                    nextEdge.RemoveAt(top);
                }
            }

            foreach (long edge in cut)
            {
                int from = (int)(edge >> 32);
                int to = (int)(uint)edge;
                SchemaNodeSpec? node = _nodes[from];
                if (node != null)
                {
                    node = node.Ref == to ? node with { Ref = -1 } : node;
                    _nodes[from] = RemoveApplicator(node, to);
                }
            }
        }

        private static readonly int[] GraphNodeNoEdges = new int[0];

        private static int[] SameValueEdges(SchemaNodeSpec? node, int count)
        {
            if (node == null)
            {
                return GraphNodeNoEdges;
            }

            var list = new List<int>();
            if (node.Ref >= 0 && node.Ref < count)
            {
                list.Add(node.Ref);
            }

            foreach (int i in Applicators(node))
            {
                if (i >= 0 && i < count)
                {
                    list.Add(i);
                }
            }

            return list.Count == 0 ? GraphNodeNoEdges : list.ToArray();
        }

        private JsonSyntax?[] SchemasById(int count)
        {
            var schemas = new JsonSyntax?[count];
            foreach (KeyValuePair<JsonSyntax, int> pair in _nodeIds)
            {
                if (pair.Value < count)
                {
                    schemas[pair.Value] = pair.Key;
                }
            }

            return schemas;
        }

        private static IEnumerable<int> Applicators(SchemaNodeSpec node)
        {
            foreach (int i in node.AllOf)
            {
                yield return i;
            }

            foreach (int i in node.AnyOf)
            {
                yield return i;
            }

            foreach (int i in node.OneOf)
            {
                yield return i;
            }

            if (node.Not >= 0)
            {
                yield return node.Not;
            }
        }

        private static SchemaNodeSpec RemoveApplicator(SchemaNodeSpec node, int target)
        {
            EquatableArray<int> Without(EquatableArray<int> list)
            {
                var kept = new List<int>();
                foreach (int i in list)
                {
                    if (i != target)
                    {
                        kept.Add(i);
                    }
                }

                return kept.ToEquatableArray();
            }

            return node with { AllOf = Without(node.AllOf), AnyOf = Without(node.AnyOf), OneOf = Without(node.OneOf), Not = node.Not == target ? -1 : node.Not };
        }

        private void ReportCycle(int from, int to, List<int> stack)
        {
            int start = stack.IndexOf(to);
            var path = new List<string>();
            for (int i = start; i < stack.Count; i++)
            {
                path.Add(_nodes[stack[i]]?.Pointer ?? "#");
            }

            path.Add(_nodes[to]?.Pointer ?? "#");
            if (path.Count > 9)
            {
                // A loop of thousands of references would make a message nobody reads: its ends say where it is.
                path.RemoveRange(4, path.Count - 8);
                path.Insert(4, "...");
            }

            string reference = _refTexts.TryGetValue(from, out string? text) ? text : (_nodes[to]?.Pointer ?? "#");
            LocationInfo? location = _refLocations.TryGetValue(from, out LocationInfo? where) ? where : FindAnyRefLocation(stack, start);
            _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.CyclicReference, location, reference, _nodes[from]?.Pointer ?? "#", string.Join(" -> ", path)));
        }

        private LocationInfo? FindAnyRefLocation(List<int> stack, int start)
        {
            for (int i = stack.Count - 1; i >= start; i--)
            {
                if (_refLocations.TryGetValue(stack[i], out LocationInfo? location))
                {
                    return location;
                }
            }

            return null;
        }
    }
}

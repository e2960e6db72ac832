using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.CompilerServices;
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
    /// Turns the schemas of one document into JSON validator nodes and declared C# types.
    /// Every construct of the provider documents is handled here on purpose; see the remarks on each method.
    /// </summary>
    internal sealed class SchemaTranslator
    {
        private static readonly string[] UnsupportedKeywords =
        {
            "patternProperties", "dependencies", "dependentRequired", "dependentSchemas", "prefixItems", "contains",
            "if", "unevaluatedProperties", "unevaluatedItems", "propertyNames", "minProperties", "maxProperties",
            "$dynamicRef", "$recursiveRef", "additionalItems",
        };

        private static readonly HashSet<string> GeneratedMemberNames = new HashSet<string>(StringComparer.Ordinal)
        {
            "Validate", "IsValid", "ValidateJson", "ValidateInto", "EqualityContract", "ToString", "GetHashCode",
            "Equals", "GetType", "Deconstruct", "PrintMembers", "Clone", "MemberwiseClone", "Finalize",
            // The document-level classes generated members refer to by their simple names.
            Emitting.Names.ValidatorClass, Emitting.Names.ConverterClass, Emitting.EmitContext.NodesClass,
        };

        private readonly string _filePath;
        private readonly SourceLines _lines;
        private readonly JsonNode _schemaRoot;
        private readonly bool _draft4;
        private readonly List<DiagnosticInfo> _diagnostics;
        private readonly CancellationToken _cancellationToken;

        private readonly Dictionary<JsonNode, int> _nodeIds = new Dictionary<JsonNode, int>(ReferenceComparer.Instance);
        private readonly List<SchemaNodeSpec?> _nodes = new List<SchemaNodeSpec?>();
        private readonly Dictionary<int, LocationInfo> _refLocations = new Dictionary<int, LocationInfo>();
        private readonly Dictionary<int, string> _refTexts = new Dictionary<int, string>();

        private readonly Dictionary<JsonNode, TypeRef> _declared = new Dictionary<JsonNode, TypeRef>(ReferenceComparer.Instance);
        private readonly Dictionary<JsonNode, string> _reservedNames = new Dictionary<JsonNode, string>(ReferenceComparer.Instance);
        private readonly HashSet<string> _typeNames = new HashSet<string>(StringComparer.Ordinal);
        private readonly List<TypeSpec> _types = new List<TypeSpec>();
        private readonly HashSet<JsonNode> _resolving = new HashSet<JsonNode>(ReferenceComparer.Instance);
        private readonly HashSet<JsonNode> _reportedPatterns = new HashSet<JsonNode>(ReferenceComparer.Instance);

        public SchemaTranslator(string filePath, SourceLines lines, JsonNode schemaRoot, bool draft4, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
        {
            _filePath = filePath;
            _lines = lines;
            _schemaRoot = schemaRoot;
            _draft4 = draft4;
            _diagnostics = diagnostics;
            _cancellationToken = cancellationToken;
            _typeNames.Add(Emitting.Names.ValidatorClass);
            _typeNames.Add(Emitting.Names.ConverterClass);
            _typeNames.Add(Emitting.EmitContext.NodesClass);
        }

        public IReadOnlyList<TypeSpec> Types => _types;

        /// <summary>Where each record property is declared.</summary>
        public IReadOnlyList<PropertyLocation> Locations => _locations;

        private readonly List<PropertyLocation> _locations = new List<PropertyLocation>();
        private readonly List<PendingDefault> _defaults = new List<PendingDefault>();

        /// <summary>A property's default, checked against its node once the whole graph is built and its cycles cut.</summary>
        private sealed class PendingDefault
        {
            public PendingDefault(JsonNode value, int node, string subject)
            {
                Value = value;
                Node = node;
                Subject = subject;
            }

            public JsonNode Value { get; }

            public int Node { get; }

            public string Subject { get; }
        }

        /// <summary>Reserves a type name for a named schema (a component) before any inline type can take it.</summary>
        public void ReserveName(JsonNode schema, string name, LocationInfo? nameLocation)
        {
            string identifier = Naming.ToIdentifier(name, "Schema", GeneratedMemberNames, out string? reason);
            if (reason != null)
            {
                _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NameAdjusted, nameLocation, name, reason, identifier));
            }

            if (!_reservedNames.ContainsKey(schema))
            {
                _reservedNames[schema] = Naming.Unique(identifier, _typeNames);
            }
        }

        /// <summary>Declares the type of a named schema if it is one (record, enum, union); primitives declare nothing.</summary>
        public TypeRef DeclareNamed(JsonNode schema, string pointer)
        {
            string hint = _reservedNames.TryGetValue(schema, out string? reserved) ? reserved : "Schema";
            bool nullable = false;
            return Map(schema, pointer, hint, null, ref nullable);
        }

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
                        _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DefaultOutsideLimits, Locate(pending.Value), JsonText.Compact(pending.Value), pending.Subject, problem));
                    }
                }
            }

            return nodes;
        }

        public int NodeOf(JsonNode schema, string pointer) => BuildNode(schema, pointer);

        private LocationInfo Locate(JsonNode node) => _lines.Locate(node.Start, node.End);

        private LocationInfo LocateKey(JsonMember member) => _lines.Locate(member.NameStart, member.NameEnd);

        private static SchemaNodeSpec AnyNode(int id, string pointer) => new SchemaNodeSpec(
            id, pointer, true, 0, Constraints.None, false, EquatableArray<string>.Empty, null,
            EquatableArray<NodeProperty>.Empty, EquatableArray<string>.Empty, -1, -1,
            EquatableArray<int>.Empty, EquatableArray<int>.Empty, EquatableArray<int>.Empty, -1, -1);

        // ---------------------------------------------------------------------------------------------
        // JSON validator nodes
        // ---------------------------------------------------------------------------------------------

        private int BuildNode(JsonNode schema, string pointer)
        {
            if (_nodeIds.TryGetValue(schema, out int existing))
            {
                return existing;
            }

            _cancellationToken.ThrowIfCancellationRequested();
            int id = _nodes.Count;
            _nodes.Add(null);
            _nodeIds[schema] = id;

            if (schema.Kind == JsonKind.True || schema.Kind == JsonKind.False)
            {
                _nodes[id] = AnyNode(id, pointer) with { BooleanSchema = schema.Kind == JsonKind.True };
                return id;
            }

            if (!schema.IsObject)
            {
                _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedType, Locate(schema), JsonText.Compact(schema), pointer));
                _nodes[id] = AnyNode(id, pointer);
                return id;
            }

            int refNode = -1;
            JsonNode? refValue = schema.Get("$ref");
            if (refValue != null && refValue.IsString)
            {
                JsonNode? target = Resolve(refValue.StringValue!, out string? why);
                if (target == null)
                {
                    _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnresolvedReference, Locate(refValue), refValue.StringValue!, pointer, why!));
                }
                else
                {
                    _refLocations[id] = Locate(refValue);
                    _refTexts[id] = refValue.StringValue!;
                    refNode = BuildNode(target, refValue.StringValue!);
                }

                if (_draft4)
                {
                    // Draft 4 and OpenAPI 3.0: keywords beside $ref are ignored.
                    _nodes[id] = AnyNode(id, pointer) with { BooleanSchema = null, Ref = refNode };
                    return id;
                }
            }

            int typeMask = ReadTypeMask(schema, pointer);
            JsonNode? nullableValue = schema.Get("nullable");
            if (nullableValue != null && nullableValue.Kind == JsonKind.True && typeMask != 0)
            {
                typeMask |= TypeMask.Null;
            }

            Constraints constraints = ReadConstraints(schema, pointer);

            bool hasEnum = false;
            var enumValues = new List<string>();
            JsonNode? enumNode = schema.Get("enum");
            if (enumNode != null && enumNode.Kind == JsonKind.Array)
            {
                hasEnum = true;
                foreach (JsonNode item in enumNode.Items)
                {
                    enumValues.Add(JsonText.Compact(item));
                }

                if (nullableValue != null && nullableValue.Kind == JsonKind.True && !enumValues.Contains("null"))
                {
                    enumValues.Add("null");
                }
            }

            JsonNode? constNode = schema.Get("const");
            string? constJson = constNode != null ? JsonText.Compact(constNode) : null;

            var properties = new List<NodeProperty>();
            JsonNode? propertiesNode = schema.Get("properties");
            if (propertiesNode != null && propertiesNode.IsObject)
            {
                foreach (JsonMember member in propertiesNode.Members)
                {
                    properties.Add(new NodeProperty(member.Name, BuildNode(member.Value, pointer + "/properties/" + Escape(member.Name))));
                }
            }

            var required = new List<string>();
            JsonNode? requiredNode = schema.Get("required");
            if (requiredNode != null && requiredNode.Kind == JsonKind.Array)
            {
                foreach (JsonNode item in requiredNode.Items)
                {
                    if (item.IsString && !required.Contains(item.StringValue!))
                    {
                        required.Add(item.StringValue!);
                    }
                }
            }

            int additional = -1;
            JsonNode? additionalNode = schema.Get("additionalProperties");
            if (additionalNode != null)
            {
                additional = additionalNode.Kind == JsonKind.False ? -2
                    : additionalNode.Kind == JsonKind.True ? -1
                    : BuildNode(additionalNode, pointer + "/additionalProperties");
            }

            int items = -1;
            JsonNode? itemsNode = schema.Get("items");
            if (itemsNode != null)
            {
                if (itemsNode.Kind == JsonKind.Array)
                {
                    _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedKeyword, Locate(itemsNode), "items (array form)", pointer));
                }
                else
                {
                    items = BuildNode(itemsNode, pointer + "/items");
                }
            }

            int not = -1;
            JsonNode? notNode = schema.Get("not");
            if (notNode != null)
            {
                not = BuildNode(notNode, pointer + "/not");
            }

            foreach (string keyword in UnsupportedKeywords)
            {
                JsonMember? member = schema.GetMember(keyword);
                if (member != null)
                {
                    _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedKeyword, LocateKey(member), keyword, pointer));
                }
            }

            _nodes[id] = new SchemaNodeSpec(
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
            return id;
        }

        private EquatableArray<int> BuildList(JsonNode schema, string keyword, string pointer)
        {
            JsonNode? list = schema.Get(keyword);
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

        private int ReadTypeMask(JsonNode schema, string pointer)
        {
            JsonNode? type = schema.Get("type");
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
                foreach (JsonNode item in type.Items)
                {
                    mask |= item.IsString ? TypeBit(item.StringValue!, item, pointer) : 0;
                }
            }
            else
            {
                _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedType, Locate(type), JsonText.Compact(type), pointer));
            }

            return mask;
        }

        private int TypeBit(string name, JsonNode where, string pointer)
        {
            int bit = TypeMask.Of(name);
            if (bit == 0)
            {
                _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedType, Locate(where), name, pointer));
            }

            return bit;
        }

        private Constraints ReadConstraints(JsonNode schema, string pointer)
        {
            double? minimum = Number(schema, "minimum");
            double? maximum = Number(schema, "maximum");
            double? exclusiveMinimum = null;
            double? exclusiveMaximum = null;

            // Draft 4 and OpenAPI 3.0 write exclusiveMinimum as a boolean that changes minimum;
            // draft 6 and later (OpenAPI 3.1) write it as a number of its own.
            JsonNode? exMin = schema.Get("exclusiveMinimum");
            if (exMin != null)
            {
                if (exMin.Kind == JsonKind.True && minimum.HasValue)
                {
                    exclusiveMinimum = minimum;
                    minimum = null;
                }
                else if (exMin.IsNumber)
                {
                    exclusiveMinimum = exMin.NumberValue;
                }
            }

            JsonNode? exMax = schema.Get("exclusiveMaximum");
            if (exMax != null)
            {
                if (exMax.Kind == JsonKind.True && maximum.HasValue)
                {
                    exclusiveMaximum = maximum;
                    maximum = null;
                }
                else if (exMax.IsNumber)
                {
                    exclusiveMaximum = exMax.NumberValue;
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
                        _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidPattern, Locate(schema.Get("pattern")!), pattern, pointer, e.Message));
                    }

                    pattern = null;
                }
            }

            var allowed = new List<string>();
            JsonNode? constValue = schema.Get("const");
            JsonNode? enumValues = schema.Get("enum");
            if (constValue != null)
            {
                allowed.Add(JsonText.Compact(constValue));
            }
            else if (enumValues != null && enumValues.Kind == JsonKind.Array)
            {
                foreach (JsonNode item in enumValues.Items)
                {
                    allowed.Add(JsonText.Compact(item));
                }
            }

            JsonNode? unique = schema.Get("uniqueItems");
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

        private static double? Number(JsonNode schema, string name)
        {
            JsonNode? value = schema.Get(name);
            return value != null && value.IsNumber && !double.IsInfinity(value.NumberValue) ? value.NumberValue : (double?)null;
        }

        private static int? Count(JsonNode schema, string name)
        {
            double? value = Number(schema, name);
            if (value == null || value.Value < 0 || value.Value != Math.Floor(value.Value))
            {
                return null;
            }

            return value.Value > int.MaxValue ? int.MaxValue : (int)value.Value;
        }

        /// <summary>Resolves a reference inside this document.</summary>
        private JsonNode? Resolve(string reference, out string? why)
        {
            why = null;
            if (!reference.StartsWith("#", StringComparison.Ordinal))
            {
                why = "only references inside the same document ('#/...') are supported";
                return null;
            }

            string pointer = Uri.UnescapeDataString(reference.Substring(1));
            JsonNode current = _schemaRoot;
            if (pointer.Length == 0)
            {
                return current;
            }

            if (pointer[0] != '/')
            {
                why = "anchors are not supported, only JSON pointers";
                return null;
            }

            foreach (string rawToken in pointer.Substring(1).Split('/'))
            {
                string token = rawToken.Replace("~1", "/").Replace("~0", "~");
                JsonNode? next = null;
                if (current.IsObject)
                {
                    next = current.Get(token);
                }
                else if (current.Kind == JsonKind.Array && int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out int index) && index < current.Items.Count)
                {
                    next = current.Items[index];
                }

                if (next == null)
                {
                    why = "'" + token + "' does not exist";
                    return null;
                }

                current = next;
            }

            return current;
        }

        private static string Escape(string token) => token.Replace("~", "~0").Replace("/", "~1");

        /// <summary>
        /// A chain of $ref, allOf, anyOf, oneOf or not that returns to its start never reaches an object
        /// property, so a validator following it would never end. Each such edge is reported and cut.
        /// </summary>
        private void BreakApplicatorCycles()
        {
            var state = new int[_nodes.Count]; // 0 new, 1 on stack, 2 done
            for (int i = 0; i < _nodes.Count; i++)
            {
                if (state[i] == 0)
                {
                    Visit(i, state, new List<int>());
                }
            }
        }

        private void Visit(int id, int[] state, List<int> stack)
        {
            state[id] = 1;
            stack.Add(id);
            SchemaNodeSpec? node = _nodes[id];
            if (node != null)
            {
                if (node.Ref >= 0)
                {
                    if (state[node.Ref] == 1)
                    {
                        ReportCycle(id, node.Ref, stack);
                        _nodes[id] = node = node with { Ref = -1 };
                    }
                    else if (state[node.Ref] == 0)
                    {
                        Visit(node.Ref, state, stack);
                    }
                }

                foreach (int next in Applicators(node))
                {
                    if (state[next] == 0)
                    {
                        Visit(next, state, stack);
                    }
                    else if (state[next] == 1)
                    {
                        ReportCycle(id, next, stack);
                        _nodes[id] = node = RemoveApplicator(node, next);
                    }
                }
            }

            stack.RemoveAt(stack.Count - 1);
            state[id] = 2;
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

        // ---------------------------------------------------------------------------------------------
        // C# types
        // ---------------------------------------------------------------------------------------------

        private static TypeRef Primitive(ValueKind kind, string name, Constraints constraints, int node)
            => new TypeRef(kind, name, null, false, constraints, node);

        private static TypeRef Json(int node) => Primitive(ValueKind.Json, "global::System.Text.Json.JsonElement", Constraints.None, node);

        /// <summary>
        /// Maps one schema to a C# type. <c>$ref</c> (with or without siblings), single-element <c>allOf</c>,
        /// <c>anyOf</c>/<c>oneOf</c> with a null branch, <c>nullable</c> and type arrays with "null" all
        /// unwrap to the inner type and make it nullable; what cannot be typed safely becomes JsonElement
        /// and is still checked by the JSON validator node.
        /// </summary>
        private TypeRef Map(JsonNode schema, string pointer, string hint, string? owner, ref bool nullable)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            int node = BuildNode(schema, pointer);
            if (!schema.IsObject)
            {
                return Json(node);
            }

            if (_declared.TryGetValue(schema, out TypeRef? declared))
            {
                if (_declaredNullable.Contains(schema))
                {
                    nullable = true;
                }

                return declared;
            }

            if (!_resolving.Add(schema))
            {
                return Json(node); // a cycle through $ref/allOf/anyOf; reported by the node pass
            }

            try
            {
                TypeRef mapped = MapCore(schema, pointer, hint, owner, node, ref nullable);

                // A JsonElement is checked by the validator node of this schema, siblings of $ref included.
                return mapped.Kind == ValueKind.Json ? mapped with { NodeId = node } : mapped;
            }
            finally
            {
                _resolving.Remove(schema);
            }
        }

        private readonly HashSet<JsonNode> _declaredNullable = new HashSet<JsonNode>(ReferenceComparer.Instance);

        private TypeRef MapCore(JsonNode schema, string pointer, string hint, string? owner, int node, ref bool nullable)
        {
            JsonNode? nullableKeyword = schema.Get("nullable");
            if (nullableKeyword != null && nullableKeyword.Kind == JsonKind.True)
            {
                nullable = true;
            }

            JsonNode? refValue = schema.Get("$ref");
            if (refValue != null && refValue.IsString)
            {
                JsonNode? target = Resolve(refValue.StringValue!, out _);
                if (target == null)
                {
                    return Json(node);
                }

                string targetHint = _reservedNames.TryGetValue(target, out string? name) ? name : hint;
                TypeRef inner = Map(target, refValue.StringValue!, targetHint, owner, ref nullable);
                return _draft4 ? inner : WithSiblingConstraints(inner, schema, pointer);
            }

            JsonNode? allOf = schema.Get("allOf");
            if (allOf != null && allOf.Kind == JsonKind.Array && allOf.Items.Count == 1 && schema.Get("properties") == null)
            {
                TypeRef inner = Map(allOf.Items[0], pointer + "/allOf/0", hint, owner, ref nullable);
                return WithSiblingConstraints(inner, schema, pointer);
            }

            if (allOf != null && allOf.Kind == JsonKind.Array && allOf.Items.Count > 1)
            {
                _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnionFallback, Locate(allOf), "allOf", pointer, allOf.Items.Count.ToString(CultureInfo.InvariantCulture) + " schemas to combine"));
                return Json(node);
            }

            JsonNode? branches = schema.Get("anyOf") ?? schema.Get("oneOf");
            if (branches != null && branches.Kind == JsonKind.Array)
            {
                return MapBranches(schema, branches, pointer, hint, owner, node, ref nullable);
            }

            List<string> types = ReadTypes(schema);
            if (types.Remove("null"))
            {
                nullable = true;
            }

            JsonNode? enumNode = schema.Get("enum");
            if (enumNode != null && enumNode.Kind == JsonKind.Array && IsStringEnum(enumNode, types))
            {
                bool enumNullable = false;
                foreach (JsonNode item in enumNode.Items)
                {
                    enumNullable |= item.Kind == JsonKind.Null;
                }

                nullable |= enumNullable;
                return DeclareEnum(schema, enumNode, hint, owner, node, enumNullable);
            }

            if (types.Count > 1)
            {
                _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnionFallback, Locate(schema.Get("type")!), "type list", pointer, string.Join(", ", types)));
                return Json(node);
            }

            string? type = types.Count == 1 ? types[0] : null;
            JsonNode? properties = schema.Get("properties");
            if (type == null)
            {
                type = properties != null ? "object" : schema.Get("items") != null ? "array" : null;
            }

            Constraints constraints = ReadConstraints(schema, pointer);
            switch (type)
            {
                case "string":
                    return Primitive(ValueKind.String, "string", constraints, node);
                case "integer":
                    bool fitsInt32 = Fits(constraints.Minimum ?? constraints.ExclusiveMinimum) && Fits(constraints.Maximum ?? constraints.ExclusiveMaximum)
                        && (constraints.Minimum ?? constraints.ExclusiveMinimum).HasValue && (constraints.Maximum ?? constraints.ExclusiveMaximum).HasValue;
                    return fitsInt32 ? Primitive(ValueKind.Int32, "int", constraints, node) : Primitive(ValueKind.Int64, "long", constraints, node);
                case "number":
                    return Primitive(ValueKind.Double, "double", constraints, node);
                case "boolean":
                    return Primitive(ValueKind.Boolean, "bool", constraints, node);
                case "array":
                    JsonNode? items = schema.Get("items");
                    bool itemNullable = false;
                    TypeRef element = items != null && items.Kind != JsonKind.Array
                        ? Map(items, pointer + "/items", hint + "Item", owner, ref itemNullable)
                        : Json(items != null ? BuildNode(items, pointer + "/items") : node);
                    return new TypeRef(ValueKind.List, "global::System.Collections.Generic.IReadOnlyList<" + element.Name + (itemNullable ? "?" : string.Empty) + ">", element, itemNullable, constraints, node);
                case "object":
                    if (properties != null && properties.IsObject)
                    {
                        return DeclareRecord(schema, properties, pointer, hint, owner, node);
                    }

                    JsonNode? additional = schema.Get("additionalProperties");
                    if (additional != null && additional.IsObject && additional.Members.Count > 0)
                    {
                        bool valueNullable = false;
                        TypeRef value = Map(additional, pointer + "/additionalProperties", hint + "Value", owner, ref valueNullable);
                        return new TypeRef(ValueKind.Map, "global::System.Collections.Generic.IReadOnlyDictionary<string, " + value.Name + (valueNullable ? "?" : string.Empty) + ">", value, valueNullable, Constraints.None, node);
                    }

                    return Json(node);
                default:
                    return Json(node);
            }
        }

        private static bool Fits(double? bound) => !bound.HasValue || (bound.Value >= int.MinValue && bound.Value <= int.MaxValue);

        private static List<string> ReadTypes(JsonNode schema)
        {
            var types = new List<string>();
            JsonNode? type = schema.Get("type");
            if (type != null && type.IsString)
            {
                types.Add(type.StringValue!);
            }
            else if (type != null && type.Kind == JsonKind.Array)
            {
                foreach (JsonNode item in type.Items)
                {
                    if (item.IsString && !types.Contains(item.StringValue!))
                    {
                        types.Add(item.StringValue!);
                    }
                }
            }

            return types;
        }

        private static bool IsStringEnum(JsonNode enumNode, List<string> types)
        {
            if (types.Count > 1 || (types.Count == 1 && types[0] != "string"))
            {
                return false;
            }

            bool any = false;
            foreach (JsonNode item in enumNode.Items)
            {
                if (item.Kind == JsonKind.Null)
                {
                    continue;
                }

                if (!item.IsString)
                {
                    return false;
                }

                any = true;
            }

            return any;
        }

        private static bool IsNullSchema(JsonNode schema)
        {
            if (!schema.IsObject)
            {
                return false;
            }

            JsonNode? type = schema.Get("type");
            return type != null && type.IsString && type.StringValue == "null";
        }

        private TypeRef WithSiblingConstraints(TypeRef inner, JsonNode schema, string pointer)
        {
            Constraints siblings = ReadConstraints(schema, pointer);
            if (siblings.IsEmpty || inner.Kind == ValueKind.Record || inner.Kind == ValueKind.Enum || inner.Kind == ValueKind.Union)
            {
                return inner;
            }

            Constraints c = inner.Constraints;
            var merged = new Constraints(
                siblings.Minimum ?? c.Minimum,
                siblings.Maximum ?? c.Maximum,
                siblings.ExclusiveMinimum ?? c.ExclusiveMinimum,
                siblings.ExclusiveMaximum ?? c.ExclusiveMaximum,
                siblings.MultipleOf ?? c.MultipleOf,
                siblings.MinLength ?? c.MinLength,
                siblings.MaxLength ?? c.MaxLength,
                siblings.Pattern ?? c.Pattern,
                siblings.MinItems ?? c.MinItems,
                siblings.MaxItems ?? c.MaxItems,
                siblings.UniqueItems || c.UniqueItems,
                siblings.AllowedJson.Count > 0 ? siblings.AllowedJson : c.AllowedJson);
            return inner with { Constraints = merged };
        }

        private TypeRef MapBranches(JsonNode schema, JsonNode branches, string pointer, string hint, string? owner, int node, ref bool nullable)
        {
            string keyword = schema.Get("anyOf") != null ? "anyOf" : "oneOf";
            var nonNull = new List<KeyValuePair<JsonNode, string>>();
            for (int i = 0; i < branches.Items.Count; i++)
            {
                JsonNode branch = branches.Items[i];
                if (IsNullSchema(branch))
                {
                    nullable = true;
                }
                else
                {
                    nonNull.Add(new KeyValuePair<JsonNode, string>(branch, pointer + "/" + keyword + "/" + i.ToString(CultureInfo.InvariantCulture)));
                }
            }

            if (nonNull.Count == 0)
            {
                return Json(node);
            }

            if (nonNull.Count == 1)
            {
                TypeRef single = Map(nonNull[0].Key, nonNull[0].Value, hint, owner, ref nullable);
                return WithSiblingConstraints(single, schema, pointer);
            }

            // Open enum: known values plus any other string ({enum: [...]} with {type: string}).
            if (nonNull.Count == 2)
            {
                JsonNode? known = OpenEnumValues(nonNull[0].Key, nonNull[1].Key) ?? OpenEnumValues(nonNull[1].Key, nonNull[0].Key);
                if (known != null)
                {
                    return DeclareOpenEnum(schema, known, hint, owner, node);
                }
            }

            var mapped = new List<TypeRef>();
            var branchNodes = new List<int>();
            var kinds = new List<string>();
            for (int i = 0; i < nonNull.Count; i++)
            {
                bool branchNullable = false;
                branchNodes.Add(BuildNode(nonNull[i].Key, nonNull[i].Value));
                TypeRef branchType = Map(nonNull[i].Key, nonNull[i].Value, hint + "Enum", owner, ref branchNullable);
                string kind = JsonKindOf(branchType);
                if (kind == "any" || kinds.Contains(kind))
                {
                    _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnionFallback, Locate(branches), keyword, pointer, DescribeKinds(nonNull, owner)));
                    return Json(node);
                }

                kinds.Add(kind);
                mapped.Add(branchType);
            }

            string unionName = NewTypeName(hint + "Union", owner);
            var branchSpecs = new List<UnionBranchSpec>();
            var memberNames = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < mapped.Count; i++)
            {
                branchSpecs.Add(new UnionBranchSpec(Naming.Unique(BranchMemberName(mapped[i]), memberNames), mapped[i], branchNodes[i]));
            }

            var union = new TypeRef(ValueKind.Union, unionName, null, false, Constraints.None, node);
            _declared[schema] = union;
            _types.Add(new TypeSpec(TypeSpecKind.Union, unionName, Summary(schema), EquatableArray<PropertySpec>.Empty, EquatableArray<EnumMemberSpec>.Empty, branchSpecs.ToEquatableArray(), false, node));
            return union;
        }

        private string DescribeKinds(List<KeyValuePair<JsonNode, string>> branches, string? owner)
        {
            var parts = new List<string>();
            foreach (KeyValuePair<JsonNode, string> branch in branches)
            {
                JsonNode? resolved = branch.Key;
                JsonNode? refValue = resolved.IsObject ? resolved.Get("$ref") : null;
                if (refValue != null && refValue.IsString)
                {
                    resolved = Resolve(refValue.StringValue!, out _) ?? resolved;
                }

                List<string> types = resolved.IsObject ? ReadTypes(resolved) : new List<string>();
                parts.Add(types.Count == 0 ? "untyped" : string.Join("|", types));
            }

            return string.Join(", ", parts);
        }

        private static string JsonKindOf(TypeRef type)
        {
            switch (type.Kind)
            {
                case ValueKind.String:
                case ValueKind.Enum:
                case ValueKind.OpenEnum:
                    return "string";
                case ValueKind.Int32:
                case ValueKind.Int64:
                case ValueKind.Double:
                    return "number";
                case ValueKind.Boolean:
                    return "boolean";
                case ValueKind.Record:
                case ValueKind.Map:
                    return "object";
                case ValueKind.List:
                    return "array";
                default:
                    return "any";
            }
        }

        private static string BranchMemberName(TypeRef type)
        {
            switch (type.Kind)
            {
                case ValueKind.String: return "String";
                case ValueKind.Int32:
                case ValueKind.Int64: return "Integer";
                case ValueKind.Double: return "Number";
                case ValueKind.Boolean: return "Boolean";
                case ValueKind.List: return "List";
                case ValueKind.Map: return "Map";
                default: return type.Name;
            }
        }

        private JsonNode? OpenEnumValues(JsonNode enumBranch, JsonNode stringBranch)
        {
            JsonNode? resolved = enumBranch;
            JsonNode? refValue = enumBranch.IsObject ? enumBranch.Get("$ref") : null;
            if (refValue != null && refValue.IsString)
            {
                resolved = Resolve(refValue.StringValue!, out _);
            }

            if (resolved == null || !resolved.IsObject || !stringBranch.IsObject)
            {
                return null;
            }

            JsonNode? values = resolved.Get("enum");
            List<string> stringTypes = ReadTypes(stringBranch);
            bool plainString = stringTypes.Count == 1 && stringTypes[0] == "string" && stringBranch.Get("enum") == null && stringBranch.Get("$ref") == null;
            return values != null && values.Kind == JsonKind.Array && IsStringEnum(values, ReadTypes(resolved)) && plainString ? values : null;
        }

        private string NewTypeName(string hint, string? owner)
        {
            string name = Naming.ToIdentifier(hint, "Schema", GeneratedMemberNames, out _);
            if (!_typeNames.Contains(name))
            {
                _typeNames.Add(name);
                return name;
            }

            if (owner != null)
            {
                string qualified = owner + name;
                if (_typeNames.Add(qualified))
                {
                    return qualified;
                }
            }

            return Naming.Unique(name, _typeNames);
        }

        private string TakeName(JsonNode schema, string hint, string? owner)
            => _reservedNames.TryGetValue(schema, out string? reserved) ? reserved : NewTypeName(hint, owner);

        private TypeRef DeclareEnum(JsonNode schema, JsonNode values, string hint, string? owner, int node, bool nullable)
        {
            string name = TakeName(schema, hint, owner);
            var type = new TypeRef(ValueKind.Enum, name, null, false, Constraints.None, node);
            _declared[schema] = type;
            if (nullable)
            {
                _declaredNullable.Add(schema);
            }

            _types.Add(new TypeSpec(TypeSpecKind.Enum, name, Summary(schema), EquatableArray<PropertySpec>.Empty, EnumMembers(values, name), EquatableArray<UnionBranchSpec>.Empty, nullable, node));
            return type;
        }

        private TypeRef DeclareOpenEnum(JsonNode schema, JsonNode values, string hint, string? owner, int node)
        {
            string name = TakeName(schema, hint, owner);
            var type = new TypeRef(ValueKind.OpenEnum, name, null, false, Constraints.None, node);
            _declared[schema] = type;
            _types.Add(new TypeSpec(TypeSpecKind.OpenEnum, name, Summary(schema), EquatableArray<PropertySpec>.Empty, EnumMembers(values, name), EquatableArray<UnionBranchSpec>.Empty, false, node));
            return type;
        }

        private EquatableArray<EnumMemberSpec> EnumMembers(JsonNode values, string typeName)
        {
            var members = new List<EnumMemberSpec>();
            var taken = new Dictionary<string, string>(StringComparer.Ordinal);
            // Members every enum or open enum has (a record struct adds the object members and PrintMembers).
            var used = new HashSet<string>(StringComparer.Ordinal) { typeName, "Value", "KnownValues", "IsKnown", "Equals", "GetHashCode", "ToString", "GetType", "PrintMembers", "MemberwiseClone", "Finalize", "ReferenceEquals" };
            var seenWire = new HashSet<string>(StringComparer.Ordinal);
            foreach (JsonNode item in values.Items)
            {
                if (!item.IsString || !seenWire.Add(item.StringValue!))
                {
                    continue;
                }

                string wire = item.StringValue!;
                string baseName = Naming.EnumMember(wire);

                string name = Naming.Unique(baseName, used);
                if (name != baseName)
                {
                    string firstWire = taken.TryGetValue(baseName, out string? first) ? first : baseName;
                    _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.EnumValueCollision, Locate(item), firstWire, wire, typeName, baseName, name));
                }
                else
                {
                    taken[baseName] = wire;
                }

                members.Add(new EnumMemberSpec(name, wire));
            }

            return members.ToEquatableArray();
        }

        private TypeRef DeclareRecord(JsonNode schema, JsonNode properties, string pointer, string hint, string? owner, int node)
        {
            string name = TakeName(schema, hint, owner);
            var type = new TypeRef(ValueKind.Record, name, null, false, Constraints.None, node);
            _declared[schema] = type;
            int slot = _types.Count;
            _types.Add(null!); // keeps the record ahead of the inline types its properties declare

            var required = new HashSet<string>(StringComparer.Ordinal);
            JsonNode? requiredNode = schema.Get("required");
            if (requiredNode != null && requiredNode.Kind == JsonKind.Array)
            {
                foreach (JsonNode item in requiredNode.Items)
                {
                    if (item.IsString)
                    {
                        required.Add(item.StringValue!);
                    }
                }
            }

            var reserved = new HashSet<string>(GeneratedMemberNames, StringComparer.Ordinal) { name };
            var csNames = new HashSet<string>(StringComparer.Ordinal);
            var jsonNameOf = new Dictionary<string, string>(StringComparer.Ordinal);
            var specs = new List<PropertySpec>();
            foreach (JsonMember member in OrderedMembers(schema, properties))
            {
                string csName = Naming.ToIdentifier(member.Name, "Property", reserved, out string? reason);
                if (reason != null)
                {
                    _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NameAdjusted, LocateKey(member), member.Name, reason, csName));
                }

                string unique = Naming.Unique(csName, csNames);
                if (unique != csName)
                {
                    _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.PropertyNameCollision, LocateKey(member), jsonNameOf[csName], member.Name, name, csName, unique));
                }

                jsonNameOf[unique] = member.Name;
                string propertyPointer = pointer + "/properties/" + Escape(member.Name);
                bool nullable = false;
                TypeRef propertyType = Map(member.Value, propertyPointer, unique, name, ref nullable);
                string? defaultJson = null;
                int propertyNode = BuildNode(member.Value, propertyPointer);
                JsonNode? defaultNode = FindDefault(member.Value);
                if (defaultNode != null)
                {
                    defaultJson = JsonText.Compact(defaultNode);
                    _defaults.Add(new PendingDefault(defaultNode, propertyNode, name + "." + member.Name));
                }

                _locations.Add(new PropertyLocation(name, member.Name, LocateKey(member)));
                specs.Add(new PropertySpec(member.Name, unique, propertyType, required.Contains(member.Name), nullable, Summary(member.Value), defaultJson, propertyNode));
            }

            _types[slot] = new TypeSpec(TypeSpecKind.Record, name, Summary(schema), specs.ToEquatableArray(), EquatableArray<EnumMemberSpec>.Empty, EquatableArray<UnionBranchSpec>.Empty, false, node);
            return type;
        }

        /// <summary>Replicate orders properties by <c>x-order</c>, fal by <c>x-fal-order-properties</c>; otherwise document order.</summary>
        private static List<JsonMember> OrderedMembers(JsonNode schema, JsonNode properties)
        {
            var members = new List<JsonMember>(properties.Members);
            JsonNode? falOrder = schema.Get("x-fal-order-properties");
            var rank = new Dictionary<string, double>(StringComparer.Ordinal);
            if (falOrder != null && falOrder.Kind == JsonKind.Array)
            {
                for (int i = 0; i < falOrder.Items.Count; i++)
                {
                    if (falOrder.Items[i].IsString)
                    {
                        rank[falOrder.Items[i].StringValue!] = i;
                    }
                }
            }
            else
            {
                foreach (JsonMember member in members)
                {
                    JsonNode? order = member.Value.IsObject ? member.Value.Get("x-order") : null;
                    if (order != null && order.IsNumber)
                    {
                        rank[member.Name] = order.NumberValue;
                    }
                }
            }

            if (rank.Count == 0)
            {
                return members;
            }

            var indexed = new List<KeyValuePair<int, JsonMember>>();
            for (int i = 0; i < members.Count; i++)
            {
                indexed.Add(new KeyValuePair<int, JsonMember>(i, members[i]));
            }

            indexed.Sort((a, b) =>
            {
                double ra = rank.TryGetValue(a.Value.Name, out double x) ? x : double.MaxValue;
                double rb = rank.TryGetValue(b.Value.Name, out double y) ? y : double.MaxValue;
                int byRank = ra.CompareTo(rb);
                return byRank != 0 ? byRank : a.Key.CompareTo(b.Key);
            });
            var ordered = new List<JsonMember>();
            foreach (KeyValuePair<int, JsonMember> pair in indexed)
            {
                ordered.Add(pair.Value);
            }

            return ordered;
        }

        private JsonNode? FindDefault(JsonNode schema)
        {
            if (!schema.IsObject)
            {
                return null;
            }

            JsonNode? value = schema.Get("default");
            if (value != null)
            {
                return value;
            }

            JsonNode? allOf = schema.Get("allOf");
            if (allOf != null && allOf.Kind == JsonKind.Array && allOf.Items.Count == 1)
            {
                return FindDefault(allOf.Items[0]);
            }

            return null;
        }

        private static string? Summary(JsonNode schema)
        {
            if (!schema.IsObject)
            {
                return null;
            }

            string? description = schema.GetString("description");
            string? title = schema.GetString("title");
            return !string.IsNullOrWhiteSpace(description) ? description : (!string.IsNullOrWhiteSpace(title) ? title : null);
        }

        private sealed class ReferenceComparer : IEqualityComparer<JsonNode>
        {
            public static readonly ReferenceComparer Instance = new ReferenceComparer();

            public bool Equals(JsonNode? x, JsonNode? y) => ReferenceEquals(x, y);

            public int GetHashCode(JsonNode obj) => RuntimeHelpers.GetHashCode(obj);
        }
    }
}

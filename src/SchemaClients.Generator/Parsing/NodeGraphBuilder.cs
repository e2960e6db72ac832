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

        private readonly SourceLines _lines;
        private readonly RefResolver _refs;
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
        private bool _hasDynamicRefs;

        /// <param name="refs">Resolves references and knows each schema's draft (keywords beside <c>$ref</c> are ignored up to draft 7).</param>
        public NodeGraphBuilder(SourceLines lines, RefResolver refs, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
        {
            _lines = lines;
            _refs = refs;
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
            if (_hasDynamicRefs)
            {
                // A dynamic reference may land on any dynamic anchor of any resource it passes through: each gets a node.
                for (int i = 0; i < _refs.DynamicAnchors.Count; i++)
                {
                    BuildNode(_refs.DynamicAnchors[i].Schema, "#");
                }
            }

            foreach (string metaSchema in _refs.UnknownMetaSchemas)
            {
                JsonMember? declared = _refs.Root.IsObject ? _refs.Root.GetMember("$schema") : null;
                _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedKeyword, declared != null ? _lines.LocateName(declared) : null, "$schema '" + metaSchema + "' (a meta-schema that is neither a draft nor a checked-in file; read as 2020-12)", "#"));
            }

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
                _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NestingTooDeep, Locate(where), what, pointer, MaxDepth.ToString(CultureInfo.InvariantCulture)));
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
                _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedType, Locate(schema), JsonText.Compact(schema), pointer));
                return AnyNode(id, pointer);
            }

            SchemaDialect dialect = _refs.DialectOf(schema);
            int refNode = -1;
            JsonSyntax? refValue = schema.Get("$ref");
            if (refValue != null && refValue.IsString)
            {
                refNode = ReferenceNode(id, schema, refValue, pointer);
                if (dialect.RefOverridesSiblings())
                {
                    // Drafts 3 to 7 and OpenAPI 3.0: keywords beside $ref are ignored.
                    return AnyNode(id, pointer) with { BooleanSchema = null, Ref = refNode };
                }
            }

            // A meta-schema whose $vocabulary leaves out validation: only applicators and references assert.
            bool validates = _refs.Validates(schema);
            int typeMask = validates ? ReadTypeMask(schema, pointer) : 0;
            JsonSyntax? nullableValue = schema.Get("nullable");
            if (nullableValue != null && nullableValue.Kind == JsonKind.True && typeMask != 0)
            {
                typeMask |= TypeMask.Null;
            }

            Constraints constraints = validates ? ReadConstraints(schema, pointer) : Constraints.None;

            bool hasEnum = false;
            var enumValues = new List<string>();
            JsonSyntax? enumNode = validates ? schema.Get("enum") : null;
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

            JsonSyntax? constNode = validates ? schema.Get("const") : null;
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
            JsonSyntax? requiredNode = validates ? schema.Get("required") : null;
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
                // An explicit true evaluates every other member (what unevaluatedProperties sees, 2019-09 on): a node then.
                additional = additionalNode.Kind == JsonKind.False ? -2
                    : additionalNode.Kind == JsonKind.True && (dialect < SchemaDialect.Draft2019 || !_refs.UsesUnevaluatedProperties) ? -1
                    : BuildNode(additionalNode, pointer + "/additionalProperties");
            }

            (int items, EquatableArray<int> prefixItems) = ReadItems(schema, pointer, dialect);

            int not = -1;
            JsonSyntax? notNode = schema.Get("not");
            if (notNode != null)
            {
                not = BuildNode(notNode, pointer + "/not");
            }

            NodeExtras extras = ReadExtras(schema, pointer, dialect);
            if (prefixItems.Count > 0)
            {
                extras = extras with { PrefixItems = prefixItems };
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
                not)
            {
                Extras = extras,
            };
        }

        /// <summary>The node a <c>$ref</c> in <paramref name="schema"/> points at, or -1 (SCG0005 when it does not resolve).</summary>
        private int ReferenceNode(int id, JsonSyntax schema, JsonSyntax refValue, string pointer)
        {
            JsonSyntax? target = _refs.Resolve(refValue.StringValue!, schema, out string? why);
            if (target == null)
            {
                _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnresolvedReference, Locate(refValue), refValue.StringValue!, pointer, why!));
                return -1;
            }

            if (_depth >= MaxDepth && !_nodeIds.ContainsKey(target))
            {
                ReportTooDeep(refValue, "$ref '" + refValue.StringValue + "'", pointer);
                return -1;
            }

            _refLocations[id] = Locate(refValue);
            _refTexts[id] = refValue.StringValue!;
            return BuildNode(target, refValue.StringValue!);
        }

        /// <summary>Where a schema value is: in this file, or in the checked-in file a remote reference led to.</summary>
        private LocationInfo Locate(JsonSyntax value) => (_refs.LinesOf(value) ?? _lines).Locate(value);

        /// <summary>
        /// The node for items past the prefix and the prefix's nodes: 2020-12 writes <c>prefixItems</c> and <c>items</c>;
        /// earlier drafts write <c>items</c> as an array (the prefix) and <c>additionalItems</c> (the rest), or
        /// <c>items</c> as one schema for every item.
        /// </summary>
        private (int Items, EquatableArray<int> Prefix) ReadItems(JsonSyntax schema, string pointer, SchemaDialect dialect)
        {
            JsonSyntax? itemsNode = schema.Get("items");
            if (dialect >= SchemaDialect.Draft2020)
            {
                EquatableArray<int> prefix = BuildList(schema, "prefixItems", pointer);
                if (itemsNode != null && itemsNode.Kind == JsonKind.Array)
                {
                    return (-1, BuildList(schema, "items", pointer)); // not 2020-12, read as the earlier drafts meant it
                }

                return (itemsNode != null ? BuildNode(itemsNode, pointer + "/items") : -1, prefix);
            }

            if (itemsNode == null)
            {
                return (-1, EquatableArray<int>.Empty);
            }

            if (itemsNode.Kind != JsonKind.Array)
            {
                return (BuildNode(itemsNode, pointer + "/items"), EquatableArray<int>.Empty);
            }

            JsonSyntax? additional = schema.Get("additionalItems");
            int rest = additional != null ? BuildNode(additional, pointer + "/additionalItems") : -1;
            return (rest, BuildList(schema, "items", pointer));
        }

        /// <summary>The keywords beyond the common ones, each read as the schema's draft defines it.</summary>
        private NodeExtras ReadExtras(JsonSyntax schema, string pointer, SchemaDialect dialect)
        {
            int resource = _refs.ResourceOf(schema);
            if (!HasExtraKeyword(schema))
            {
                // Most schemas: nothing beyond the common keywords, and one shared value for them.
                return resource == 0 ? NodeExtras.None : NodeExtras.None with { Resource = resource };
            }

            NodeExtras extras = NodeExtras.None with { Resource = resource };
            JsonSyntax? patternProperties = schema.Get("patternProperties");
            if (patternProperties != null && patternProperties.IsObject)
            {
                var patterns = new List<NodeProperty>();
                foreach (JsonMember member in patternProperties.Members)
                {
                    if (PatternCompiles(member.Name, _refs.LinesOf(member.Value) ?? _lines, member, pointer))
                    {
                        patterns.Add(new NodeProperty(member.Name, BuildNode(member.Value, pointer + "/patternProperties/" + RefResolver.Escape(member.Name))));
                    }
                }

                extras = extras with { PatternProperties = patterns.ToEquatableArray() };
            }

            if (dialect >= SchemaDialect.Draft6 && schema.Get("propertyNames") is JsonSyntax names)
            {
                extras = extras with { PropertyNames = BuildNode(names, pointer + "/propertyNames") };
            }

            bool validates = _refs.Validates(schema);
            if (validates)
            {
                extras = extras with { MinProperties = Count(schema, "minProperties"), MaxProperties = Count(schema, "maxProperties") };
            }

            var required = new List<NodeDependency>();
            var schemas = new List<NodeProperty>();
            if (dialect <= SchemaDialect.Draft7)
            {
                ReadDependencies(schema.Get("dependencies"), pointer + "/dependencies", required, schemas, arrays: true, objects: true);
            }
            else
            {
                ReadDependencies(validates ? schema.Get("dependentRequired") : null, pointer + "/dependentRequired", required, schemas, arrays: true, objects: false);
                ReadDependencies(schema.Get("dependentSchemas"), pointer + "/dependentSchemas", required, schemas, arrays: false, objects: true);
            }

            extras = extras with { DependentRequired = required.ToEquatableArray(), DependentSchemas = schemas.ToEquatableArray() };

            if (dialect >= SchemaDialect.Draft6 && schema.Get("contains") is JsonSyntax contains)
            {
                extras = extras with { Contains = BuildNode(contains, pointer + "/contains"), ContainsEvaluates = dialect >= SchemaDialect.Draft2020 && _refs.UsesUnevaluatedItems };
                if (dialect >= SchemaDialect.Draft2019 && validates)
                {
                    extras = extras with { MinContains = Count(schema, "minContains"), MaxContains = Count(schema, "maxContains") };
                }
            }

            if (dialect >= SchemaDialect.Draft7 && schema.Get("if") is JsonSyntax condition)
            {
                JsonSyntax? then = schema.Get("then");
                JsonSyntax? otherwise = schema.Get("else");
                extras = extras with
                {
                    If = BuildNode(condition, pointer + "/if"),
                    Then = then != null ? BuildNode(then, pointer + "/then") : -1,
                    Else = otherwise != null ? BuildNode(otherwise, pointer + "/else") : -1,
                };
            }

            if (dialect >= SchemaDialect.Draft2019)
            {
                JsonSyntax? unevaluatedProperties = schema.Get("unevaluatedProperties");
                JsonSyntax? unevaluatedItems = schema.Get("unevaluatedItems");
                extras = extras with
                {
                    UnevaluatedProperties = unevaluatedProperties != null ? BuildNode(unevaluatedProperties, pointer + "/unevaluatedProperties") : -1,
                    UnevaluatedItems = unevaluatedItems != null ? BuildNode(unevaluatedItems, pointer + "/unevaluatedItems") : -1,
                };
            }

            if (dialect >= SchemaDialect.Draft2020)
            {
                if (schema.GetString("$dynamicAnchor") is string declared)
                {
                    extras = extras with { DeclaredDynamicAnchor = declared };
                }

                if (schema.Get("$dynamicRef") is JsonSyntax dynamicRef && dynamicRef.IsString)
                {
                    extras = DynamicReference(extras, schema, dynamicRef, pointer, anchorOf: target =>
                    {
                        int hash = dynamicRef.StringValue!.IndexOf('#');
                        string fragment = hash < 0 ? string.Empty : dynamicRef.StringValue.Substring(hash + 1);
                        return fragment.Length > 0 && fragment[0] != '/' && _refs.DeclaresDynamicAnchor(target, fragment) ? fragment : null;
                    });
                }
            }
            else if (dialect == SchemaDialect.Draft2019)
            {
                if (schema.Get("$recursiveAnchor") is JsonSyntax recursiveAnchor && recursiveAnchor.Kind == JsonKind.True)
                {
                    extras = extras with { DeclaredDynamicAnchor = string.Empty };
                }

                if (schema.Get("$recursiveRef") is JsonSyntax recursiveRef && recursiveRef.IsString)
                {
                    extras = DynamicReference(extras, schema, recursiveRef, pointer, anchorOf: target => _refs.DeclaresDynamicAnchor(target, string.Empty) ? string.Empty : null);
                }
            }

            return extras;
        }

        private static readonly HashSet<string> ExtraKeywords = new HashSet<string>(StringComparer.Ordinal)
        {
            "patternProperties", "propertyNames", "minProperties", "maxProperties", "dependencies", "dependentRequired",
            "dependentSchemas", "contains", "if", "unevaluatedProperties", "unevaluatedItems", "$dynamicAnchor",
            "$dynamicRef", "$recursiveAnchor", "$recursiveRef",
        };

        private static bool HasExtraKeyword(JsonSyntax schema)
        {
            foreach (JsonMember member in schema.Members)
            {
                if (ExtraKeywords.Contains(member.Name))
                {
                    return true;
                }
            }

            return false;
        }

        private NodeExtras DynamicReference(NodeExtras extras, JsonSyntax schema, JsonSyntax reference, string pointer, Func<JsonSyntax, string?> anchorOf)
        {
            JsonSyntax? target = _refs.Resolve(reference.StringValue!, schema, out string? why);
            if (target == null)
            {
                _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnresolvedReference, Locate(reference), reference.StringValue!, pointer, why!));
                return extras;
            }

            _hasDynamicRefs = true;
            return extras with { DynamicRef = BuildNode(target, reference.StringValue!), DynamicRefAnchor = anchorOf(target) };
        }

        private void ReadDependencies(JsonSyntax? map, string pointer, List<NodeDependency> required, List<NodeProperty> schemas, bool arrays, bool objects)
        {
            if (map == null || !map.IsObject)
            {
                return;
            }

            foreach (JsonMember member in map.Members)
            {
                if (member.Value.Kind == JsonKind.Array && arrays)
                {
                    var names = new List<string>();
                    foreach (JsonSyntax item in member.Value.Items)
                    {
                        if (item.IsString)
                        {
                            names.Add(item.StringValue!);
                        }
                    }

                    required.Add(new NodeDependency(member.Name, names.ToEquatableArray()));
                }
                else if ((member.Value.IsObject || member.Value.IsBoolean) && objects)
                {
                    schemas.Add(new NodeProperty(member.Name, BuildNode(member.Value, pointer + "/" + RefResolver.Escape(member.Name))));
                }
            }
        }

        /// <summary>Whether a patternProperties pattern translates to a .NET regex; SCG0012 at its name when not.</summary>
        private bool PatternCompiles(string pattern, SourceLines lines, JsonMember member, string pointer)
        {
            try
            {
                _ = new Regex(EcmaRegex.ToDotNet(pattern), RegexOptions.CultureInvariant);
                return true;
            }
            catch (ArgumentException e)
            {
                _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidPattern, lines.LocateName(member), pattern, pointer + "/patternProperties", e.Message));
                return false;
            }
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
                _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedType, Locate(type), JsonText.Compact(type), pointer));
            }

            return mask;
        }

        private int TypeBit(string name, JsonSyntax where, string pointer)
        {
            int bit = TypeMask.Of(name);
            if (bit == 0)
            {
                _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedType, Locate(where), name, pointer));
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
                        _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidPattern, Locate(schema.Get("pattern")!), pattern, pointer, e.Message));
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
            // A $dynamicRef with an anchor may land on any node that declares that anchor: each is an edge, so loops
            // through them are cut and their cost counted like any other.
            var anchored = new Dictionary<string, List<int>>(StringComparer.Ordinal);
            for (int i = 0; i < count; i++)
            {
                if (_nodes[i]?.Extras.DeclaredDynamicAnchor is string declared)
                {
                    if (!anchored.TryGetValue(declared, out List<int>? list))
                    {
                        anchored[declared] = list = new List<int>();
                    }

                    list.Add(i);
                }
            }

            for (int i = 0; i < count; i++)
            {
                edges[i] = SameValueEdges(_nodes[i], count, anchored);
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
                                where != null ? Locate(where) : null,
                                _nodes[id]?.Pointer ?? "#",
                                total.ToString("N0", CultureInfo.InvariantCulture),
                                MaxApplied.ToString("N0", CultureInfo.InvariantCulture)));
                        }

                        SchemaNodeSpec? node = _nodes[id];
                        if (node != null)
                        {
                            _nodes[id] = node with
                            {
                                AllOf = EquatableArray<int>.Empty, AnyOf = EquatableArray<int>.Empty, OneOf = EquatableArray<int>.Empty, Not = -1, Ref = -1,
                                Extras = node.Extras with { If = -1, Then = -1, Else = -1, DynamicRef = -1, DynamicRefAnchor = null, DependentSchemas = EquatableArray<NodeProperty>.Empty },
                            };
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
                    _nodes[from] = RemoveApplicator(node, to, _nodes[to]?.Extras.DeclaredDynamicAnchor);
                }
            }
        }

        private static readonly int[] GraphNodeNoEdges = new int[0];

        private static int[] SameValueEdges(SchemaNodeSpec? node, int count, Dictionary<string, List<int>> anchored)
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

            if (node.Extras.DynamicRef >= 0 && node.Extras.DynamicRefAnchor is string anchor && anchored.TryGetValue(anchor, out List<int>? targets))
            {
                foreach (int target in targets)
                {
                    if (target != node.Extras.DynamicRef && target < count)
                    {
                        list.Add(target);
                    }
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

            // The other keywords that apply a schema to the same value: if/then/else, dependentSchemas, $dynamicRef (by
            // its static target). A loop through them is as endless as one through allOf.
            NodeExtras x = node.Extras;
            foreach (int i in new[] { x.If, x.Then, x.Else, x.DynamicRef })
            {
                if (i >= 0)
                {
                    yield return i;
                }
            }

            foreach (NodeProperty dependency in x.DependentSchemas)
            {
                yield return dependency.Node;
            }
        }

        private static SchemaNodeSpec RemoveApplicator(SchemaNodeSpec node, int target, string? targetAnchor)
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

            NodeExtras x = node.Extras;
            var dependencies = new List<NodeProperty>();
            foreach (NodeProperty dependency in x.DependentSchemas)
            {
                if (dependency.Node != target)
                {
                    dependencies.Add(dependency);
                }
            }

            x = x with
            {
                If = x.If == target ? -1 : x.If,
                Then = x.Then == target ? -1 : x.Then,
                Else = x.Else == target ? -1 : x.Else,
                DynamicRef = x.DynamicRef == target ? -1 : x.DynamicRef,
                // A loop through the dynamic scope: the reference keeps its static target only.
                DynamicRefAnchor = x.DynamicRef == target || (x.DynamicRefAnchor != null && targetAnchor == x.DynamicRefAnchor) ? null : x.DynamicRefAnchor,
                DependentSchemas = dependencies.ToEquatableArray(),
            };
            return node with { AllOf = Without(node.AllOf), AnyOf = Without(node.AnyOf), OneOf = Without(node.OneOf), Not = node.Not == target ? -1 : node.Not, Extras = x };
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

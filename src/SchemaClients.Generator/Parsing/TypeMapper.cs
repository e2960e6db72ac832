using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using SchemaClients.Generator.Diagnostics;
using SchemaClients.Generator.Model;
using SchemaClients.Generator.Naming;
using SchemaClients.Generator.Reading;

namespace SchemaClients.Generator.Parsing
{
    /// <summary>
    /// Turns the schemas of one document into declared C# types: records, enums, open enums and unions, and the
    /// primitive, list and map types of their members, each with the validator node that checks it.
    /// Every construct of the provider documents is handled here on purpose; see the remarks on each method.
    /// </summary>
    internal sealed class TypeMapper
    {
        private static readonly HashSet<string> GeneratedMemberNames = new HashSet<string>(StringComparer.Ordinal)
        {
            "Validate", "IsValid", "ValidateJson", "ValidateInto", "EqualityContract", "ToString", "GetHashCode",
            "Equals", "GetType", "Deconstruct", "PrintMembers", "Clone", "MemberwiseClone", "Finalize",
            // A type's converter derives from JsonConverter<T>, whose Type property would hide a type named Type.
            "Type",
            // The document-level classes generated members refer to by their simple names.
            GeneratedNames.ValidatorClass, GeneratedNames.ConverterClass, GeneratedNames.NodesClass,
        };

        private readonly SourceLines _lines;
        private readonly RefResolver _refs;
        private readonly bool _draft4;
        private readonly List<DiagnosticInfo> _diagnostics;
        private readonly CancellationToken _cancellationToken;

        private readonly Dictionary<JsonSyntax, TypeRef> _declared = new Dictionary<JsonSyntax, TypeRef>(ReferenceComparer.Instance);
        private readonly HashSet<JsonSyntax> _declaredNullable = new HashSet<JsonSyntax>(ReferenceComparer.Instance);
        private readonly Dictionary<JsonSyntax, string> _reservedNames = new Dictionary<JsonSyntax, string>(ReferenceComparer.Instance);
        private readonly HashSet<string> _typeNames = new HashSet<string>(StringComparer.Ordinal);
        private readonly List<TypeSpec> _types = new List<TypeSpec>();
        private readonly HashSet<JsonSyntax> _resolving = new HashSet<JsonSyntax>(ReferenceComparer.Instance);
        private readonly Dictionary<JsonSyntax, (TypeRef Type, bool Nullable)> _plain = new Dictionary<JsonSyntax, (TypeRef Type, bool Nullable)>(ReferenceComparer.Instance);
        private int _truncated;
        private readonly List<PropertyLocation> _locations = new List<PropertyLocation>();

        /// <param name="graph">Where the node of every mapped schema is built.</param>
        /// <param name="draft4">Drafts 3 to 7 and OpenAPI 3.0: keywords beside <c>$ref</c> are ignored.</param>
        public TypeMapper(SourceLines lines, RefResolver refs, NodeGraphBuilder graph, bool draft4, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
        {
            _lines = lines;
            _refs = refs;
            Graph = graph;
            _draft4 = draft4;
            _diagnostics = diagnostics;
            _cancellationToken = cancellationToken;
            _typeNames.UnionWith(GeneratedNames.DocumentClasses);
        }

        /// <summary>The validator graph the mapped types refer to.</summary>
        public NodeGraphBuilder Graph { get; }

        public IReadOnlyList<TypeSpec> Types => _types;

        /// <summary>Where each record property is declared.</summary>
        public IReadOnlyList<PropertyLocation> Locations => _locations;

        /// <summary>Reserves a type name for a named schema (a component) before any inline type can take it.</summary>
        public void ReserveName(JsonSyntax schema, string name, LocationInfo? nameLocation)
        {
            string identifier = Identifiers.ToIdentifier(name, "Schema", GeneratedMemberNames, out string? reason);
            if (reason != null)
            {
                _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NameAdjusted, nameLocation, name, reason, identifier));
            }

            if (!_reservedNames.ContainsKey(schema))
            {
                _reservedNames[schema] = Identifiers.Unique(identifier, _typeNames);
            }
        }

        /// <summary>Declares the type of a named schema if it is one (record, enum, union); primitives declare nothing.</summary>
        public TypeRef DeclareNamed(JsonSyntax schema, string pointer)
        {
            string hint = _reservedNames.TryGetValue(schema, out string? reserved) ? reserved : "Schema";
            bool nullable = false;
            return Map(schema, pointer, hint, null, ref nullable);
        }

        private static TypeRef Primitive(ValueKind kind, string name, Constraints constraints, int node)
            => new TypeRef(kind, name, null, false, constraints, node);

        private static TypeRef Json(int node) => Primitive(ValueKind.Json, "global::System.Text.Json.JsonElement", Constraints.None, node);

        /// <summary>
        /// Maps one schema to a C# type. <c>$ref</c> (with or without siblings), single-element <c>allOf</c>,
        /// <c>anyOf</c>/<c>oneOf</c> with a null branch, <c>nullable</c> and type arrays with "null" all
        /// unwrap to the inner type and make it nullable; what cannot be typed safely becomes JsonElement
        /// and is still checked by the JSON validator node.
        /// </summary>
        private TypeRef Map(JsonSyntax schema, string pointer, string hint, string? owner, ref bool nullable)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            int node = Graph.NodeOf(schema, pointer);
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

            if (_plain.TryGetValue(schema, out (TypeRef Type, bool Nullable) known))
            {
                nullable |= known.Nullable;
                return known.Type;
            }

            if (_resolving.Count >= NodeGraphBuilder.MaxDepth)
            {
                Graph.ReportTooDeep(schema, "The schema", pointer);
                return Json(node);
            }

            if (!_resolving.Add(schema))
            {
                _truncated++;
                return Json(node); // a cycle through $ref/allOf/anyOf; reported by the node pass
            }

            try
            {
                int truncatedBefore = _truncated;
                bool mappedNullable = false;
                TypeRef mapped = MapCore(schema, pointer, hint, owner, node, ref mappedNullable);
                nullable |= mappedNullable;

                // A JsonElement is checked by the validator node of this schema, siblings of $ref included.
                TypeRef result = mapped.Kind == ValueKind.Json ? mapped with { NodeId = node } : mapped;

                // A result that declares no type does not depend on the name hint: kept, so a schema reached again
                // (every link of a long $ref chain) is not walked again. Not when a cycle cut it short: from another
                // entry the same schema may map further. (A cut for depth is an error, SCG0016, and stays one.)
                if (_truncated == truncatedBefore && result.Kind is ValueKind.String or ValueKind.Int32 or ValueKind.Int64 or ValueKind.Double or ValueKind.Boolean or ValueKind.Json)
                {
                    _plain[schema] = (result, mappedNullable);
                }

                return result;
            }
            finally
            {
                _resolving.Remove(schema);
            }
        }

        private TypeRef MapCore(JsonSyntax schema, string pointer, string hint, string? owner, int node, ref bool nullable)
        {
            JsonSyntax? nullableKeyword = schema.Get("nullable");
            if (nullableKeyword != null && nullableKeyword.Kind == JsonKind.True)
            {
                nullable = true;
            }

            JsonSyntax? refValue = schema.Get("$ref");
            if (refValue != null && refValue.IsString)
            {
                JsonSyntax? target = _refs.Resolve(refValue.StringValue!, schema, out _);
                if (target == null)
                {
                    return Json(node);
                }

                if (_resolving.Count >= NodeGraphBuilder.MaxDepth && !_declared.ContainsKey(target))
                {
                    Graph.ReportTooDeep(refValue, "$ref '" + refValue.StringValue + "'", pointer);
                    return Json(node);
                }

                string targetHint = _reservedNames.TryGetValue(target, out string? name) ? name : hint;
                TypeRef inner = Map(target, refValue.StringValue!, targetHint, owner, ref nullable);
                return _draft4 ? inner : WithSiblingConstraints(inner, schema, pointer);
            }

            JsonSyntax? allOf = schema.Get("allOf");
            if (allOf != null && allOf.Kind == JsonKind.Array && allOf.Items.Count == 1 && schema.Get("properties") == null)
            {
                TypeRef inner = Map(allOf.Items[0], pointer + "/allOf/0", hint, owner, ref nullable);
                return WithSiblingConstraints(inner, schema, pointer);
            }

            if (allOf != null && allOf.Kind == JsonKind.Array && allOf.Items.Count > 1)
            {
                _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnionFallback, _lines.Locate(allOf), "allOf", pointer, allOf.Items.Count.ToString(CultureInfo.InvariantCulture) + " schemas to combine"));
                return Json(node);
            }

            JsonSyntax? branches = schema.Get("anyOf") ?? schema.Get("oneOf");
            if (branches != null && branches.Kind == JsonKind.Array)
            {
                return MapBranches(schema, branches, pointer, hint, owner, node, ref nullable);
            }

            List<string> types = ReadTypes(schema);
            if (types.Remove("null"))
            {
                nullable = true;
            }

            JsonSyntax? enumNode = schema.Get("enum");
            if (enumNode != null && enumNode.Kind == JsonKind.Array && IsStringEnum(enumNode, types))
            {
                bool enumNullable = false;
                foreach (JsonSyntax item in enumNode.Items)
                {
                    enumNullable |= item.Kind == JsonKind.Null;
                }

                nullable |= enumNullable;
                return DeclareEnum(schema, enumNode, hint, owner, node, enumNullable);
            }

            if (types.Count > 1)
            {
                _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnionFallback, _lines.Locate(schema.Get("type")!), "type list", pointer, string.Join(", ", types)));
                return Json(node);
            }

            string? type = types.Count == 1 ? types[0] : null;
            JsonSyntax? properties = schema.Get("properties");
            if (type == null)
            {
                type = properties != null ? "object" : schema.Get("items") != null ? "array" : null;
            }

            Constraints constraints = Graph.ReadConstraints(schema, pointer);
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
                    JsonSyntax? items = schema.Get("items");
                    bool itemNullable = false;
                    TypeRef element = items != null && items.Kind != JsonKind.Array
                        ? Map(items, pointer + "/items", hint + "Item", owner, ref itemNullable)
                        : Json(items != null ? Graph.NodeOf(items, pointer + "/items") : node);
                    return new TypeRef(ValueKind.List, "global::System.Collections.Generic.IReadOnlyList<" + element.Name + (itemNullable ? "?" : string.Empty) + ">", element, itemNullable, constraints, node);
                case "object":
                    if (properties != null && properties.IsObject)
                    {
                        return DeclareRecord(schema, properties, pointer, hint, owner, node);
                    }

                    JsonSyntax? additional = schema.Get("additionalProperties");
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

        private static List<string> ReadTypes(JsonSyntax schema)
        {
            var types = new List<string>();
            JsonSyntax? type = schema.Get("type");
            if (type != null && type.IsString)
            {
                types.Add(type.StringValue!);
            }
            else if (type != null && type.Kind == JsonKind.Array)
            {
                foreach (JsonSyntax item in type.Items)
                {
                    if (item.IsString && !types.Contains(item.StringValue!))
                    {
                        types.Add(item.StringValue!);
                    }
                }
            }

            return types;
        }

        private static bool IsStringEnum(JsonSyntax enumNode, List<string> types)
        {
            if (types.Count > 1 || (types.Count == 1 && types[0] != "string"))
            {
                return false;
            }

            bool any = false;
            foreach (JsonSyntax item in enumNode.Items)
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

        private static bool IsNullSchema(JsonSyntax schema)
        {
            if (!schema.IsObject)
            {
                return false;
            }

            JsonSyntax? type = schema.Get("type");
            return type != null && type.IsString && type.StringValue == "null";
        }

        private TypeRef WithSiblingConstraints(TypeRef inner, JsonSyntax schema, string pointer)
        {
            Constraints siblings = Graph.ReadConstraints(schema, pointer);
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

        private TypeRef MapBranches(JsonSyntax schema, JsonSyntax branches, string pointer, string hint, string? owner, int node, ref bool nullable)
        {
            string keyword = schema.Get("anyOf") != null ? "anyOf" : "oneOf";
            var nonNull = new List<KeyValuePair<JsonSyntax, string>>();
            for (int i = 0; i < branches.Items.Count; i++)
            {
                JsonSyntax branch = branches.Items[i];
                if (IsNullSchema(branch))
                {
                    nullable = true;
                }
                else
                {
                    nonNull.Add(new KeyValuePair<JsonSyntax, string>(branch, pointer + "/" + keyword + "/" + i.ToString(CultureInfo.InvariantCulture)));
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
                JsonSyntax? known = OpenEnumValues(nonNull[0].Key, nonNull[1].Key) ?? OpenEnumValues(nonNull[1].Key, nonNull[0].Key);
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
                branchNodes.Add(Graph.NodeOf(nonNull[i].Key, nonNull[i].Value));
                TypeRef branchType = Map(nonNull[i].Key, nonNull[i].Value, hint + "Enum", owner, ref branchNullable);
                string kind = JsonKindOf(branchType);
                if (kind == "any" || kinds.Contains(kind))
                {
                    _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnionFallback, _lines.Locate(branches), keyword, pointer, DescribeKinds(nonNull, owner)));
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
                branchSpecs.Add(new UnionBranchSpec(Identifiers.Unique(BranchMemberName(mapped[i]), memberNames), mapped[i], branchNodes[i]));
            }

            var union = new TypeRef(ValueKind.Union, unionName, null, false, Constraints.None, node);
            _declared[schema] = union;
            _types.Add(new TypeSpec(TypeSpecKind.Union, unionName, Summary(schema), EquatableArray<PropertySpec>.Empty, EquatableArray<EnumMemberSpec>.Empty, branchSpecs.ToEquatableArray(), false, node));
            return union;
        }

        private string DescribeKinds(List<KeyValuePair<JsonSyntax, string>> branches, string? owner)
        {
            var parts = new List<string>();
            foreach (KeyValuePair<JsonSyntax, string> branch in branches)
            {
                JsonSyntax? resolved = branch.Key;
                JsonSyntax? refValue = resolved.IsObject ? resolved.Get("$ref") : null;
                if (refValue != null && refValue.IsString)
                {
                    resolved = _refs.Resolve(refValue.StringValue!, resolved, out _) ?? resolved;
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

        private JsonSyntax? OpenEnumValues(JsonSyntax enumBranch, JsonSyntax stringBranch)
        {
            JsonSyntax? resolved = enumBranch;
            JsonSyntax? refValue = enumBranch.IsObject ? enumBranch.Get("$ref") : null;
            if (refValue != null && refValue.IsString)
            {
                resolved = _refs.Resolve(refValue.StringValue!, enumBranch, out _);
            }

            if (resolved == null || !resolved.IsObject || !stringBranch.IsObject)
            {
                return null;
            }

            JsonSyntax? values = resolved.Get("enum");
            List<string> stringTypes = ReadTypes(stringBranch);
            bool plainString = stringTypes.Count == 1 && stringTypes[0] == "string" && stringBranch.Get("enum") == null && stringBranch.Get("$ref") == null;
            return values != null && values.Kind == JsonKind.Array && IsStringEnum(values, ReadTypes(resolved)) && plainString ? values : null;
        }

        private string NewTypeName(string hint, string? owner)
        {
            string name = Identifiers.ToIdentifier(hint, "Schema", GeneratedMemberNames, out _);
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

            return Identifiers.Unique(name, _typeNames);
        }

        private string TakeName(JsonSyntax schema, string hint, string? owner)
            => _reservedNames.TryGetValue(schema, out string? reserved) ? reserved : NewTypeName(hint, owner);

        private TypeRef DeclareEnum(JsonSyntax schema, JsonSyntax values, string hint, string? owner, int node, bool nullable)
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

        private TypeRef DeclareOpenEnum(JsonSyntax schema, JsonSyntax values, string hint, string? owner, int node)
        {
            string name = TakeName(schema, hint, owner);
            var type = new TypeRef(ValueKind.OpenEnum, name, null, false, Constraints.None, node);
            _declared[schema] = type;
            _types.Add(new TypeSpec(TypeSpecKind.OpenEnum, name, Summary(schema), EquatableArray<PropertySpec>.Empty, EnumMembers(values, name), EquatableArray<UnionBranchSpec>.Empty, false, node));
            return type;
        }

        private EquatableArray<EnumMemberSpec> EnumMembers(JsonSyntax values, string typeName)
        {
            var members = new List<EnumMemberSpec>();
            var taken = new Dictionary<string, string>(StringComparer.Ordinal);
            // Members every enum or open enum has (a record struct adds the object members and PrintMembers).
            var used = new HashSet<string>(StringComparer.Ordinal) { typeName, "Value", "KnownValues", "IsKnown", "Equals", "GetHashCode", "ToString", "GetType", "PrintMembers", "MemberwiseClone", "Finalize", "ReferenceEquals" };
            var seenWire = new HashSet<string>(StringComparer.Ordinal);
            foreach (JsonSyntax item in values.Items)
            {
                if (!item.IsString || !seenWire.Add(item.StringValue!))
                {
                    continue;
                }

                string wire = item.StringValue!;
                string baseName = Identifiers.EnumMember(wire);

                string name = Identifiers.Unique(baseName, used);
                if (name != baseName)
                {
                    string firstWire = taken.TryGetValue(baseName, out string? first) ? first : baseName;
                    _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.EnumValueCollision, _lines.Locate(item), firstWire, wire, typeName, baseName, name));
                }
                else
                {
                    taken[baseName] = wire;
                }

                members.Add(new EnumMemberSpec(name, wire));
            }

            return members.ToEquatableArray();
        }

        private TypeRef DeclareRecord(JsonSyntax schema, JsonSyntax properties, string pointer, string hint, string? owner, int node)
        {
            string name = TakeName(schema, hint, owner);
            var type = new TypeRef(ValueKind.Record, name, null, false, Constraints.None, node);
            _declared[schema] = type;
            int slot = _types.Count;
            _types.Add(null!); // keeps the record ahead of the inline types its properties declare

            var required = new HashSet<string>(StringComparer.Ordinal);
            JsonSyntax? requiredNode = schema.Get("required");
            if (requiredNode != null && requiredNode.Kind == JsonKind.Array)
            {
                foreach (JsonSyntax item in requiredNode.Items)
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
                string csName = Identifiers.ToIdentifier(member.Name, "Property", reserved, out string? reason);
                if (reason != null)
                {
                    _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NameAdjusted, _lines.LocateName(member), member.Name, reason, csName));
                }

                string unique = Identifiers.Unique(csName, csNames);
                if (unique != csName)
                {
                    _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.PropertyNameCollision, _lines.LocateName(member), jsonNameOf[csName], member.Name, name, csName, unique));
                }

                jsonNameOf[unique] = member.Name;
                string propertyPointer = pointer + "/properties/" + RefResolver.Escape(member.Name);
                bool nullable = false;
                TypeRef propertyType = Map(member.Value, propertyPointer, unique, name, ref nullable);
                string? defaultJson = null;
                int propertyNode = Graph.NodeOf(member.Value, propertyPointer);
                JsonSyntax? defaultNode = FindDefault(member.Value);
                if (defaultNode != null)
                {
                    defaultJson = JsonText.Compact(defaultNode);
                    Graph.CheckDefault(defaultNode, propertyNode, name + "." + member.Name);
                }

                _locations.Add(new PropertyLocation(name, member.Name, _lines.LocateName(member), KeywordLocations(member.Value)));
                specs.Add(new PropertySpec(member.Name, unique, propertyType, required.Contains(member.Name), nullable, Summary(member.Value), defaultJson, propertyNode));
            }

            _types[slot] = new TypeSpec(TypeSpecKind.Record, name, Summary(schema), specs.ToEquatableArray(), EquatableArray<EnumMemberSpec>.Empty, EquatableArray<UnionBranchSpec>.Empty, false, node);
            return type;
        }

        /// <summary>Replicate orders properties by <c>x-order</c>, fal by <c>x-fal-order-properties</c>; otherwise document order.</summary>
        private static readonly HashSet<string> LocatedKeywords = new HashSet<string>(StringComparer.Ordinal)
        {
            "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength", "maxLength", "pattern",
            "minItems", "maxItems", "uniqueItems", "enum", "const", "type", "nullable",
        };

        /// <summary>
        /// The validation keywords of a property's schema with where each is written, through <c>$ref</c>, <c>allOf</c>,
        /// <c>anyOf</c>, <c>oneOf</c> and <c>items</c> (a bounded walk: 32 schemas at most); the first of each keyword.
        /// </summary>
        private EquatableArray<KeywordLocation> KeywordLocations(JsonSyntax schema)
        {
            var found = new List<KeywordLocation>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var visited = new HashSet<JsonSyntax>(ReferenceComparer.Instance);
            var queue = new Queue<JsonSyntax>();
            queue.Enqueue(schema);
            while (queue.Count > 0 && visited.Count < 32)
            {
                JsonSyntax current = queue.Dequeue();
                if (!current.IsObject || !visited.Add(current))
                {
                    continue;
                }

                foreach (JsonMember member in current.Members)
                {
                    if (LocatedKeywords.Contains(member.Name) && seen.Add(member.Name))
                    {
                        found.Add(new KeywordLocation(member.Name, _lines.LocateName(member)));
                    }
                    else if (member.Name == "$ref" && member.Value.IsString && _refs.Resolve(member.Value.StringValue!, current, out _) is JsonSyntax target)
                    {
                        queue.Enqueue(target);
                    }
                    else if (member.Name is "allOf" or "anyOf" or "oneOf" && member.Value.Kind == JsonKind.Array)
                    {
                        foreach (JsonSyntax branch in member.Value.Items)
                        {
                            queue.Enqueue(branch);
                        }
                    }
                    else if (member.Name == "items" && member.Value.IsObject)
                    {
                        queue.Enqueue(member.Value);
                    }
                }
            }

            return found.ToEquatableArray();
        }

        private static List<JsonMember> OrderedMembers(JsonSyntax schema, JsonSyntax properties)
        {
            var members = new List<JsonMember>(properties.Members);
            JsonSyntax? falOrder = schema.Get("x-fal-order-properties");
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
                    JsonSyntax? order = member.Value.IsObject ? member.Value.Get("x-order") : null;
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

        private JsonSyntax? FindDefault(JsonSyntax schema)
        {
            if (!schema.IsObject)
            {
                return null;
            }

            JsonSyntax? value = schema.Get("default");
            if (value != null)
            {
                return value;
            }

            JsonSyntax? allOf = schema.Get("allOf");
            if (allOf != null && allOf.Kind == JsonKind.Array && allOf.Items.Count == 1)
            {
                return FindDefault(allOf.Items[0]);
            }

            return null;
        }

        private static string? Summary(JsonSyntax schema)
        {
            if (!schema.IsObject)
            {
                return null;
            }

            string? description = schema.GetString("description");
            string? title = schema.GetString("title");
            return !string.IsNullOrWhiteSpace(description) ? description : (!string.IsNullOrWhiteSpace(title) ? title : null);
        }
    }
}

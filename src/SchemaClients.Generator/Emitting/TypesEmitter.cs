using System.Collections.Generic;
using System.Linq;
using SchemaClients.Generator.Model;
using SchemaClients.Generator.Validation;
using static SchemaClients.Generator.Emitting.EmitContext;
using static SchemaClients.Generator.Emitting.Names;
using static SchemaClients.Generator.Model.GeneratedNames;

namespace SchemaClients.Generator.Emitting
{
    /// <summary>
    /// The types of a document: records, enums, open enums and unions, each with <c>Validate()</c> over the document's
    /// schema graph. A record's <c>ValidateInto</c> names, per property that its C# type cannot guarantee, the node it
    /// must match; the rules themselves are applied by the runtime's one validator.
    /// </summary>
    internal sealed class TypesEmitter
    {
        private const string Typed = "global::SchemaClients.Validation.TypedValidation";
        private const string Da = "global::System.ComponentModel.DataAnnotations.";
        private const string Validated = "global::SchemaClients.Validation.ISchemaValidated";

        private readonly EmitContext _context;
        private readonly SourceWriter _w = new SourceWriter();

        private TypesEmitter(EmitContext context) => _context = context;

        public static string Emit(EmitContext context)
        {
            var emitter = new TypesEmitter(context);
            emitter._w.Block(context.Header("types"));
            foreach (TypeSpec type in context.Document.Types)
            {
                emitter._w.Line();
                switch (type.Kind)
                {
                    case TypeSpecKind.Record: emitter.EmitRecord(type); break;
                    case TypeSpecKind.Enum: emitter.EmitEnum(type); break;
                    case TypeSpecKind.OpenEnum: emitter.EmitOpenEnum(type); break;
                    case TypeSpecKind.Union: emitter.EmitUnion(type); break;
                }
            }

            return emitter._w.ToString();
        }

        private string ConverterAttribute(TypeSpec type)
            => "[global::System.Text.Json.Serialization.JsonConverter(typeof(" + ConverterClass + "." + _context.ConverterName(type.Name) + "))]";

        // ------------------------------------------------------------------ records

        /// <summary>Whether the C# property can never be null: required and non-nullable in a type that is only sent.</summary>
        public static bool NeverNull(TypeSpec owner, PropertySpec property) => property.Required && !property.Nullable && !owner.IsAnswer;

        private static string PropertyType(TypeSpec owner, PropertySpec property)
            => NeverNull(owner, property) ? property.Type.Name : property.Type.Name + "?";

        /// <summary>The member that keeps an answer's unknown members: <c>AdditionalProperties</c> unless a property took the name.</summary>
        public static string ExtensionMember(TypeSpec type)
        {
            var taken = new HashSet<string>(System.StringComparer.Ordinal);
            foreach (PropertySpec property in type.Properties)
            {
                taken.Add(property.CsName);
            }

            string name = "AdditionalProperties";
            for (int i = 2; taken.Contains(name) || name == type.Name; i++)
            {
                name = "AdditionalProperties" + Int(i);
            }

            return name;
        }

        private void EmitRecord(TypeSpec type)
        {
            string n = type.Name;
            _w.Block(Summary(type.Summary, "The " + n + " object of " + _context.Document.ModelId + "."));
            if (type.IsAnswer)
            {
                _w.Line("/// <remarks>Read from answers, liberally: a member the schema requires but the answer leaves out reads as null (<see cref=\"Validate\"/> then lists it), and members the schema does not name are kept in <see cref=\"" + ExtensionMember(type) + "\"/>.</remarks>");
            }

            _w.Line(ConverterAttribute(type));
            _w.Line(GeneratedCode);
            _w.Open("public sealed partial record " + n + " : " + Validated);
            foreach (PropertySpec property in type.Properties)
            {
                _w.Block(Summary(property.Summary, "The " + property.JsonName + " value."));
                // What the declaration does not say already: required-ness in an answer, the limits, the provider's default.
                string required = property.Required && type.IsAnswer && !property.Nullable ? "Required by the schema; null when an answer leaves it out." : string.Empty;
                string limits = Limits(property.Type.Constraints);
                string remarks = string.Join(" ", new[] { required, Xml(limits), property.DefaultJson != null ? "Provider default: <c>" + Xml(Shorten(property.DefaultJson)) + "</c>." : string.Empty }.Where(t => t.Length > 0));
                if (remarks.Length > 0)
                {
                    _w.Line("/// <remarks>" + remarks + "</remarks>");
                }
                _w.Line("[global::System.Text.Json.Serialization.JsonPropertyName(" + Literal(property.JsonName) + ")]");
                EmitAnnotations(property);
                bool requiredKeyword = property.Required && type.IsSent;
                _w.Line("public " + (requiredKeyword ? "required " : string.Empty) + PropertyType(type, property) + " " + property.CsName + " { get; init; }");
                _w.Line();
            }

            if (type.IsAnswer)
            {
                _w.Block($$"""
                    /// <summary>Members of the JSON object that the schema does not name, as sent; null when there were none. Written back when the record is serialized.</summary>
                    [global::System.Text.Json.Serialization.JsonIgnore]
                    public global::System.Collections.Generic.IReadOnlyDictionary<string, global::System.Text.Json.JsonElement>? {{ExtensionMember(type)}} { get; init; }

                    """);
            }
            else if (_context.KeepsUnknownMembers(type))
            {
                _w.Block($$"""
                    /// <summary>Members the properties do not name, which the schema gives rules of their own (patternProperties, unevaluatedProperties); written after the named ones. <see cref="Validate"/> checks them.</summary>
                    [global::System.Text.Json.Serialization.JsonIgnore]
                    public global::System.Collections.Generic.IReadOnlyDictionary<string, global::System.Text.Json.JsonElement>? {{ExtensionMember(type)}} { get; init; }

                    """);
            }

            EmitValidationMembers(type, _context.Node(type.NodeId, n));
            if (_context.Validates(n))
            {
                _w.Open("internal static void ValidateInto(" + n + " value, ref " + Typed + " v)");
                if (_context.ChecksWholeObject(type))
                {
                    // Keywords about the object as a whole: the record is checked as the JSON it writes.
                    _w.Line("v.CheckWhole(" + _context.Node(type.NodeId, n) + ", value, " + ConverterClass + "." + _context.ConverterName(n) + ".Instance);");
                }
                else
                {
                    for (int i = 0; i < type.Properties.Count; i++)
                    {
                        EmitPropertyCheck(type, type.Properties[i], "p" + Int(i));
                    }
                }

                _w.Close();
            }

            _w.Close();
        }

        private void EmitValidationMembers(TypeSpec type, string node)
        {
            if (!_context.Validates(type.Name))
            {
                // Its declaration guarantees every rule, so it is valid by construction.
                _w.Block($$"""
                    /// <inheritdoc />
                    public bool IsValid() => true;

                    /// <inheritdoc />
                    public {{Result}} Validate() => {{Result}}.Success;

                    /// <summary>Validates raw JSON against the schema; allocates nothing when it is valid.</summary>
                    public static {{Result}} ValidateJson({{Element}} json) => {{ValidatorClass}}.Graph.Validate(json, {{node}});
                    """);
                return;
            }

            _w.Block($$"""
                /// <inheritdoc />
                public bool IsValid()
                {
                    {{Typed}} v = {{ValidatorClass}}.Graph.Quiet();
                    ValidateInto(this, ref v);
                    return !v.HasFailed;
                }

                /// <inheritdoc />
                public {{Result}} Validate()
                {
                    if (IsValid())
                    {
                        return {{Result}}.Success;
                    }

                    {{Typed}} v = {{ValidatorClass}}.Graph.Report();
                    ValidateInto(this, ref v);
                    return v.Result();
                }

                /// <summary>Validates raw JSON with the rules of <see cref="Validate"/>; allocates nothing when it is valid.</summary>
                public static {{Result}} ValidateJson({{Element}} json) => {{ValidatorClass}}.Graph.Validate(json, {{node}});

                """);
        }

        /// <summary>One property's line (or block) in <c>ValidateInto</c>: what its C# type cannot guarantee.</summary>
        private void EmitPropertyCheck(TypeSpec owner, PropertySpec property, string local)
        {
            string member = Literal(property.JsonName);
            string access = "value." + property.CsName;
            bool neverNull = NeverNull(owner, property);

            // A required member can still be null: in a type read from answers, or set with null! in one that is sent.
            bool missingCheck = property.Required && !property.Nullable && (!neverNull || !property.Type.IsValueType);
            var body = new List<string>();
            ValueChecks(property.Type, property.NodeId, local, member, owner.Name + "_" + property.CsName, body, 0);
            if (body.Count == 0 && !missingCheck)
            {
                return;
            }

            if (neverNull && property.Type.IsValueType)
            {
                if (body.Count > 0)
                {
                    _w.Open(string.Empty);
                    _w.Line("var " + local + " = " + access + ";");
                    Lines(body);
                    _w.Close();
                }

                return;
            }

            if (body.Count == 0)
            {
                _w.Line("if (" + access + " is null) v.Missing(" + member + ");");
                return;
            }

            // One check on one line; more, or a nested walk, in a block.
            if (body.Count == 1 && body[0].IndexOf('\n') < 0)
            {
                _w.Line("if (" + access + " is { } " + local + ") " + body[0]);
                if (missingCheck)
                {
                    _w.Line("else v.Missing(" + member + ");");
                }

                return;
            }

            _w.Open("if (" + access + " is { } " + local + ")");
            Lines(body);
            _w.Close();
            if (missingCheck)
            {
                _w.Line("else v.Missing(" + member + ");");
            }
        }

        private void Lines(List<string> lines)
        {
            foreach (string line in lines)
            {
                _w.Block(line);
            }
        }

        /// <summary>
        /// The checks of one present value of a type against a node, as statements; none when the C# type keeps every rule.
        /// <paramref name="member"/> is the member's JSON name as a literal, or null for a value at the current path
        /// (a list item, a union branch).
        /// </summary>
        private void ValueChecks(TypeRef type, int node, string value, string? member, string nodeName, List<string> into, int depth)
        {
            string Enter(string inner) => member == null ? inner : "v.Enter(" + member + ");\n" + inner + "\nv.Leave();";
            switch (type.Kind)
            {
                case ValueKind.Int32:
                case ValueKind.Int64:
                case ValueKind.Double:
                case ValueKind.Boolean:
                case ValueKind.String:
                case ValueKind.OpenEnum: // checked by its wire text
                    if (_context.NeedsCheck(node, JsonTypeOf(type.Kind)))
                    {
                        string text = type.Kind == ValueKind.OpenEnum ? value + ".Value" : value;
                        into.Add(member == null
                            ? "v.CheckHere(" + _context.Node(node, nodeName) + ", " + text + ");"
                            : "v.Check(" + _context.Node(node, nodeName) + ", " + member + ", " + text + ");");
                    }

                    break;
                case ValueKind.Enum:
                    break; // a C# enum holds only values of the schema's enum
                case ValueKind.Record:
                case ValueKind.Union:
                    if (_context.Validates(type.Name))
                    {
                        into.Add(Enter(_context.Full(type.Name) + ".ValidateInto(" + value + ", ref v);"));
                    }

                    break;
                case ValueKind.Json:
                    into.Add(member == null
                        ? "v.CheckHere(" + _context.Node(node, nodeName) + ", " + value + ");"
                        : "v.Check(" + _context.Node(node, nodeName) + ", " + member + ", " + value + ");");
                    break;
                case ValueKind.List:
                case ValueKind.Map:
                    EmitCollectionChecks(type, node, value, member, nodeName, into, depth);
                    break;
            }
        }

        private void EmitCollectionChecks(TypeRef type, int node, string value, string? member, string nodeName, List<string> into, int depth)
        {
            var lines = new List<string>();
            if (type.Kind == ValueKind.List && _context.NeedsCheck(node, Shared.Validation.TypeMask.Array))
            {
                string unique = _context.WantsUniqueItems(node) ? "global::SchemaClients.Validation.JsonRules.HasUniqueItems(" + value + ")" : "null";
                lines.Add(member == null
                    ? "v.CheckListHere(" + _context.Node(node, nodeName) + ", " + value + ".Count, " + unique + ");"
                    : "v.CheckList(" + _context.Node(node, nodeName) + ", " + member + ", " + value + ".Count, " + unique + ");");
            }

            int itemNode = type.Kind == ValueKind.List ? _context.ItemsOf(node) : _context.AdditionalOf(node);
            var itemChecks = new List<string>();
            string d = Int(depth);
            string item = "item" + d;
            if (itemNode >= 0)
            {
                ValueChecks(type.Element!, itemNode, type.ElementNullable ? "present" + d : item, null, nodeName + "Item", itemChecks, depth + 1);
            }

            if (itemChecks.Count > 0)
            {
                string inner = string.Join("\n", itemChecks);
                if (type.ElementNullable)
                {
                    inner = "if (" + item + " is { } present" + d + ")\n{\n" + Indent(inner) + "\n}";
                }

                string loop = type.Kind == ValueKind.List
                    ? "for (int i" + d + " = 0; i" + d + " < " + value + ".Count; i" + d + "++)\n{\n    var " + item + " = " + value + "[i" + d + "];\n    v.EnterItem(i" + d + ");\n" + Indent(inner) + "\n    v.Leave();\n}"
                    : "foreach (var pair" + d + " in " + value + ")\n{\n    var " + item + " = pair" + d + ".Value;\n    v.Enter(pair" + d + ".Key);\n" + Indent(inner) + "\n    v.Leave();\n}";
                lines.Add(member == null ? loop : "v.Enter(" + member + ");\n" + loop + "\nv.Leave();");
            }

            into.AddRange(lines);
        }

        private static string Indent(string text) => string.Join("\n", text.Split('\n').Select(l => l.Length == 0 ? l : "    " + l));

        private static string Limits(Constraints c)
        {
            var parts = new List<string>();
            string? low = c.Minimum.HasValue ? "from " + Json(c.Minimum.Value) : c.ExclusiveMinimum.HasValue ? "above " + Json(c.ExclusiveMinimum.Value) : null;
            string? high = c.Maximum.HasValue ? "to " + Json(c.Maximum.Value) : c.ExclusiveMaximum.HasValue ? "below " + Json(c.ExclusiveMaximum.Value) : null;
            if (low != null || high != null)
            {
                parts.Add("Range: " + string.Join(" ", new[] { low, high }.Where(x => x != null)) + ".");
            }

            if (c.MultipleOf.HasValue)
            {
                parts.Add("Multiple of " + Json(c.MultipleOf.Value) + ".");
            }

            if (c.MinLength.HasValue || c.MaxLength.HasValue)
            {
                parts.Add("Length: " + (c.MinLength.HasValue ? Int(c.MinLength.Value) : "0") + " to " + (c.MaxLength.HasValue ? Int(c.MaxLength.Value) : "any") + " characters.");
            }

            if (c.Pattern != null)
            {
                parts.Add("Pattern: " + c.Pattern + ".");
            }

            if (c.MinItems.HasValue || c.MaxItems.HasValue)
            {
                parts.Add("Items: " + (c.MinItems.HasValue ? Int(c.MinItems.Value) : "0") + " to " + (c.MaxItems.HasValue ? Int(c.MaxItems.Value) : "any") + ".");
            }

            if (c.UniqueItems)
            {
                parts.Add("Items must be unique.");
            }

            return string.Join(" ", parts);
        }

        private void EmitAnnotations(PropertySpec property)
        {
            TypeRef t = property.Type;
            Constraints c = t.Constraints;
            if (property.Required && !property.Nullable && !t.IsValueType)
            {
                _w.Line("[" + Da + "Required]");
            }

            bool numeric = t.Kind == ValueKind.Int32 || t.Kind == ValueKind.Int64 || t.Kind == ValueKind.Double;
            if (numeric && (c.Minimum.HasValue || c.Maximum.HasValue || c.ExclusiveMinimum.HasValue || c.ExclusiveMaximum.HasValue))
            {
                bool integers = t.Kind != ValueKind.Double && Whole(c.Minimum ?? c.ExclusiveMinimum) && Whole(c.Maximum ?? c.ExclusiveMaximum)
                    && !(c.ExclusiveMinimum.HasValue && !c.Minimum.HasValue) && !(c.ExclusiveMaximum.HasValue && !c.Maximum.HasValue);
                string min = c.Minimum.HasValue ? Bound(c.Minimum.Value, integers) : c.ExclusiveMinimum.HasValue ? Bound(c.ExclusiveMinimum.Value, integers) : integers ? "int.MinValue" : "double.MinValue";
                string max = c.Maximum.HasValue ? Bound(c.Maximum.Value, integers) : c.ExclusiveMaximum.HasValue ? Bound(c.ExclusiveMaximum.Value, integers) : integers ? "int.MaxValue" : "double.MaxValue";
                string flags = (c.ExclusiveMinimum.HasValue && !c.Minimum.HasValue ? ", MinimumIsExclusive = true" : string.Empty)
                    + (c.ExclusiveMaximum.HasValue && !c.Maximum.HasValue ? ", MaximumIsExclusive = true" : string.Empty);
                _w.Line("[" + Da + "Range(" + min + ", " + max + flags + ")]");
            }

            List<string> allowed = AllowedStrings(t);
            if (t.Kind == ValueKind.String && allowed.Count > 0)
            {
                _w.Line("[" + Da + "AllowedValues(" + string.Join(", ", allowed) + ")]");
            }

            // MinLength/MaxLength/Length read Count through reflection (RequiresUnreferencedCode), which
            // would break trimming; StringLength is reflection-free. List sizes are left to Validate().
            if (t.Kind == ValueKind.String && (c.MinLength.HasValue || c.MaxLength.HasValue))
            {
                _w.Line("[" + Da + "StringLength(" + (c.MaxLength.HasValue ? Int(c.MaxLength.Value) : "int.MaxValue") + (c.MinLength.HasValue ? ", MinimumLength = " + Int(c.MinLength.Value) : string.Empty) + ")]");
            }

            // RegularExpressionAttribute requires a whole-string match while JSON Schema searches,
            // so it is only added where the pattern is anchored at both ends and the two agree.
            if (t.Kind == ValueKind.String && c.Pattern != null && c.Pattern.StartsWith("^") && c.Pattern.EndsWith("$"))
            {
                _w.Line("[" + Da + "RegularExpression(" + Literal(EcmaRegex.ToDotNet(c.Pattern)) + ")]");
            }
        }

        /// <summary>Whether a bound is a whole number that an <c>int</c> holds, so the attribute can compare integers as integers.</summary>
        private static bool Whole(double? bound) => !bound.HasValue || (bound.Value == System.Math.Floor(bound.Value) && bound.Value >= int.MinValue && bound.Value <= int.MaxValue);

        private static string Bound(double value, bool integers) => integers ? Int((int)value) : Number(value);

        /// <summary>The string values of <c>const</c>/<c>enum</c> a string property allows, as C# literals.</summary>
        private static List<string> AllowedStrings(TypeRef type)
        {
            var literals = new List<string>();
            foreach (string json in type.Constraints.AllowedJson)
            {
                Reading.JsonSyntax? node = Reading.JsonReader.Read(json).Root;
                if (node != null && node.IsString)
                {
                    literals.Add(Literal(node.StringValue!));
                }
            }

            return literals;
        }

        // ------------------------------------------------------------------ enums

        private void EmitEnum(TypeSpec type)
        {
            _w.Block(Summary(type.Summary, "The values of " + type.Name + "."));
            _w.Line("/// <remarks>Written and read as the exact wire values shown on each member.</remarks>");
            _w.Line(ConverterAttribute(type));
            _w.Line(GeneratedCode);
            _w.Open("public enum " + type.Name);
            for (int i = 0; i < type.Members.Count; i++)
            {
                EnumMemberSpec member = type.Members[i];
                _w.Block($$"""
                    /// <summary>The wire value <c>{{Xml(member.WireValue)}}</c>.</summary>
                    [global::System.Runtime.Serialization.EnumMember(Value = {{Literal(member.WireValue)}})]
                    {{member.CsName}},
                    """);
                if (i + 1 < type.Members.Count)
                {
                    _w.Line();
                }
            }

            _w.Close();
        }

        private void EmitOpenEnum(TypeSpec type)
        {
            string n = type.Name;
            _w.Block(Summary(type.Summary, type.KnownOnly ? "The values of " + n + "." : "A value of " + n + ": one of the known values or any other string."));
            _w.Line(type.KnownOnly
                ? "/// <remarks>The schema allows only the listed values; read from answers, a value it does not list is kept as sent (<see cref=\"IsKnown\"/> false, reported by validation) rather than failing the answer.</remarks>"
                : "/// <remarks>An open set: the known values are listed as static properties; any other string is accepted too.</remarks>");
            _w.Line(ConverterAttribute(type));
            _w.Line(GeneratedCode);
            // A record struct: equality, hashing and the operators (by the exact wire text) come from the compiler.
            _w.Open("public readonly partial record struct " + n);
            _w.Block($$"""
                private readonly string? _value;

                /// <summary>Creates a value from its wire text.</summary>
                /// <param name="value">The exact wire value.</param>
                public {{n}}(string value) => _value = value ?? throw new global::System.ArgumentNullException(nameof(value));

                /// <summary>The exact wire value.</summary>
                public string Value => _value ?? string.Empty;

                """);
            foreach (EnumMemberSpec member in type.Members)
            {
                _w.Line("/// <summary>The known value <c>" + Xml(member.WireValue) + "</c>.</summary>");
                _w.Line("public static " + n + " " + member.CsName + " => new(" + Literal(member.WireValue) + ");");
                _w.Line();
            }

            _w.Block($$"""
                /// <summary>Every value the schema names.</summary>
                public static global::System.Collections.Generic.IReadOnlyList<{{n}}> KnownValues { get; } = new[] { {{string.Join(", ", type.Members.Select(m => m.CsName))}} };

                /// <summary>Whether the value is one the schema names.</summary>
                public bool IsKnown => global::System.Linq.Enumerable.Contains(KnownValues, this);

                /// <summary>Converts wire text to a value.</summary>
                /// <param name="value">The exact wire value.</param>
                public static implicit operator {{n}}(string value) => new {{n}}(value);

                /// <inheritdoc />
                public override string ToString() => Value;
                """);
            _w.Close();
        }

        // ------------------------------------------------------------------ unions

        private void EmitUnion(TypeSpec type)
        {
            string n = type.Name;
            _w.Block(Summary(type.Summary, "One of several shapes of the same value."));
            _w.Line("/// <remarks>A union: create it from any branch (implicitly, except from lists) and read it with the Is/As members.</remarks>");
            _w.Line(ConverterAttribute(type));
            _w.Line(GeneratedCode);
            _w.Open("public sealed partial class " + n + " : global::SchemaClients.Serialization.SchemaUnion, " + Validated);
            for (int i = 0; i < type.Branches.Count; i++)
            {
                UnionBranchSpec branch = type.Branches[i];
                string m = branch.MemberName;
                string t = branch.Type.Name;
                string guard = branch.Type.IsValueType ? string.Empty : " ?? throw new global::System.ArgumentNullException(nameof(value))";
                _w.Block($$"""
                    /// <summary>Creates the union from the {{Xml(m)}} branch.</summary>
                    /// <param name="value">The branch value.</param>
                    public {{n}}({{t}} value)
                        : base(value{{guard}}, {{Int(i)}})
                    {
                    }

                    /// <summary>Whether the {{Xml(m)}} branch is set.</summary>
                    public bool Is{{m}} => Branch == {{Int(i)}};

                    /// <summary>The {{Xml(m)}} branch; throws when another branch is set.</summary>
                    public {{t}} As{{m}} => As<{{t}}>({{Int(i)}}, "{{m}}");

                    """);
                if (branch.Type.Kind != ValueKind.List && branch.Type.Kind != ValueKind.Map)
                {
                    _w.Block($$"""
                        /// <summary>Creates the union from the {{Xml(m)}} branch.</summary>
                        /// <param name="value">The branch value.</param>
                        public static implicit operator {{n}}({{t}} value) => new {{n}}(value);

                        """);
                }
            }

            EmitValidationMembers(type, _context.Node(type.NodeId, n));
            if (!_context.Validates(n))
            {
                _w.Close();
                return;
            }

            _w.Open("internal static void ValidateInto(" + n + " value, ref " + Typed + " v)");
            for (int i = 0; i < type.Branches.Count; i++)
            {
                UnionBranchSpec branch = type.Branches[i];
                var checks = new List<string>();
                ValueChecks(branch.Type, branch.NodeId, "b" + Int(i), null, n + "_" + branch.MemberName, checks, 0);
                if (checks.Count == 0)
                {
                    continue;
                }

                _w.Open("if (value.Branch == " + Int(i) + " && value.Value is " + branch.Type.Name + " b" + Int(i) + ")");
                Lines(checks);
                _w.Close();
            }

            _w.Close();
            _w.Close();
        }
    }
}

using System.Collections.Generic;
using System.Linq;
using SchemaClients.Generator.Model;
using static SchemaClients.Generator.Emitting.Names;

namespace SchemaClients.Generator.Emitting
{
    internal sealed partial class DocumentEmitter
    {
        // ------------------------------------------------------------------ converters

        private void EmitConverters()
        {
            _w.Line("/// <summary>Reflection-free JSON converters for the types of this document.</summary>");
            _w.Line(GeneratedCode);
            _w.Open("internal static class " + ConverterClass);
            bool first = true;
            foreach (TypeSpec type in _document.Types)
            {
                if (!first)
                {
                    _w.Line();
                }

                first = false;
                string n = type.Name;
                _w.Open("internal sealed class " + n + "Converter : global::System.Text.Json.Serialization.JsonConverter<" + n + ">");
                _w.Line("public override " + n + " Read(ref " + Reader + " reader, global::System.Type typeToConvert, " + Options + " options) => ReadValue(ref reader);");
                _w.Line();
                _w.Line("public override void Write(" + Writer + " writer, " + n + " value, " + Options + " options) => WriteValue(writer, value);");
                _w.Line();
                switch (type.Kind)
                {
                    case TypeSpecKind.Record: EmitRecordConverter(type); break;
                    case TypeSpecKind.Enum: EmitEnumConverter(type); break;
                    case TypeSpecKind.OpenEnum: EmitOpenEnumConverter(type); break;
                    case TypeSpecKind.Union: EmitUnionConverter(type); break;
                }

                _w.Close();
            }

            _w.Close();
        }

        private void EmitRecordConverter(TypeSpec type)
        {
            // A type read from answers reads liberally: null or missing members stay null, unknown members are kept.
            bool liberal = type.IsAnswer;
            _w.Open("public static " + type.Name + " ReadValue(ref " + Reader + " reader)");
            _w.Open("if (reader.TokenType != " + TokenType + ".StartObject)");
            _w.Line("throw " + Io + ".Unexpected(ref reader, \"an object for " + type.Name + "\");");
            _w.Close();
            _w.Line();
            for (int i = 0; i < type.Properties.Count; i++)
            {
                PropertySpec p = type.Properties[i];
                _w.Line(p.Type.Name + "? p" + Int(i) + " = default;");
                if (p.Required && !liberal)
                {
                    _w.Line("bool has" + Int(i) + " = false;");
                }
            }

            if (liberal)
            {
                _w.Line("global::System.Collections.Generic.Dictionary<string, " + Element + ">? extra = null;");
            }

            _w.Open("while (reader.Read() && reader.TokenType != " + TokenType + ".EndObject)");
            for (int i = 0; i < type.Properties.Count; i++)
            {
                PropertySpec p = type.Properties[i];
                _w.Open("if (reader.ValueTextEquals(" + Utf8Literal(p.JsonName) + "))");
                _w.Line("reader.Read();");
                bool nullable = liberal || !(p.Required && !p.Nullable);
                string read = ReadExpression(p.Type, "reader", 0);
                _w.Line("p" + Int(i) + " = " + (nullable ? "reader.TokenType == " + TokenType + ".Null ? default(" + p.Type.Name + "?) : " : string.Empty) + read + ";");
                if (p.Required && !liberal)
                {
                    _w.Line("has" + Int(i) + " = true;");
                }

                _w.Line("continue;");
                _w.Close();
                _w.Line();
            }

            if (liberal)
            {
                _w.Line("string name = reader.GetString()!;");
                _w.Line("reader.Read();");
                _w.Line("(extra ??= new global::System.Collections.Generic.Dictionary<string, " + Element + ">(global::System.StringComparer.Ordinal))[name] = " + Element + ".ParseValue(ref reader);");
            }
            else
            {
                _w.Line("reader.Read();");
                _w.Line("reader.Skip();");
            }

            _w.Close();
            _w.Line();
            for (int i = 0; i < type.Properties.Count; i++)
            {
                PropertySpec p = type.Properties[i];
                if (p.Required && !liberal)
                {
                    _w.Open("if (!has" + Int(i) + ")");
                    _w.Line("throw " + Io + ".MissingRequired(" + Literal(type.Name) + ", " + Literal(p.JsonName) + ");");
                    _w.Close();
                    _w.Line();
                }
            }

            _w.Open("return new " + type.Name);
            for (int i = 0; i < type.Properties.Count; i++)
            {
                PropertySpec p = type.Properties[i];
                bool nonNullable = NeverNull(type, p);
                string value = "p" + Int(i) + (nonNullable ? (p.Type.IsValueType ? ".GetValueOrDefault()" : "!") : string.Empty);
                _w.Line(p.CsName + " = " + value + ",");
            }

            if (liberal)
            {
                _w.Line(ExtensionMember(type) + " = extra,");
            }

            _w.Close(";");
            _w.Close();
            _w.Line();
            _w.Open("public static void WriteValue(" + Writer + " writer, " + type.Name + " value)");
            _w.Line("writer.WriteStartObject();");
            for (int i = 0; i < type.Properties.Count; i++)
            {
                PropertySpec p = type.Properties[i];
                string name = "writer.WritePropertyName(" + Utf8Literal(p.JsonName) + ");";
                if (NeverNull(type, p))
                {
                    _w.Line(name);
                    _w.Line(WriteStatement(p.Type, "writer", "value." + p.CsName, 0));
                    continue;
                }

                _w.Open("if (value." + p.CsName + " is { } w" + Int(i) + ")");
                _w.Line(name);
                _w.Line(WriteStatement(p.Type, "writer", "w" + Int(i), 0));
                _w.Close();
                if (p.Required && p.Nullable)
                {
                    // Required and nullable: null is a value the schema allows, so it is written. A required member an
                    // answer left out (liberal types) is left out again rather than written as a null the schema forbids.
                    _w.Open("else");
                    _w.Line(name);
                    _w.Line("writer.WriteNullValue();");
                    _w.Close();
                }
            }

            if (liberal)
            {
                _w.Open("if (value." + ExtensionMember(type) + " is { } extra)");
                _w.Open("foreach (global::System.Collections.Generic.KeyValuePair<string, " + Element + "> member in extra)");
                _w.Line("writer.WritePropertyName(member.Key);");
                _w.Line("member.Value.WriteTo(writer);");
                _w.Close();
                _w.Close();
            }

            _w.Line("writer.WriteEndObject();");
            _w.Close();
        }

        private string ReadExpression(TypeRef type, string reader, int depth)
        {
            switch (type.Kind)
            {
                case ValueKind.String: return Io + ".ReadString(ref " + reader + ")";
                case ValueKind.Int32: return Io + ".ReadInt32(ref " + reader + ")";
                case ValueKind.Int64: return Io + ".ReadInt64(ref " + reader + ")";
                case ValueKind.Double: return Io + ".ReadDouble(ref " + reader + ")";
                case ValueKind.Boolean: return Io + ".ReadBoolean(ref " + reader + ")";
                case ValueKind.Json: return Io + ".ReadElement(ref " + reader + ")";
                case ValueKind.List:
                case ValueKind.Map:
                    string r = "r" + Int(depth + 1);
                    string element = type.Element!.Name + (type.ElementNullable ? "?" : string.Empty);
                    string inner = (type.ElementNullable ? r + ".TokenType == " + TokenType + ".Null ? default(" + element + ") : " : string.Empty) + ReadExpression(type.Element!, r, depth + 1);
                    return Io + (type.Kind == ValueKind.List ? ".ReadList<" : ".ReadMap<") + element + ">(ref " + reader + ", static (ref " + Reader + " " + r + ") => " + inner + ")";
                default:
                    return Converter(type.Name) + ".ReadValue(ref " + reader + ")";
            }
        }

        private string WriteStatement(TypeRef type, string writer, string value, int depth)
        {
            switch (type.Kind)
            {
                case ValueKind.String: return writer + ".WriteStringValue(" + value + ");";
                case ValueKind.Int32:
                case ValueKind.Int64:
                case ValueKind.Double: return writer + ".WriteNumberValue(" + value + ");";
                case ValueKind.Boolean: return writer + ".WriteBooleanValue(" + value + ");";
                case ValueKind.Json: return value + ".WriteTo(" + writer + ");";
                case ValueKind.List:
                case ValueKind.Map:
                    string w = "w" + Int(depth + 1);
                    string v = "v" + Int(depth + 1);
                    string body = type.ElementNullable
                        ? "{ if (" + v + " is { } x" + Int(depth + 1) + ") { " + WriteStatement(type.Element!, w, "x" + Int(depth + 1), depth + 1) + " } else { " + w + ".WriteNullValue(); } }"
                        : "{ " + WriteStatement(type.Element!, w, v, depth + 1) + " }";
                    return Io + (type.Kind == ValueKind.List ? ".WriteList(" : ".WriteMap(") + writer + ", " + value + ", static (" + w + ", " + v + ") => " + body + ");";
                default:
                    return Converter(type.Name) + ".WriteValue(" + writer + ", " + value + ");";
            }
        }

        private void EmitEnumConverter(TypeSpec type)
        {
            _w.Open("public static " + type.Name + " ReadValue(ref " + Reader + " reader)");
            _w.Open("if (reader.TokenType != " + TokenType + ".String)");
            _w.Line("throw " + Io + ".Unexpected(ref reader, \"a string for " + type.Name + "\");");
            _w.Close();
            _w.Line();
            foreach (EnumMemberSpec member in type.Members)
            {
                _w.Open("if (reader.ValueTextEquals(" + Utf8Literal(member.WireValue) + "))");
                _w.Line("return " + type.Name + "." + member.CsName + ";");
                _w.Close();
                _w.Line();
            }

            _w.Line("throw " + Io + ".UnknownEnumValue(" + Literal(type.Name) + ", reader.GetString());");
            _w.Close();
            _w.Line();
            _w.Line("public static void WriteValue(" + Writer + " writer, " + type.Name + " value) => writer.WriteStringValue(ToWireValue(value));");
            _w.Line();
            _w.Open("public static string ToWireValue(" + type.Name + " value) => value switch");
            foreach (EnumMemberSpec member in type.Members)
            {
                _w.Line(type.Name + "." + member.CsName + " => " + Literal(member.WireValue) + ",");
            }

            _w.Line("_ => throw new global::System.ArgumentOutOfRangeException(nameof(value), value, \"Not a value of " + type.Name + ".\"),");
            _w.Close(";");
        }

        private void EmitOpenEnumConverter(TypeSpec type)
        {
            _w.Line("public static " + type.Name + " ReadValue(ref " + Reader + " reader) => new " + type.Name + "(" + Io + ".ReadString(ref reader));");
            _w.Line();
            _w.Line("public static void WriteValue(" + Writer + " writer, " + type.Name + " value) => writer.WriteStringValue(value.Value);");
        }

        private void EmitUnionConverter(TypeSpec type)
        {
            _w.Open("public static " + type.Name + " ReadValue(ref " + Reader + " reader)");
            _w.Open("switch (reader.TokenType)");
            foreach (UnionBranchSpec branch in type.Branches)
            {
                foreach (string token in Tokens(branch.Type))
                {
                    _w.Line("case " + TokenType + "." + token + ":");
                }

                _w.Indent();
                _w.Line("return new " + type.Name + "(" + ReadExpression(branch.Type, "reader", 0) + ");");
                _w.Unindent();
            }

            _w.Line("default:");
            _w.Indent();
            _w.Line("throw " + Io + ".Unexpected(ref reader, " + Literal("one of the shapes of " + type.Name) + ");");
            _w.Unindent();
            _w.Close();
            _w.Close();
            _w.Line();
            _w.Open("public static void WriteValue(" + Writer + " writer, " + type.Name + " value)");
            bool first = true;
            foreach (UnionBranchSpec branch in type.Branches)
            {
                _w.Open((first ? "if" : "else if") + " (value.Is" + branch.MemberName + ")");
                _w.Line(WriteStatement(branch.Type, "writer", "value.As" + branch.MemberName, 0));
                _w.Close();
                first = false;
            }

            _w.Close();
        }

        private static IEnumerable<string> Tokens(TypeRef type)
        {
            switch (type.Kind)
            {
                case ValueKind.String:
                case ValueKind.Enum:
                case ValueKind.OpenEnum:
                    return new[] { "String" };
                case ValueKind.Int32:
                case ValueKind.Int64:
                case ValueKind.Double:
                    return new[] { "Number" };
                case ValueKind.Boolean:
                    return new[] { "True", "False" };
                case ValueKind.List:
                    return new[] { "StartArray" };
                default:
                    return new[] { "StartObject" };
            }
        }

        // ------------------------------------------------------------------ JSON validator

        private void EmitValidator()
        {
            _w.Line("/// <summary>Validates raw JSON payloads against the schemas of " + Xml(System.IO.Path.GetFileName(_document.FilePath)) + ", with the same rules as the typed <c>Validate()</c> methods.</summary>");
            _w.Line(GeneratedCode);
            _w.Open("public static partial class " + ValidatorClass);
            if (_document.RootNode >= 0)
            {
                _w.Line("/// <summary>Validates a JSON payload against the document's " + (_document.RootTypeName != null ? "request schema (<see cref=\"" + _document.RootTypeName + "\"/>)" : "root schema") + ".</summary>");
                _w.Line("/// <param name=\"json\">The JSON value to check.</param>");
                _w.Line("/// <returns>Every violation, with its JSON path.</returns>");
                _w.Line("public static " + Result + " ValidateJson(" + Element + " json) => Run(json, " + Int(_document.RootNode) + ");");
                _w.Line();
            }

            _w.Open("internal static " + Result + " Run(" + Element + " json, int node)");
            _w.Line("var collector = new " + Collector + "();");
            _w.Line("Dispatch(json, \"$\", ref collector, node);");
            _w.Line("return collector.ToResult();");
            _w.Close();
            _w.Line();
            _w.Open("internal static bool Check(" + Element + " json, int node)");
            _w.Line("var silent = " + Collector + ".Silent();");
            _w.Line("return Dispatch(json, \"$\", ref silent, node);");
            _w.Close();
            _w.Line();
            _w.Open("private static bool Dispatch(" + Element + " e, string path, ref " + Collector + " c, int node)");
            _w.Open("switch (node)");
            foreach (SchemaNodeSpec node in _document.Nodes)
            {
                _w.Line("case " + Int(node.Id) + ": return Node" + Int(node.Id) + "(e, path, ref c);");
            }

            _w.Line("default: throw new global::System.ArgumentOutOfRangeException(nameof(node));");
            _w.Close();
            _w.Close();
            foreach (SchemaNodeSpec node in _document.Nodes)
            {
                _w.Line();
                EmitNode(node);
            }

            foreach (SchemaNodeSpec node in _document.Nodes)
            {
                if (node.HasEnum)
                {
                    _w.Line();
                    _w.Line("private static readonly " + Element + "[] s_enum" + Int(node.Id) + " = " + Rules + ".ParseValues(" + Literal("[" + string.Join(",", node.EnumJson) + "]") + ");");
                }

                if (node.ConstJson != null)
                {
                    _w.Line();
                    _w.Line("private static readonly " + Element + "[] s_const" + Int(node.Id) + " = " + Rules + ".ParseValues(" + Literal("[" + node.ConstJson + "]") + ");");
                }
            }

            for (int i = 0; i < _patternOrder.Count; i++)
            {
                _w.Line();
                _w.Line("internal static readonly global::System.Text.RegularExpressions.Regex Pattern" + Int(i) + " = new global::System.Text.RegularExpressions.Regex(" + Literal(Parsing.EcmaRegex.ToDotNet(_patternOrder[i])) + ", global::System.Text.RegularExpressions.RegexOptions.CultureInvariant, global::System.TimeSpan.FromSeconds(1));");
            }

            _w.Close();
        }

        private void NodeFail(string rule, string limit, string actual, string path = "path")
        {
            _w.Line("ok = false;");
            _w.Open("if (c.IsSilent)");
            _w.Line("return false;");
            _w.Close();
            _w.Line();
            _w.Line("c.Add(" + path + ", " + Literal(rule) + ", " + Literal(limit) + ", " + actual + ");");
        }

        private void NodeCheck(string condition, string rule, string limit, string actual, string path = "path")
        {
            _w.Open("if (" + condition + ")");
            NodeFail(rule, limit, actual, path);
            _w.Close();
        }

        private void Sub(string call)
        {
            _w.Open("if (!" + call + ")");
            _w.Line("ok = false;");
            _w.Open("if (c.IsSilent)");
            _w.Line("return false;");
            _w.Close();
            _w.Close();
        }

        private void EmitNode(SchemaNodeSpec node)
        {
            string id = Int(node.Id);
            _w.Line("// " + node.Pointer.Replace("\n", " ").Replace("\r", " "));
            _w.Open("internal static bool Node" + id + "(" + Element + " e, string path, ref " + Collector + " c)");
            if (node.BooleanSchema == true)
            {
                _w.Line("return true;");
                _w.Close();
                return;
            }

            if (node.BooleanSchema == false)
            {
                _w.Line("c.Add(path, \"false\", \"no value\", " + Rules + ".Format(e));");
                _w.Line("return false;");
                _w.Close();
                return;
            }

            _w.Line("bool ok = true;");
            if (node.Ref >= 0)
            {
                Sub("Node" + Int(node.Ref) + "(e, path, ref c)");
            }

            if (node.TypeMask != 0)
            {
                _w.Open("if (!" + Rules + ".HasType(e, " + Int(node.TypeMask) + "))");
                _w.Line("c.Add(path, \"type\", " + Literal(JsonTypes.Describe(node.TypeMask, "|")) + ", " + Rules + ".Format(e));");
                _w.Line("return false;");
                _w.Close();
            }

            if (node.HasEnum)
            {
                NodeCheck("!" + Rules + ".ContainsEqual(s_enum" + id + ", e)", "enum", Shorten("[" + string.Join(",", node.EnumJson) + "]"), Rules + ".Format(e)");
            }

            if (node.ConstJson != null)
            {
                NodeCheck("!" + Rules + ".ContainsEqual(s_const" + id + ", e)", "const", Shorten(node.ConstJson), Rules + ".Format(e)");
            }

            Constraints k = node.Constraints;
            if (k.Minimum.HasValue || k.Maximum.HasValue || k.ExclusiveMinimum.HasValue || k.ExclusiveMaximum.HasValue || k.MultipleOf.HasValue)
            {
                _w.Open("if (e.ValueKind == global::System.Text.Json.JsonValueKind.Number)");
                _w.Line("double d = e.GetDouble();");
                if (k.Minimum.HasValue)
                {
                    NodeCheck("d < " + Number(k.Minimum.Value), "minimum", Json(k.Minimum.Value), Rules + ".Format(e)");
                }

                if (k.Maximum.HasValue)
                {
                    NodeCheck("d > " + Number(k.Maximum.Value), "maximum", Json(k.Maximum.Value), Rules + ".Format(e)");
                }

                if (k.ExclusiveMinimum.HasValue)
                {
                    NodeCheck("d <= " + Number(k.ExclusiveMinimum.Value), "exclusiveMinimum", Json(k.ExclusiveMinimum.Value), Rules + ".Format(e)");
                }

                if (k.ExclusiveMaximum.HasValue)
                {
                    NodeCheck("d >= " + Number(k.ExclusiveMaximum.Value), "exclusiveMaximum", Json(k.ExclusiveMaximum.Value), Rules + ".Format(e)");
                }

                if (k.MultipleOf.HasValue)
                {
                    NodeCheck("!" + Rules + ".IsMultipleOf(d, " + Number(k.MultipleOf.Value) + ")", "multipleOf", Json(k.MultipleOf.Value), Rules + ".Format(e)");
                }

                _w.Close();
            }

            if (k.MinLength.HasValue || k.MaxLength.HasValue || k.Pattern != null)
            {
                _w.Open("if (e.ValueKind == global::System.Text.Json.JsonValueKind.String)");
                _w.Line("string s = e.GetString()!;");
                if (k.MinLength.HasValue)
                {
                    NodeCheck(Rules + ".CodePointLength(s) < " + Int(k.MinLength.Value), "minLength", Int(k.MinLength.Value), Rules + ".Format(s)");
                }

                if (k.MaxLength.HasValue)
                {
                    NodeCheck(Rules + ".CodePointLength(s) > " + Int(k.MaxLength.Value), "maxLength", Int(k.MaxLength.Value), Rules + ".Format(s)");
                }

                if (k.Pattern != null)
                {
                    NodeCheck("!Pattern" + Int(PatternField(k.Pattern)) + ".IsMatch(s)", "pattern", k.Pattern, Rules + ".Format(s)");
                }

                _w.Close();
            }

            if (k.MinItems.HasValue || k.MaxItems.HasValue || k.UniqueItems || node.Items >= 0)
            {
                _w.Open("if (e.ValueKind == global::System.Text.Json.JsonValueKind.Array)");
                if (k.MinItems.HasValue)
                {
                    NodeCheck("e.GetArrayLength() < " + Int(k.MinItems.Value), "minItems", Int(k.MinItems.Value), Rules + ".Count(e.GetArrayLength(), \"items\")");
                }

                if (k.MaxItems.HasValue)
                {
                    NodeCheck("e.GetArrayLength() > " + Int(k.MaxItems.Value), "maxItems", Int(k.MaxItems.Value), Rules + ".Count(e.GetArrayLength(), \"items\")");
                }

                if (k.UniqueItems)
                {
                    NodeCheck("!" + Rules + ".HasUniqueItems(e)", "uniqueItems", "true", "\"repeated items\"");
                }

                if (node.Items >= 0)
                {
                    _w.Line("int index = 0;");
                    _w.Open("foreach (" + Element + " item in e.EnumerateArray())");
                    Sub("Node" + Int(node.Items) + "(item, " + Rules + ".Index(path, index), ref c)");
                    _w.Line("index++;");
                    _w.Close();
                }

                _w.Close();
            }

            if (node.Required.Count > 0 || node.Properties.Count > 0 || node.AdditionalProperties != -1)
            {
                _w.Open("if (e.ValueKind == global::System.Text.Json.JsonValueKind.Object)");
                foreach (string name in node.Required)
                {
                    NodeCheck("!e.TryGetProperty(" + Literal(name) + ", out _)", "required", name, "\"missing\"", Rules + ".Member(path, " + Literal(name) + ")");
                }

                for (int i = 0; i < node.Properties.Count; i++)
                {
                    NodeProperty property = node.Properties[i];
                    _w.Open("if (e.TryGetProperty(" + Literal(property.Name) + ", out " + Element + " p" + Int(i) + "))");
                    Sub("Node" + Int(property.Node) + "(p" + Int(i) + ", " + Rules + ".Member(path, " + Literal(property.Name) + "), ref c)");
                    _w.Close();
                }

                if (node.AdditionalProperties != -1)
                {
                    _w.Open("foreach (global::System.Text.Json.JsonProperty extra in e.EnumerateObject())");
                    if (node.Properties.Count > 0)
                    {
                        string known = string.Join(" || ", node.Properties.Select(p => "extra.NameEquals(" + Literal(p.Name) + ")"));
                        _w.Open("if (" + known + ")");
                        _w.Line("continue;");
                        _w.Close();
                        _w.Line();
                    }

                    if (node.AdditionalProperties == -2)
                    {
                        NodeFail("additionalProperties", "false", "\"present\"", Rules + ".Member(path, extra.Name)");
                    }
                    else
                    {
                        Sub("Node" + Int(node.AdditionalProperties) + "(extra.Value, " + Rules + ".Member(path, extra.Name), ref c)");
                    }

                    _w.Close();
                }

                _w.Close();
            }

            foreach (int part in node.AllOf)
            {
                Sub("Node" + Int(part) + "(e, path, ref c)");
            }

            if (node.AnyOf.Count > 0)
            {
                _w.Open("");
                _w.Line("var silent = " + Collector + ".Silent();");
                _w.Line("bool any = " + string.Join(" || ", node.AnyOf.Select(b => "Node" + Int(b) + "(e, path, ref silent)")) + ";");
                _w.Open("if (!any)");
                _w.Line("ok = false;");
                _w.Open("if (c.IsSilent)");
                _w.Line("return false;");
                _w.Close();
                _w.Line();

                // When only one branch takes values of this JSON type, its own violations say more than "anyOf".
                var typed = node.AnyOf.Select(b => (Branch: b, Mask: EffectiveMask(b))).ToArray();
                if (typed.All(t => t.Mask != 0))
                {
                    _w.Line("int fitting = " + string.Join(" + ", typed.Select(t => "(" + Rules + ".HasType(e, " + Int(t.Mask) + ") ? 1 : 0)")) + ";");
                    bool first = true;
                    foreach (var t in typed)
                    {
                        _w.Open((first ? "if" : "else if") + " (fitting == 1 && " + Rules + ".HasType(e, " + Int(t.Mask) + "))");
                        _w.Line("Node" + Int(t.Branch) + "(e, path, ref c);");
                        _w.Close();
                        first = false;
                    }

                    _w.Open("else");
                    _w.Line("c.Add(path, \"anyOf\", " + Literal(Int(node.AnyOf.Count) + " schemas") + ", " + Rules + ".Format(e));");
                    _w.Close();
                }
                else
                {
                    _w.Line("c.Add(path, \"anyOf\", " + Literal(Int(node.AnyOf.Count) + " schemas") + ", " + Rules + ".Format(e));");
                }

                _w.Close();
                _w.Close();
            }

            if (node.OneOf.Count > 0)
            {
                _w.Open("");
                _w.Line("var silent = " + Collector + ".Silent();");
                _w.Line("int matches = 0;");
                foreach (int branch in node.OneOf)
                {
                    _w.Line("matches += Node" + Int(branch) + "(e, path, ref silent) ? 1 : 0;");
                }

                NodeCheck("matches != 1", "oneOf", "exactly 1 of " + Int(node.OneOf.Count) + " schemas", Rules + ".Count(matches, \"matches\")");
                _w.Close();
            }

            if (node.Not >= 0)
            {
                _w.Open("");
                _w.Line("var silent = " + Collector + ".Silent();");
                NodeCheck("Node" + Int(node.Not) + "(e, path, ref silent)", "not", "the schema under 'not'", Rules + ".Format(e)");
                _w.Close();
            }

            _w.Line("return ok;");
            _w.Close();
        }

        /// <summary>The JSON types a node accepts, following $ref; 0 when it does not say.</summary>
        private int EffectiveMask(int id)
        {
            for (int hops = 0; hops < 16 && id >= 0 && id < _document.Nodes.Count; hops++)
            {
                SchemaNodeSpec node = _document.Nodes[id];
                if (node.TypeMask != 0)
                {
                    return node.TypeMask;
                }

                id = node.Ref;
            }

            return 0;
        }

    }
}

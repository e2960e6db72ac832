using System.Collections.Generic;
using System.Linq;
using SchemaClients.Generator.Model;
using static SchemaClients.Generator.Emitting.Names;
using static SchemaClients.Generator.Model.GeneratedNames;

namespace SchemaClients.Generator.Emitting
{
    /// <summary>
    /// The reflection-free JSON converters of a document's types, on the runtime's <c>SchemaConverter</c> bases:
    /// enums and open enums are a table of wire values, records read and write one line per property.
    /// </summary>
    internal sealed class ConvertersEmitter
    {
        private const string Base = "global::SchemaClients.Serialization.";

        private readonly EmitContext _context;
        private readonly SourceWriter _w = new SourceWriter();

        private ConvertersEmitter(EmitContext context) => _context = context;

        public static string Emit(EmitContext context)
        {
            var emitter = new ConvertersEmitter(context);
            emitter.EmitAll();
            return emitter._w.ToString();
        }

        private void EmitAll()
        {
            _w.Block(_context.Header("JSON converters"));
            _w.Line();
            _w.Line("/// <summary>Reflection-free JSON converters for the types of this document.</summary>");
            _w.Line(GeneratedCode);
            _w.Open("internal static class " + ConverterClass);
            bool first = true;
            foreach (TypeSpec type in _context.Document.Types)
            {
                if (!first)
                {
                    _w.Line();
                }

                first = false;
                switch (type.Kind)
                {
                    case TypeSpecKind.Record: EmitRecord(type); break;
                    case TypeSpecKind.Enum: EmitEnum(type); break;
                    case TypeSpecKind.OpenEnum: EmitOpenEnum(type); break;
                    case TypeSpecKind.Union: EmitUnion(type); break;
                }
            }

            _w.Close();
        }

        private string Instance(string typeName) => typeName == ImageConverterType ? ImageConverter : _context.ConverterName(typeName) + ".Instance";

        private const string ImageConverterType = Parsing.TypeUsages.ImageInputType;
        private const string ImageConverter = "global::SchemaClients.Serialization.PrimitiveConverters.Image";

        private void Begin(TypeSpec type, string baseType)
        {
            string name = _context.ConverterName(type.Name);
            _w.Open("internal sealed class " + name + " : " + baseType);
            _w.Line("internal static readonly " + name + " Instance = new();");
            _w.Line();
        }

        private void EmitEnum(TypeSpec type)
        {
            string n = type.Name;
            Begin(type, Base + "EnumConverter<" + n + ">");
            string values = string.Join(", ", type.Members.Select(m => "(" + Literal(m.WireValue) + ", " + n + "." + m.CsName + ")"));
            _w.Line("public " + _context.ConverterName(n) + "() : base(new " + Base + "EnumValues<" + n + ">(" + values + ")) { }");
            _w.Close();
        }

        private void EmitOpenEnum(TypeSpec type)
        {
            string n = type.Name;
            Begin(type, Base + "OpenEnumConverter<" + n + ">");
            _w.Line("public " + _context.ConverterName(n) + "() : base(static value => new " + n + "(value), static value => value.Value) { }");
            _w.Close();
        }

        private void EmitUnion(TypeSpec type)
        {
            string n = type.Name;
            Begin(type, Base + "SchemaConverter<" + n + ">");
            _w.Open("public override " + n + " ReadValue(ref " + Reader + " reader) => reader.TokenType switch");
            foreach (UnionBranchSpec branch in type.Branches)
            {
                _w.Line(string.Join(" or ", Tokens(branch.Type).Select(t => TokenType + "." + t)) + " => new " + n + "(" + ReadExpression(branch.Type, "reader", 0) + "),");
            }

            _w.Line("_ => throw Unexpected(ref reader, " + Literal("one of the shapes of " + n) + "),");
            _w.Close(";");
            _w.Line();
            _w.Open("public override void WriteValue(" + Writer + " writer, " + n + " value)");
            for (int i = 0; i < type.Branches.Count; i++)
            {
                UnionBranchSpec branch = type.Branches[i];
                _w.Line((i == 0 ? "if" : "else if") + " (value.Is" + branch.MemberName + ") " + WriteStatement(branch.Type, "writer", "value.As" + branch.MemberName, 0));
            }

            _w.Close();
            _w.Close();
        }

        private static IEnumerable<string> Tokens(TypeRef type)
        {
            switch (type.Kind)
            {
                case ValueKind.String:
                case ValueKind.Enum:
                case ValueKind.OpenEnum:
                case ValueKind.Image:
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

        private void EmitRecord(TypeSpec type)
        {
            string n = type.Name;
            bool liberal = type.IsAnswer;
            bool keeps = _context.KeepsUnknownMembers(type);
            Begin(type, Base + "SchemaConverter<" + n + ">");
            _w.Open("public override " + n + " ReadValue(ref " + Reader + " reader)");
            _w.Line("ExpectObject(ref reader, " + Literal(n) + ");");
            for (int i = 0; i < type.Properties.Count; i++)
            {
                PropertySpec p = type.Properties[i];
                string has = p.Required && !liberal ? " bool has" + Int(i) + " = false;" : string.Empty;
                _w.Line(p.Type.Name + "? p" + Int(i) + " = default;" + has);
            }

            if (keeps)
            {
                _w.Line("global::System.Collections.Generic.Dictionary<string, " + Element + ">? extra = null;");
            }

            _w.Open("while (NextProperty(ref reader))");
            for (int i = 0; i < type.Properties.Count; i++)
            {
                PropertySpec p = type.Properties[i];
                bool nullable = liberal || !(p.Required && !p.Nullable);
                string assign = p.Type.Kind is ValueKind.List or ValueKind.Map && !nullable
                    ? "Next(ref reader); p" + Int(i) + " = " + ReadExpression(p.Type, "reader", 0) + ";"
                    : "p" + Int(i) + " = " + NextRead(p.Type, nullable) + ";";
                string has = p.Required && !liberal ? " has" + Int(i) + " = true;" : string.Empty;
                _w.Line((i == 0 ? "if" : "else if") + " (reader.ValueTextEquals(" + Utf8Literal(p.JsonName) + ")) " + (has.Length > 0 || assign.StartsWith("Next(", System.StringComparison.Ordinal) ? "{ " + assign + has + " }" : assign));
            }

            string other = keeps ? "KeepValue(ref reader, ref extra);" : "SkipValue(ref reader);";
            _w.Line(type.Properties.Count > 0 ? "else " + other : other);
            _w.Close();
            for (int i = 0; i < type.Properties.Count; i++)
            {
                PropertySpec p = type.Properties[i];
                if (p.Required && !liberal)
                {
                    _w.Line("if (!has" + Int(i) + ") throw MissingRequired(" + Literal(n) + ", " + Literal(p.JsonName) + ");");
                }
            }

            _w.Open("return new " + n);
            for (int i = 0; i < type.Properties.Count; i++)
            {
                PropertySpec p = type.Properties[i];
                bool nonNullable = TypesEmitter.NeverNull(type, p);
                _w.Line(p.CsName + " = p" + Int(i) + (nonNullable ? (p.Type.IsValueType ? ".GetValueOrDefault()" : "!") : string.Empty) + ",");
            }

            if (keeps)
            {
                _w.Line(TypesEmitter.ExtensionMember(type) + " = extra,");
            }

            _w.Close(";");
            _w.Close();
            _w.Line();
            _w.Open("public override void WriteValue(" + Writer + " writer, " + n + " value)");
            _w.Line("writer.WriteStartObject();");
            for (int i = 0; i < type.Properties.Count; i++)
            {
                PropertySpec p = type.Properties[i];
                string name = Utf8Literal(p.JsonName);
                if (TypesEmitter.NeverNull(type, p))
                {
                    _w.Line(WriteMember(p.Type, name, "value." + p.CsName));
                    continue;
                }

                string w = "w" + Int(i);
                string present = "if (value." + p.CsName + " is { } " + w + ") " + WriteMember(p.Type, name, w);

                // Required and nullable: null is a value the schema allows, so it is written. A required member an answer
                // left out is left out again rather than written as a null the schema forbids.
                _w.Line(p.Required && p.Nullable ? present + (name.EndsWith("u8", System.StringComparison.Ordinal) ? " else WriteNullMember(writer, " : " else writer.WriteNull(") + name + ");" : present);
            }

            if (keeps)
            {
                _w.Line("WriteKept(writer, value." + TypesEmitter.ExtensionMember(type) + ");");
            }

            _w.Line("writer.WriteEndObject();");
            _w.Close();
            _w.Close();
        }

        /// <summary>Moves to a property's value and reads it: one helper call for every kind but lists and maps.</summary>
        private string NextRead(TypeRef type, bool nullable)
        {
            switch (type.Kind)
            {
                case ValueKind.String: return nullable ? "NextStringOrNull(ref reader)" : "NextString(ref reader)";
                case ValueKind.Int32: return nullable ? "NextInt32OrNull(ref reader)" : "NextInt32(ref reader)";
                case ValueKind.Int64: return nullable ? "NextInt64OrNull(ref reader)" : "NextInt64(ref reader)";
                case ValueKind.Double: return nullable ? "NextDoubleOrNull(ref reader)" : "NextDouble(ref reader)";
                case ValueKind.Boolean: return nullable ? "NextBooleanOrNull(ref reader)" : "NextBoolean(ref reader)";
                case ValueKind.Json: return nullable ? "NextElementOrNull(ref reader)" : "NextElement(ref reader)";
                case ValueKind.Record:
                case ValueKind.Union:
                case ValueKind.Image:
                    return (nullable ? "NextObjectOrNull(ref reader, " : "NextValue(ref reader, ") + Instance(type.Name) + ")";
                case ValueKind.Enum:
                case ValueKind.OpenEnum:
                    return (nullable ? "NextValueOrNull(ref reader, " : "NextValue(ref reader, ") + Instance(type.Name) + ")";
                default:
                    return "NextIsNull(ref reader) ? default(" + type.Name + "?) : " + ReadExpression(type, "reader", 0);
            }
        }

        /// <summary>Writes one member: its name and value, in one call with a single signature where a helper has one.</summary>
        private string WriteMember(TypeRef type, string name, string value)
        {
            bool utf8 = name.EndsWith("u8", System.StringComparison.Ordinal); // names a UTF-8 literal cannot hold go through the writer's string overloads
            switch (type.Kind)
            {
                case ValueKind.String: return utf8 ? "WriteText(writer, " + name + ", " + value + ");" : "writer.WriteString(" + name + ", " + value + ");";
                case ValueKind.Int32:
                case ValueKind.Int64: return utf8 ? "WriteInteger(writer, " + name + ", " + value + ");" : "writer.WriteNumber(" + name + ", " + value + ");";
                case ValueKind.Double: return utf8 ? "WriteDouble(writer, " + name + ", " + value + ");" : "writer.WriteNumber(" + name + ", " + value + ");";
                case ValueKind.Boolean: return utf8 ? "WriteBool(writer, " + name + ", " + value + ");" : "writer.WriteBoolean(" + name + ", " + value + ");";
                case ValueKind.Record:
                case ValueKind.Union:
                case ValueKind.Enum:
                case ValueKind.OpenEnum:
                case ValueKind.Image:
                    if (utf8)
                    {
                        return "WriteMember(writer, " + name + ", " + value + ", " + Instance(type.Name) + ");";
                    }

                    break;
                case ValueKind.Json:
                    if (utf8)
                    {
                        return "WriteJson(writer, " + name + ", " + value + ");";
                    }

                    break;
                case ValueKind.List:
                case ValueKind.Map:
                    string? items = ItemConverter(type);
                    if (utf8 && items != null)
                    {
                        return (type.Kind == ValueKind.List ? "WriteListMember(writer, " : "WriteMapMember(writer, ") + name + ", " + value + ", " + items + ");";
                    }

                    break;
            }

            return "{ writer.WritePropertyName(" + name + "); " + WriteStatement(type, "writer", value, 0) + " }";
        }

        /// <summary>
        /// The converter of a list's items or a map's values when one reads and writes them all (items that are not
        /// null and not lists themselves); null otherwise, and the items get a reader and writer of their own.
        /// </summary>
        private string? ItemConverter(TypeRef type)
        {
            if (type.ElementNullable || type.Element == null)
            {
                return null;
            }

            const string Primitives = "global::SchemaClients.Serialization.PrimitiveConverters.";
            switch (type.Element.Kind)
            {
                case ValueKind.String: return Primitives + "String";
                case ValueKind.Int32: return Primitives + "Int32";
                case ValueKind.Int64: return Primitives + "Int64";
                case ValueKind.Double: return Primitives + "Double";
                case ValueKind.Boolean: return Primitives + "Boolean";
                case ValueKind.Json: return Primitives + "Element";
                case ValueKind.Image: return ImageConverter;
                case ValueKind.Record:
                case ValueKind.Union:
                case ValueKind.Enum:
                case ValueKind.OpenEnum:
                    return Instance(type.Element.Name);
                default:
                    return null;
            }
        }

        private string ReadExpression(TypeRef type, string reader, int depth)
        {
            switch (type.Kind)
            {
                case ValueKind.String: return "ReadString(ref " + reader + ")";
                case ValueKind.Int32: return "ReadInt32(ref " + reader + ")";
                case ValueKind.Int64: return "ReadInt64(ref " + reader + ")";
                case ValueKind.Double: return "ReadDouble(ref " + reader + ")";
                case ValueKind.Boolean: return "ReadBoolean(ref " + reader + ")";
                case ValueKind.Json: return "ReadElement(ref " + reader + ")";
                case ValueKind.List:
                case ValueKind.Map:
                    if (ItemConverter(type) is string items)
                    {
                        return (type.Kind == ValueKind.List ? "ReadList(ref " : "ReadMap(ref ") + reader + ", " + items + ")";
                    }

                    string r = "r" + Int(depth + 1);
                    string element = type.Element!.Name + (type.ElementNullable ? "?" : string.Empty);
                    string inner = (type.ElementNullable ? r + ".TokenType == " + TokenType + ".Null ? default(" + element + ") : " : string.Empty) + ReadExpression(type.Element!, r, depth + 1);
                    return (type.Kind == ValueKind.List ? "ReadListWith<" : "ReadMapWith<") + element + ">(ref " + reader + ", static (ref " + Reader + " " + r + ") => " + inner + ")";
                default:
                    return Instance(type.Name) + ".ReadValue(ref " + reader + ")";
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
                    if (ItemConverter(type) is string items)
                    {
                        return (type.Kind == ValueKind.List ? "WriteList(" : "WriteMap(") + writer + ", " + value + ", " + items + ");";
                    }

                    string w = "w" + Int(depth + 1);
                    string v = "v" + Int(depth + 1);
                    string body = type.ElementNullable
                        ? "{ if (" + v + " is { } x" + Int(depth + 1) + ") { " + WriteStatement(type.Element!, w, "x" + Int(depth + 1), depth + 1) + " } else { " + w + ".WriteNullValue(); } }"
                        : "{ " + WriteStatement(type.Element!, w, v, depth + 1) + " }";
                    return (type.Kind == ValueKind.List ? "WriteListWith(" : "WriteMapWith(") + writer + ", " + value + ", static (" + w + ", " + v + ") => " + body + ");";
                default:
                    return Instance(type.Name) + ".WriteValue(" + writer + ", " + value + ");";
            }
        }
    }
}

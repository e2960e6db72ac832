using SchemaClients.Generator.Model;
using static SchemaClients.Generator.Emitting.Names;

namespace SchemaClients.Generator.Emitting
{
    internal sealed partial class DocumentEmitter
    {
        private void EmitEnum(TypeSpec type)
        {
            Summary(type.Summary, "The values of " + type.Name + ".");
            _w.Line("/// <remarks>Written and read as the exact wire values shown on each member.</remarks>");
            _w.Line("[global::System.Text.Json.Serialization.JsonConverter(typeof(" + Converter(type.Name) + "))]");
            _w.Line(GeneratedCode);
            _w.Open("public enum " + type.Name);
            for (int i = 0; i < type.Members.Count; i++)
            {
                EnumMemberSpec member = type.Members[i];
                if (i > 0)
                {
                    _w.Line();
                }

                _w.Line("/// <summary>The wire value <c>" + Xml(member.WireValue) + "</c>.</summary>");
                _w.Line("[global::System.Runtime.Serialization.EnumMember(Value = " + Literal(member.WireValue) + ")]");
                _w.Line(member.CsName + ",");
            }

            _w.Close();
        }

        private void EmitOpenEnum(TypeSpec type)
        {
            string n = type.Name;
            Summary(type.Summary, type.KnownOnly ? "The values of " + n + "." : "A value of " + n + ": one of the known values or any other string.");
            _w.Line(type.KnownOnly
                ? "/// <remarks>The schema allows only the values listed as static properties. This type is read from answers, so a value the provider adds later is kept as sent (<see cref=\"IsKnown\"/> is false, and validation reports it) instead of failing the whole answer.</remarks>"
                : "/// <remarks>An open set: the known values are listed as static properties; any other string is accepted too.</remarks>");
            _w.Line("[global::System.Text.Json.Serialization.JsonConverter(typeof(" + Converter(n) + "))]");
            _w.Line(GeneratedCode);
            _w.Open("public readonly partial struct " + n + " : global::System.IEquatable<" + n + ">");
            _w.Line("private readonly string? _value;");
            _w.Line();
            _w.Line("/// <summary>Creates a value from its wire text.</summary>");
            _w.Line("/// <param name=\"value\">The exact wire value.</param>");
            _w.Open("public " + n + "(string value)");
            _w.Line("_value = value ?? throw new global::System.ArgumentNullException(nameof(value));");
            _w.Close();
            _w.Line();
            _w.Line("/// <summary>The exact wire value.</summary>");
            _w.Line("public string Value => _value ?? string.Empty;");
            _w.Line();
            foreach (EnumMemberSpec member in type.Members)
            {
                _w.Line("/// <summary>The known value <c>" + Xml(member.WireValue) + "</c>.</summary>");
                _w.Line("public static " + n + " " + member.CsName + " { get; } = new " + n + "(" + Literal(member.WireValue) + ");");
                _w.Line();
            }

            _w.Line("/// <summary>Every value the schema names.</summary>");
            _w.Open("public static global::System.Collections.Generic.IReadOnlyList<" + n + "> KnownValues { get; } = new " + n + "[]");
            foreach (EnumMemberSpec member in type.Members)
            {
                _w.Line(member.CsName + ",");
            }

            _w.Close(";");
            _w.Line();
            _w.Line("/// <summary>Whether the value is one the schema names.</summary>");
            _w.Open("public bool IsKnown");
            _w.Open("get");
            _w.Open("foreach (" + n + " known in KnownValues)");
            _w.Open("if (known.Equals(this))");
            _w.Line("return true;");
            _w.Close();
            _w.Close();
            _w.Line();
            _w.Line("return false;");
            _w.Close();
            _w.Close();
            _w.Line();
            _w.Line("/// <summary>Converts wire text to a value.</summary>");
            _w.Line("/// <param name=\"value\">The exact wire value.</param>");
            _w.Line("public static implicit operator " + n + "(string value) => new " + n + "(value);");
            _w.Line();
            _w.Line("/// <summary>Compares two values by their wire text.</summary>");
            _w.Line("/// <param name=\"left\">The first value.</param>");
            _w.Line("/// <param name=\"right\">The second value.</param>");
            _w.Line("public static bool operator ==(" + n + " left, " + n + " right) => left.Equals(right);");
            _w.Line();
            _w.Line("/// <summary>Compares two values by their wire text.</summary>");
            _w.Line("/// <param name=\"left\">The first value.</param>");
            _w.Line("/// <param name=\"right\">The second value.</param>");
            _w.Line("public static bool operator !=(" + n + " left, " + n + " right) => !left.Equals(right);");
            _w.Line();
            _w.Line("/// <inheritdoc />");
            _w.Line("public bool Equals(" + n + " other) => string.Equals(Value, other.Value, global::System.StringComparison.Ordinal);");
            _w.Line();
            _w.Line("/// <inheritdoc />");
            _w.Line("public override bool Equals(object? obj) => obj is " + n + " other && Equals(other);");
            _w.Line();
            _w.Line("/// <inheritdoc />");
            _w.Line("public override int GetHashCode() => global::System.StringComparer.Ordinal.GetHashCode(Value);");
            _w.Line();
            _w.Line("/// <inheritdoc />");
            _w.Line("public override string ToString() => Value;");
            _w.Close();
        }

        private void EmitUnion(TypeSpec type)
        {
            string n = type.Name;
            Summary(type.Summary, "One of several shapes of the same value.");
            _w.Line("/// <remarks>A union: create it from any branch (implicit conversions exist for class, enum and primitive branches) and read it with the Is/As members.</remarks>");
            _w.Line("[global::System.Text.Json.Serialization.JsonConverter(typeof(" + Converter(n) + "))]");
            _w.Line(GeneratedCode);
            _w.Open("public sealed partial class " + n + " : global::System.IEquatable<" + n + ">");
            _w.Line("private readonly object _value;");
            _w.Line("private readonly int _branch;");
            _w.Line();
            for (int i = 0; i < type.Branches.Count; i++)
            {
                UnionBranchSpec branch = type.Branches[i];
                _w.Line("/// <summary>Creates the union from the " + Xml(branch.MemberName) + " branch.</summary>");
                _w.Line("/// <param name=\"value\">The branch value.</param>");
                _w.Open("public " + n + "(" + branch.Type.Name + " value)");
                _w.Line("_value = value" + (branch.Type.IsValueType ? string.Empty : " ?? throw new global::System.ArgumentNullException(nameof(value))") + ";");
                _w.Line("_branch = " + Int(i) + ";");
                _w.Close();
                _w.Line();
            }

            _w.Line("/// <summary>The value of whichever branch is set.</summary>");
            _w.Line("public object Value => _value;");
            _w.Line();
            for (int i = 0; i < type.Branches.Count; i++)
            {
                UnionBranchSpec branch = type.Branches[i];
                string m = branch.MemberName;
                _w.Line("/// <summary>Whether the " + Xml(m) + " branch is set.</summary>");
                _w.Line("public bool Is" + m + " => _branch == " + Int(i) + ";");
                _w.Line();
                _w.Line("/// <summary>The " + Xml(m) + " branch; throws when another branch is set.</summary>");
                _w.Line("public " + branch.Type.Name + " As" + m + " => _branch == " + Int(i) + " ? (" + branch.Type.Name + ")_value : throw new global::System.InvalidOperationException(\"" + n + " holds another branch than " + m + ".\");");
                _w.Line();
                if (branch.Type.Kind != ValueKind.List && branch.Type.Kind != ValueKind.Map)
                {
                    _w.Line("/// <summary>Creates the union from the " + Xml(m) + " branch.</summary>");
                    _w.Line("/// <param name=\"value\">The branch value.</param>");
                    _w.Line("public static implicit operator " + n + "(" + branch.Type.Name + " value) => new " + n + "(value);");
                    _w.Line();
                }
            }

            _w.Line("/// <summary>Whether the set branch keeps every rule of its schema. Allocates nothing.</summary>");
            _w.Line("/// <returns><see langword=\"true\"/> when valid.</returns>");
            _w.Open("public bool IsValid()");
            EmitBranchChecks(type, collect: false);
            _w.Line("return true;");
            _w.Close();
            _w.Line();
            _w.Open("internal void ValidateInto(ref " + Collector + " collector, string path)");
            EmitBranchChecks(type, collect: true);
            _w.Close();
            _w.Line();
            _w.Line("/// <inheritdoc />");
            _w.Line("public bool Equals(" + n + "? other) => other is not null && _branch == other._branch && _value.Equals(other._value);");
            _w.Line();
            _w.Line("/// <inheritdoc />");
            _w.Line("public override bool Equals(object? obj) => Equals(obj as " + n + ");");
            _w.Line();
            _w.Line("/// <inheritdoc />");
            _w.Line("public override int GetHashCode() => _value.GetHashCode();");
            _w.Line();
            _w.Line("/// <inheritdoc />");
            _w.Line("public override string? ToString() => _value.ToString();");
            _w.Close();
        }

        private void EmitBranchChecks(TypeSpec type, bool collect)
        {
            for (int i = 0; i < type.Branches.Count; i++)
            {
                UnionBranchSpec branch = type.Branches[i];
                if (!HasChecks(branch.Type))
                {
                    continue;
                }

                _w.Open("if (_branch == " + Int(i) + ")");
                _w.Line("var b" + Int(i) + " = (" + branch.Type.Name + ")_value;");
                EmitValueChecks(branch.Type, "b" + Int(i), "path", collect, 0);
                _w.Close();
            }
        }
    }
}

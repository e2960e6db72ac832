using System;
using System.Collections.Generic;
using SchemaClients.Generator.Model;

namespace SchemaClients.Generator.Parsing
{
    /// <summary>
    /// Which declared types a document sends and which it reads from answers, found by walking from the
    /// operations' bodies through properties, list items and union branches. Types read from answers are generated
    /// to read liberally; a closed enum among them becomes an open enum that still only allows its known values, so a
    /// new value from the provider is kept instead of failing the whole answer.
    /// </summary>
    internal sealed class TypeUsages
    {
        private readonly List<TypeRef> _requests = new List<TypeRef>();
        private readonly List<TypeRef> _answers = new List<TypeRef>();

        /// <summary>A type that is sent (a request body).</summary>
        public void Request(TypeRef type) => _requests.Add(type);

        /// <summary>A type that is read from an answer.</summary>
        public void Answer(TypeRef type) => _answers.Add(type);

        /// <summary>The types with their usage set; enums read from answers become known-only open enums, and every reference to them follows.</summary>
        public List<TypeSpec> Apply(IReadOnlyList<TypeSpec> types)
        {
            var byName = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int i = 0; i < types.Count; i++)
            {
                byName[types[i].Name] = i;
            }

            var usage = new TypeUsage[types.Count];
            Mark(_requests, TypeUsage.Request, types, byName, usage);
            Mark(_answers, TypeUsage.Answer, types, byName, usage);

            var opened = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < types.Count; i++)
            {
                if (types[i].Kind == TypeSpecKind.Enum && (usage[i] & TypeUsage.Answer) != 0)
                {
                    opened.Add(types[i].Name);
                }
            }

            var result = new List<TypeSpec>(types.Count);
            for (int i = 0; i < types.Count; i++)
            {
                TypeSpec type = types[i] with { Usage = usage[i] };
                if (opened.Contains(type.Name))
                {
                    type = type with { Kind = TypeSpecKind.OpenEnum, KnownOnly = true };
                }

                if (opened.Count > 0)
                {
                    type = Reopen(type, opened);
                }

                result.Add(type);
            }

            return result;
        }

        private static void Mark(List<TypeRef> roots, TypeUsage flag, IReadOnlyList<TypeSpec> types, Dictionary<string, int> byName, TypeUsage[] usage)
        {
            // An explicit stack: nesting in a hostile document must not deepen the generator's own stack.
            var pending = new Stack<TypeRef>(roots);
            while (pending.Count > 0)
            {
                TypeRef type = pending.Pop();
                if (type.Element != null)
                {
                    pending.Push(type.Element);
                }

                if (!byName.TryGetValue(type.Name, out int index) || (usage[index] & flag) != 0)
                {
                    continue;
                }

                usage[index] |= flag;
                foreach (PropertySpec property in types[index].Properties)
                {
                    pending.Push(property.Type);
                }

                foreach (UnionBranchSpec branch in types[index].Branches)
                {
                    pending.Push(branch.Type);
                }
            }
        }

        private static TypeSpec Reopen(TypeSpec type, HashSet<string> opened)
        {
            if (type.Properties.Count > 0)
            {
                var properties = new PropertySpec[type.Properties.Count];
                for (int i = 0; i < properties.Length; i++)
                {
                    properties[i] = type.Properties[i] with { Type = Reopen(type.Properties[i].Type, opened) };
                }

                type = type with { Properties = new EquatableArray<PropertySpec>(properties) };
            }

            if (type.Branches.Count > 0)
            {
                var branches = new UnionBranchSpec[type.Branches.Count];
                for (int i = 0; i < branches.Length; i++)
                {
                    branches[i] = type.Branches[i] with { Type = Reopen(type.Branches[i].Type, opened) };
                }

                type = type with { Branches = new EquatableArray<UnionBranchSpec>(branches) };
            }

            return type;
        }

        private static TypeRef Reopen(TypeRef type, HashSet<string> opened)
        {
            TypeRef? element = type.Element != null ? Reopen(type.Element, opened) : null;
            ValueKind kind = type.Kind == ValueKind.Enum && opened.Contains(type.Name) ? ValueKind.OpenEnum : type.Kind;
            return kind == type.Kind && ReferenceEquals(element, type.Element) ? type : type with { Kind = kind, Element = element };
        }
    }
}

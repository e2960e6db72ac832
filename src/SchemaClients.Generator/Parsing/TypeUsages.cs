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

                if (type.IsSent && !type.IsAnswer)
                {
                    type = WithImageInputs(type);
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

        /// <summary>The C# type of image inputs in requests.</summary>
        public const string ImageInputType = "global::SchemaClients.Files.ImageInput";

        /// <summary>
        /// A sent record's image inputs become <c>ImageInput</c>: a property named for an image and ending in image, images, url
        /// or urls (<c>input_image</c>, <c>image_urls</c>, <c>input_images</c>, <c>mask_image_url</c>) whose schema is a plain
        /// string or an array of plain strings (no enum). Types read from answers keep strings, so answers read as before.
        /// </summary>
        private static TypeSpec WithImageInputs(TypeSpec type)
        {
            if (type.Kind != TypeSpecKind.Record || type.Properties.Count == 0)
            {
                return type;
            }

            PropertySpec[]? changed = null;
            for (int i = 0; i < type.Properties.Count; i++)
            {
                PropertySpec property = type.Properties[i];
                TypeRef? image = IsImageName(property.JsonName) ? AsImage(property.Type) : null;
                if (image != null)
                {
                    changed ??= ToArray(type.Properties);
                    changed[i] = property with { Type = image };
                }
            }

            return changed == null ? type : type with { Properties = new EquatableArray<PropertySpec>(changed) };
        }

        private static PropertySpec[] ToArray(EquatableArray<PropertySpec> properties)
        {
            var array = new PropertySpec[properties.Count];
            for (int i = 0; i < array.Length; i++)
            {
                array[i] = properties[i];
            }

            return array;
        }

        private static TypeRef? AsImage(TypeRef type)
        {
            if (IsPlainString(type))
            {
                return type with { Kind = ValueKind.Image, Name = ImageInputType };
            }

            if (type.Kind == ValueKind.List && type.Element != null && !type.ElementNullable && IsPlainString(type.Element))
            {
                return type with
                {
                    Name = "global::System.Collections.Generic.IReadOnlyList<" + ImageInputType + ">",
                    Element = type.Element with { Kind = ValueKind.Image, Name = ImageInputType },
                };
            }

            return null;
        }

        private static bool IsPlainString(TypeRef type)
            => type.Kind == ValueKind.String && type.Constraints.AllowedJson.Count == 0;

        /// <summary>Whether a JSON name names an image input: a word <c>image</c>/<c>images</c>, and the last word one of image, images, url, urls.</summary>
        internal static bool IsImageName(string name)
        {
            var words = new List<string>();
            var word = new System.Text.StringBuilder();
            for (int i = 0; i < name.Length && i < 128; i++)
            {
                char c = name[i];
                bool boundary = !char.IsLetterOrDigit(c) || (char.IsUpper(c) && i > 0 && char.IsLower(name[i - 1]));
                if (boundary && word.Length > 0)
                {
                    words.Add(word.ToString());
                    word.Clear();
                }

                if (char.IsLetterOrDigit(c))
                {
                    word.Append(char.ToLowerInvariant(c));
                }
            }

            if (word.Length > 0)
            {
                words.Add(word.ToString());
            }

            if (words.Count == 0 || (!words.Contains("image") && !words.Contains("images")))
            {
                return false;
            }

            string last = words[words.Count - 1];
            return last == "image" || last == "images" || last == "url" || last == "urls";
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

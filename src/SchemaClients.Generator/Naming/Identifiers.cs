using System.Collections.Generic;
using System.Text;
using Microsoft.CodeAnalysis.CSharp;

namespace SchemaClients.Generator.Naming
{
    /// <summary>
    /// Turns JSON names into C# names, the same way every time. Every rule that makes or fixes an identifier is here:
    /// the parser names types, members, parameters, operations and namespaces with them, and the emitter the
    /// members it adds.
    /// </summary>
    internal static class Identifiers
    {
        /// <summary>
        /// Splits on anything that is not a letter or digit and capitalizes each part:
        /// <c>num_inference_steps</c> becomes <c>NumInferenceSteps</c>. Digit runs that would touch are
        /// kept apart with an underscore (<c>16:9</c> becomes <c>16_9</c>) so distinct values stay distinct.
        /// </summary>
        public static string ToPascalCase(string name)
        {
            var builder = new StringBuilder(name.Length);
            bool startOfPart = true;
            for (int i = 0; i < name.Length; i++)
            {
                char c = name[i];
                if (!char.IsLetterOrDigit(c) || c > 0x7F)
                {
                    startOfPart = true;
                    continue;
                }

                if (startOfPart && builder.Length > 0 && char.IsDigit(c) && char.IsDigit(builder[builder.Length - 1]))
                {
                    builder.Append('_');
                }

                if (startOfPart)
                {
                    builder.Append(char.ToUpperInvariant(c));
                    startOfPart = false;
                }
                else
                {
                    bool prevLower = i > 0 && char.IsLower(name[i - 1]);
                    builder.Append(prevLower || char.IsDigit(c) ? c : (IsAllUpper(name) ? char.ToLowerInvariant(c) : c));
                }
            }

            return builder.ToString();
        }

        private static bool IsAllUpper(string name)
        {
            bool anyLetter = false;
            foreach (char c in name)
            {
                if (char.IsLetter(c))
                {
                    anyLetter = true;
                    if (char.IsLower(c))
                    {
                        return false;
                    }
                }
            }

            return anyLetter;
        }

        /// <summary>
        /// Makes a PascalCase name a valid identifier. Returns the reason when the name had to change beyond casing.
        /// </summary>
        public static string ToIdentifier(string jsonName, string fallback, ICollection<string> reserved, out string? reason)
        {
            reason = null;
            string name = ToPascalCase(jsonName);
            if (IsKeyword(jsonName))
            {
                reason = "it is a C# keyword";
            }

            if (name.Length == 0)
            {
                reason = "it has no letters or digits";
                name = fallback;
            }
            else if (StartsWithDigit(name))
            {
                reason = "it starts with a digit";
                name = NoLeadingDigit(name);
            }

            if (IsKeyword(name))
            {
                reason = "it is a C# keyword";
                name = EscapeKeyword(name);
            }

            if (reserved.Contains(name))
            {
                reason = "it would clash with the generated member or type '" + name + "'";
                name += "Value";
            }

            return name;
        }

        /// <summary>
        /// A part of a namespace or class name (a provider, a model): PascalCase, <paramref name="fallback"/> when
        /// nothing is left, and an underscore in front when it would start with a digit.
        /// </summary>
        public static string NamePart(string text, string fallback)
        {
            string name = ToPascalCase(text);
            return name.Length == 0 ? fallback : NoLeadingDigit(name);
        }

        /// <summary>
        /// The name of an operation's method: its operationId in PascalCase, else the last literal path segment
        /// (<c>/x/requests/{id}/cancel</c> gives <c>Cancel</c>), else <c>Operation</c>.
        /// </summary>
        public static string OperationName(string? operationId, string path)
        {
            if (operationId != null && ToPascalCase(operationId).Length > 0)
            {
                return NoLeadingDigit(ToPascalCase(operationId));
            }

            string[] segments = path.Split('/');
            for (int i = segments.Length - 1; i >= 0; i--)
            {
                if (segments[i].Length > 0 && segments[i][0] != '{' && ToPascalCase(segments[i]).Length > 0)
                {
                    return NoLeadingDigit(ToPascalCase(segments[i]));
                }
            }

            return "Operation";
        }

        /// <summary>
        /// A method parameter for a path or query parameter: camelCase (<c>value</c> when nothing is left), an underscore
        /// before a leading digit, unique in <paramref name="taken"/>, and <c>@</c> before a keyword.
        /// </summary>
        public static string ParameterName(string name, HashSet<string> taken)
        {
            string pascal = ToPascalCase(name);
            string camel = pascal.Length == 0 ? "value" : char.ToLowerInvariant(pascal[0]) + pascal.Substring(1);
            return EscapeKeyword(Unique(NoLeadingDigit(camel), taken));
        }

        /// <summary>An identifier without its <c>@</c>: for XML doc references and for names built from it.</summary>
        public static string WithoutVerbatim(string name) => name.TrimStart('@');

        /// <summary>An underscore in front of a name that would start with a digit, which no C# identifier may.</summary>
        private static string NoLeadingDigit(string name) => StartsWithDigit(name) ? "_" + name : name;

        private static bool StartsWithDigit(string name) => name.Length > 0 && char.IsDigit(name[0]);

        /// <summary>A keyword made an identifier with <c>@</c>; any other name as it is.</summary>
        private static string EscapeKeyword(string name) => IsKeyword(name) ? "@" + name : name;

        private static bool IsKeyword(string name) => SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None;

        /// <summary>
        /// The C# name of an enum member, read as words where the wire value allows: an aspect ratio <c>16:9</c> is
        /// <c>Ratio16x9</c>; a number with a unit, <c>1 MP</c> or <c>0.5 MP</c>, is the unit then the number
        /// (<c>Mp1</c>, <c>Mp0_5</c>); a bare number <c>2</c> is <c>Value2</c>; anything else is PascalCase
        /// (<c>landscape_4_3</c> is <c>Landscape4_3</c>), with <c>Value</c> in front when it would start with a digit.
        /// An empty name is <c>Empty</c>.
        /// </summary>
        public static string EnumMember(string wire)
        {
            string text = wire.Trim();
            int colon = text.IndexOf(':');
            if (colon > 0 && colon < text.Length - 1 && AllDigits(text, 0, colon) && AllDigits(text, colon + 1, text.Length))
            {
                return "Ratio" + text.Substring(0, colon) + "x" + text.Substring(colon + 1);
            }

            int numberEnd = 0;
            while (numberEnd < text.Length && (char.IsDigit(text[numberEnd]) || (text[numberEnd] == '.' && numberEnd > 0 && numberEnd + 1 < text.Length && char.IsDigit(text[numberEnd + 1]))) && text[numberEnd] < 0x80)
            {
                numberEnd++;
            }

            if (numberEnd > 0)
            {
                string number = text.Substring(0, numberEnd).Replace('.', '_');
                string rest = text.Substring(numberEnd).Trim();
                if (rest.Length == 0)
                {
                    return "Value" + number;
                }

                if (AllLetters(rest))
                {
                    return ToPascalCase(rest) + number;
                }
            }

            string name = ToPascalCase(wire);
            return name.Length == 0 ? "Empty" : StartsWithDigit(name) ? "Value" + name : name;
        }

        private static bool AllDigits(string text, int start, int end)
        {
            for (int i = start; i < end; i++)
            {
                if (text[i] < '0' || text[i] > '9')
                {
                    return false;
                }
            }

            return end > start;
        }

        private static bool AllLetters(string text)
        {
            foreach (char c in text)
            {
                if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z'))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>Adds a numeric suffix until the name is unused in <paramref name="taken"/>.</summary>
        public static string Unique(string name, HashSet<string> taken)
        {
            if (taken.Add(name))
            {
                return name;
            }

            for (int i = 2; ; i++)
            {
                string candidate = name + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (taken.Add(candidate))
                {
                    return candidate;
                }
            }
        }

        /// <summary>A stable 32-bit FNV-1a hash as hex, for hint names that must not depend on the machine.</summary>
        public static string StableHash(string text)
        {
            uint hash = 2166136261;
            foreach (char c in text)
            {
                hash ^= c;
                hash *= 16777619;
            }

            return hash.ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}

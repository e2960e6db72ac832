using System.Collections.Generic;
using System.Text;

namespace SchemaClients.Generator.Validation
{
    /// <summary>
    /// JSON Schema patterns are ECMA-262 regular expressions; .NET's differ in a few places that matter
    /// for validation. This rewrites those places so both engines accept the same strings:
    /// <c>\d</c> and <c>\w</c> are ASCII-only in ECMA-262 (Unicode in .NET), and Unicode properties
    /// may use long names (<c>\p{Letter}</c>) that .NET spells short (<c>\p{L}</c>).
    /// </summary>
    internal static class EcmaRegex
    {
        private static readonly Dictionary<string, string> Categories = new Dictionary<string, string>
        {
            ["Letter"] = "L", ["Cased_Letter"] = "L", ["Uppercase_Letter"] = "Lu", ["Lowercase_Letter"] = "Ll", ["Titlecase_Letter"] = "Lt",
            ["Modifier_Letter"] = "Lm", ["Other_Letter"] = "Lo", ["Mark"] = "M", ["Nonspacing_Mark"] = "Mn", ["Spacing_Mark"] = "Mc",
            ["Enclosing_Mark"] = "Me", ["Number"] = "N", ["Decimal_Number"] = "Nd", ["digit"] = "Nd", ["Letter_Number"] = "Nl",
            ["Other_Number"] = "No", ["Punctuation"] = "P", ["punct"] = "P", ["Connector_Punctuation"] = "Pc", ["Dash_Punctuation"] = "Pd",
            ["Open_Punctuation"] = "Ps", ["Close_Punctuation"] = "Pe", ["Initial_Punctuation"] = "Pi", ["Final_Punctuation"] = "Pf",
            ["Other_Punctuation"] = "Po", ["Symbol"] = "S", ["Math_Symbol"] = "Sm", ["Currency_Symbol"] = "Sc", ["Modifier_Symbol"] = "Sk",
            ["Other_Symbol"] = "So", ["Separator"] = "Z", ["Space_Separator"] = "Zs", ["Line_Separator"] = "Zl",
            ["Paragraph_Separator"] = "Zp", ["Other"] = "C", ["Control"] = "Cc", ["cntrl"] = "Cc", ["Format"] = "Cf",
            ["Surrogate"] = "Cs", ["Private_Use"] = "Co", ["Unassigned"] = "Cn",
        };

        private const string EcmaSpace = "\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff";

        /// <summary>
        /// The .NET pattern that accepts what an ECMA-262 pattern accepts: <c>\d</c>, <c>\w</c> and <c>\s</c> as ECMA
        /// defines them, long Unicode property names shortened, <c>$</c> as the end of the text only, and an astral
        /// character grouped so a quantifier after it repeats the whole character.
        /// </summary>
        public static string ToDotNet(string pattern)
        {
            var builder = new StringBuilder(pattern.Length + 8);
            bool inClass = false;
            for (int i = 0; i < pattern.Length; i++)
            {
                char c = pattern[i];
                if (c == '\\' && i + 1 < pattern.Length)
                {
                    char next = pattern[i + 1];
                    if ((next == 'p' || next == 'P') && i + 2 < pattern.Length && pattern[i + 2] == '{')
                    {
                        int close = pattern.IndexOf('}', i + 3);
                        if (close > 0)
                        {
                            string name = pattern.Substring(i + 3, close - i - 3);
                            int eq = name.IndexOf('=');
                            if (eq >= 0)
                            {
                                name = name.Substring(eq + 1); // General_Category=Letter
                            }

                            builder.Append('\\').Append(next).Append('{').Append(Categories.TryGetValue(name, out string? shortName) ? shortName : name).Append('}');
                            i = close;
                            continue;
                        }
                    }

                    string? ascii = next == 'd' ? "0-9" : next == 'w' ? "a-zA-Z0-9_" : null;
                    if (ascii != null)
                    {
                        builder.Append(inClass ? ascii : "[" + ascii + "]");
                        i++;
                        continue;
                    }

                    if (!inClass && (next == 'D' || next == 'W'))
                    {
                        builder.Append(next == 'D' ? "[^0-9]" : "[^a-zA-Z0-9_]");
                        i++;
                        continue;
                    }

                    if (next == 's' || (next == 'S' && !inClass))
                    {
                        // ECMA-262's white space and line terminators: U+FEFF is one, U+0085 is not (the reverse of .NET's \s).
                        builder.Append(next == 's' ? (inClass ? EcmaSpace : "[" + EcmaSpace + "]") : "[^" + EcmaSpace + "]");
                        i++;
                        continue;
                    }

                    builder.Append(c).Append(next);
                    i++;
                    continue;
                }

                if (c == '$' && !inClass)
                {
                    // ECMA-262's $ (no multiline flag) is the very end; .NET's $ also matches before a final \n.
                    builder.Append("\\z");
                    continue;
                }

                if (char.IsHighSurrogate(c) && i + 1 < pattern.Length && char.IsLowSurrogate(pattern[i + 1]) && !inClass)
                {
                    // One astral character is two UTF-16 units in .NET: grouped, so a quantifier after it applies to both.
                    builder.Append("(?:").Append(c).Append(pattern[i + 1]).Append(')');
                    i++;
                    continue;
                }

                if (c == '[' && !inClass)
                {
                    inClass = true;
                }
                else if (c == ']' && inClass)
                {
                    inClass = false;
                }

                builder.Append(c);
            }

            return builder.ToString();
        }
    }
}

using System;
using System.Collections.Generic;
using System.Text;

namespace SchemaClients.Generator.Emitting
{
    /// <summary>
    /// Turns the fully qualified names the emitters write (<c>global::System.Text.Json.JsonElement</c>) into the short
    /// names a person would write, with the using directives that make them mean exactly the same thing.
    /// </summary>
    /// <remarks>
    /// <para>The emitters always write <c>global::</c> names, so each of them is correct on its own; this pass only
    /// shortens where that cannot change what a name binds to:</para>
    /// <list type="bullet">
    /// <item>A non-generic type gets a using alias (<c>using JsonElement = global::System.Text.Json.JsonElement;</c>) in
    /// the document's namespace. Aliases are exact and outrank imported namespaces, but they conflict with a type of
    /// the same name in that namespace, and inside a type a member of the same name hides them; so a name the
    /// document declares, or that the file uses on its own anywhere outside comments and strings, stays qualified.</item>
    /// <item>A generic type (<c>IReadOnlyList&lt;T&gt;</c>) cannot be aliased open, so its namespace is imported. The
    /// generated types are never generic, so none of them can hide it, and the namespaces imported here hold no two
    /// generic types of the same name and arity.</item>
    /// <item>A name used too few times to pay for its directive keeps its qualification.</item>
    /// </list>
    /// <para>Only the namespaces listed here are shortened; anything else is written as the emitter wrote it.</para>
    /// </remarks>
    internal static class Imports
    {
        private const string Global = "global::";

        /// <summary>The namespaces whose types may be shortened, longest first so the longest prefix wins.</summary>
        private static readonly string[] Namespaces = SortedLongestFirst(new[]
        {
            "System",
            "System.Collections.Generic",
            "System.CodeDom.Compiler",
            "System.ComponentModel.DataAnnotations",
            "System.IO",
            "System.Linq",
            "System.Net.Http",
            "System.Runtime.Serialization",
            "System.Text.Json",
            "System.Text.Json.Serialization",
            "System.Threading",
            "System.Threading.Tasks",
            "Microsoft.Extensions.DependencyInjection",
            "Microsoft.Extensions.Logging",
            "SchemaClients",
            "SchemaClients.Clients",
            "SchemaClients.Http",
            "SchemaClients.Serialization",
            "SchemaClients.Validation",
        });

        /// <summary>
        /// Shortens the qualified names of one generated file. <paramref name="declared"/> holds the names the
        /// document declares in its namespace (across all its files); the file must contain a file-scoped
        /// <c>namespace</c> line, after which the directives are placed.
        /// </summary>
        public static string Shorten(string source, ICollection<string> declared)
        {
            var uses = new List<Use>();
            var counts = new Dictionary<string, int>(StringComparer.Ordinal);
            var standalone = new HashSet<string>(StringComparer.Ordinal);
            Scan(source, uses, standalone);
            foreach (Use use in uses)
            {
                counts.TryGetValue(use.Key, out int count);
                counts[use.Key] = count + 1;
            }

            // Which simple names may be written short, and through which directive.
            var aliases = new SortedDictionary<string, string>(StringComparer.Ordinal);
            var imports = new SortedSet<string>(SystemFirst.Instance);
            var aliasTargets = new Dictionary<string, string>(StringComparer.Ordinal);
            var usable = new HashSet<string>(StringComparer.Ordinal);
            foreach (Use use in uses)
            {
                if (usable.Contains(use.Key))
                {
                    continue;
                }

                int saved = counts[use.Key] * (use.Length - use.Name.Length);
                if (use.Generic)
                {
                    if (imports.Contains(use.Namespace) || saved > "using ;\n".Length + use.Namespace.Length)
                    {
                        imports.Add(use.Namespace);
                        usable.Add(use.Key);
                    }

                    continue;
                }

                string alias = use.Attribute ? use.Name + "Attribute" : use.Name;
                string target = Global + use.Namespace + "." + alias;
                if (saved <= "using  = ;\n".Length + alias.Length + target.Length)
                {
                    continue; // the directive would cost more than it saves
                }

                if (declared.Contains(alias) || declared.Contains(use.Name) || standalone.Contains(alias) || standalone.Contains(use.Name))
                {
                    continue;
                }

                if (aliasTargets.TryGetValue(alias, out string? existing) && existing != target)
                {
                    continue; // two namespaces' types of one name: the first keeps it
                }

                aliasTargets[alias] = target;
                aliases[alias] = target;
                usable.Add(use.Key);
            }

            if (usable.Count == 0)
            {
                return source;
            }

            var output = new StringBuilder(source.Length);
            int at = 0;
            foreach (Use use in uses)
            {
                if (!usable.Contains(use.Key))
                {
                    continue;
                }

                output.Append(source, at, use.Start - at).Append(use.Name);
                at = use.Start + use.Length;
            }

            output.Append(source, at, source.Length - at);
            return InsertDirectives(output.ToString(), imports, aliases);
        }

        /// <summary>Adds the names of the types a file declares at the top level of its namespace.</summary>
        public static void AddDeclarations(string source, ICollection<string> declared)
        {
            foreach (string line in source.Split('\n'))
            {
                if (!line.StartsWith("public ", StringComparison.Ordinal) && !line.StartsWith("internal ", StringComparison.Ordinal))
                {
                    continue; // top-level declarations start at the first column under a file-scoped namespace
                }

                string[] words = line.Split(new[] { ' ', ':', '(', '<' }, StringSplitOptions.RemoveEmptyEntries);
                for (int i = 0; i + 1 < words.Length; i++)
                {
                    if (words[i] == "class" || words[i] == "record" || words[i] == "struct" || words[i] == "enum" || words[i] == "interface")
                    {
                        if (words[i] == "record" && (words[i + 1] == "struct" || words[i + 1] == "class"))
                        {
                            continue;
                        }

                        declared.Add(words[i + 1]);
                        break;
                    }
                }
            }
        }

        private static string InsertDirectives(string source, SortedSet<string> imports, SortedDictionary<string, string> aliases)
        {
            int line = source.StartsWith("namespace ", StringComparison.Ordinal) ? 0 : source.IndexOf("\nnamespace ", StringComparison.Ordinal) + 1;
            if (line < 0)
            {
                throw new InvalidOperationException("A generated file has no namespace line.");
            }

            int end = source.IndexOf('\n', line);
            var directives = new StringBuilder("\n");
            foreach (string name in imports)
            {
                directives.Append("using ").Append(name).Append(";\n");
            }

            foreach (KeyValuePair<string, string> alias in aliases)
            {
                directives.Append("using ").Append(alias.Key).Append(" = ").Append(alias.Value).Append(";\n");
            }

            return source.Substring(0, end + 1) + directives + source.Substring(end + 1);
        }

        /// <summary>One qualified type name in the text: where it is, its namespace and simple name.</summary>
        private readonly struct Use
        {
            public Use(int start, int length, string ns, string name, bool generic, bool attribute)
            {
                Start = start;
                Length = length;
                Namespace = ns;
                Name = name;
                Generic = generic;
                Attribute = attribute;
            }

            public int Start { get; }

            /// <summary>The length of <c>global::Namespace.Name</c>.</summary>
            public int Length { get; }

            public string Namespace { get; }

            public string Name { get; }

            public bool Generic { get; }

            public bool Attribute { get; }

            /// <summary>What is counted and decided once: the namespace, the name, and how it is used.</summary>
            public string Key => Namespace + "." + Name + (Generic ? "<>" : Attribute ? "[]" : string.Empty);
        }

        /// <summary>Finds the qualified names in code, and the identifiers the code uses on their own.</summary>
        private static void Scan(string source, List<Use> uses, HashSet<string> standalone)
        {
            int i = 0;
            while (i < source.Length)
            {
                char c = source[i];
                if (c == '/' && i + 1 < source.Length && source[i + 1] == '/')
                {
                    i = LineEnd(source, i);
                }
                else if (c == '"')
                {
                    i = StringEnd(source, i);
                }
                else if (c == '\'')
                {
                    i = CharEnd(source, i);
                }
                else if (string.CompareOrdinal(source, i, Global, 0, Global.Length) == 0)
                {
                    i = Qualified(source, i, uses);
                }
                else if (c == '@')
                {
                    i++; // a verbatim identifier: what follows is read as the identifier
                }
                else if (IsIdentifierStart(c) && (i == 0 || !IsIdentifierPart(source[i - 1])))
                {
                    int start = i;
                    while (i < source.Length && IsIdentifierPart(source[i]))
                    {
                        i++;
                    }

                    if (start == 0 || source[start - 1] != '.')
                    {
                        standalone.Add(source.Substring(start, i - start));
                    }
                }
                else
                {
                    i++;
                }
            }
        }

        /// <summary>Reads <c>global::A.B.C</c> at <paramref name="start"/>; records it when its namespace is listed.</summary>
        private static int Qualified(string source, int start, List<Use> uses)
        {
            int i = start + Global.Length;
            while (i < source.Length && (IsIdentifierPart(source[i]) || source[i] == '.'))
            {
                i++;
            }

            string path = source.Substring(start + Global.Length, i - start - Global.Length);
            foreach (string ns in Namespaces)
            {
                if (path.Length <= ns.Length + 1 || string.CompareOrdinal(path, 0, ns, 0, ns.Length) != 0 || path[ns.Length] != '.')
                {
                    continue;
                }

                int nameEnd = path.IndexOf('.', ns.Length + 1);
                string name = nameEnd < 0 ? path.Substring(ns.Length + 1) : path.Substring(ns.Length + 1, nameEnd - ns.Length - 1);
                int length = Global.Length + ns.Length + 1 + name.Length;
                bool generic = nameEnd < 0 && i < source.Length && source[i] == '<';
                bool attribute = start > 0 && (source[start - 1] == '[' || (start > 1 && source[start - 1] == ' ' && source[start - 2] == ','))
                    && nameEnd < 0 && i < source.Length && (source[i] == '(' || source[i] == ']');
                if (name.Length > 0)
                {
                    uses.Add(new Use(start, length, ns, name, generic, attribute));
                }

                break;
            }

            return i;
        }

        private static int LineEnd(string source, int i)
        {
            int end = source.IndexOf('\n', i);
            return end < 0 ? source.Length : end + 1;
        }

        private static int StringEnd(string source, int i)
        {
            if (string.CompareOrdinal(source, i, "\"\"\"", 0, 3) == 0)
            {
                int quotes = 0;
                while (i < source.Length && source[i] == '"')
                {
                    quotes++;
                    i++;
                }

                string closing = new string('"', quotes);
                int end = source.IndexOf(closing, i, StringComparison.Ordinal);
                return end < 0 ? source.Length : end + quotes;
            }

            bool verbatim = i > 0 && source[i - 1] == '@';
            i++;
            while (i < source.Length)
            {
                char c = source[i];
                if (c == '\\' && !verbatim)
                {
                    i += 2;
                }
                else if (c == '"')
                {
                    if (verbatim && i + 1 < source.Length && source[i + 1] == '"')
                    {
                        i += 2;
                        continue;
                    }

                    return i + 1;
                }
                else if (c == '\n' && !verbatim)
                {
                    return i + 1;
                }
                else
                {
                    i++;
                }
            }

            return i;
        }

        private static int CharEnd(string source, int i)
        {
            i++;
            while (i < source.Length && source[i] != '\'' && source[i] != '\n')
            {
                i += source[i] == '\\' ? 2 : 1;
            }

            return i + 1;
        }

        private static bool IsIdentifierStart(char c) => char.IsLetter(c) || c == '_';

        private static bool IsIdentifierPart(char c) => char.IsLetterOrDigit(c) || c == '_';

        /// <summary>Orders namespaces as the IDE does: System and its children first, then the rest, each alphabetically.</summary>
        private sealed class SystemFirst : IComparer<string>
        {
            public static readonly SystemFirst Instance = new SystemFirst();

            public int Compare(string? x, string? y)
            {
                bool xs = IsSystem(x!), ys = IsSystem(y!);
                return xs != ys ? (xs ? -1 : 1) : string.CompareOrdinal(x, y);
            }

            private static bool IsSystem(string name) => name == "System" || name.StartsWith("System.", StringComparison.Ordinal);
        }

        private static string[] SortedLongestFirst(string[] names)
        {
            Array.Sort(names, (a, b) => b.Length.CompareTo(a.Length));
            return names;
        }
    }
}

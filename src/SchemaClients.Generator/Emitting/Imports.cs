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
            int body = NamespaceLineEnd(source);
            var scan = new Scanner(source, body);
            scan.Run();

            // Which simple names may be written short, and through which directive.
            var aliases = new SortedDictionary<string, string>(StringComparer.Ordinal);
            var imports = new SortedSet<string>(SystemFirst.Instance);
            bool any = false;
            foreach (Entry entry in scan.Entries)
            {
                string ns = Namespaces[entry.Namespace];
                int saved = entry.Count * (Global.Length + ns.Length + 1);
                if (entry.Generic)
                {
                    entry.Usable = imports.Contains(ns) || saved > "using ;\n".Length + ns.Length;
                    if (entry.Usable)
                    {
                        imports.Add(ns);
                    }
                }
                else
                {
                    string alias = entry.Attribute ? entry.Name + "Attribute" : entry.Name;
                    string target = Global + ns + "." + alias;
                    entry.Usable = saved > "using  = ;\n".Length + alias.Length + target.Length // else the directive costs more than it saves
                        && !declared.Contains(alias) && !declared.Contains(entry.Name)
                        && !scan.Standalone.Contains(Hash(alias, 0, alias.Length)) && !scan.Standalone.Contains(entry.NameHash)
                        && !aliases.ContainsKey(alias); // two namespaces' types of one name: the first keeps it
                    if (entry.Usable)
                    {
                        aliases.Add(alias, target);
                    }
                }

                any |= entry.Usable;
            }

            if (!any)
            {
                return source;
            }

            var output = new StringBuilder(source.Length + 64 * (aliases.Count + imports.Count));
            output.Append(source, 0, body).Append('\n');
            foreach (string name in imports)
            {
                output.Append("using ").Append(name).Append(";\n");
            }

            foreach (KeyValuePair<string, string> alias in aliases)
            {
                output.Append("using ").Append(alias.Key).Append(" = ").Append(alias.Value).Append(";\n");
            }

            int at = body;
            foreach (Use use in scan.Uses)
            {
                Entry entry = scan.Entries[use.Entry];
                if (entry.Usable)
                {
                    output.Append(source, at, use.Start - at).Append(entry.Name);
                    at = use.Start + use.Length;
                }
            }

            return output.Append(source, at, source.Length - at).ToString();
        }

        /// <summary>Adds the names of the types a file declares at the top level of its namespace.</summary>
        public static void AddDeclarations(string source, ICollection<string> declared)
        {
            for (int line = 0; line < source.Length; line = LineEnd(source, line))
            {
                // Top-level declarations start at the first column under a file-scoped namespace.
                if (string.CompareOrdinal(source, line, "public ", 0, 7) != 0 && string.CompareOrdinal(source, line, "internal ", 0, 9) != 0)
                {
                    continue;
                }

                int end = source.IndexOf('\n', line);
                string[] words = source.Substring(line, (end < 0 ? source.Length : end) - line).Split(new[] { ' ', ':', '(', '<' }, StringSplitOptions.RemoveEmptyEntries);
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

        /// <summary>Where the text after the file-scoped <c>namespace</c> line starts.</summary>
        private static int NamespaceLineEnd(string source)
        {
            int line = source.StartsWith("namespace ", StringComparison.Ordinal) ? 0 : source.IndexOf("\nnamespace ", StringComparison.Ordinal) + 1;
            if (line <= 0 && !source.StartsWith("namespace ", StringComparison.Ordinal))
            {
                throw new InvalidOperationException("A generated file has no namespace line.");
            }

            return LineEnd(source, line);
        }

        /// <summary>One qualified type name the file uses, and how: counted and decided once.</summary>
        private sealed class Entry
        {
            public Entry(int ns, string name, int nameHash, bool generic, bool attribute)
            {
                Namespace = ns;
                Name = name;
                NameHash = nameHash;
                Generic = generic;
                Attribute = attribute;
            }

            /// <summary>The index in <see cref="Namespaces"/>.</summary>
            public int Namespace { get; }

            public string Name { get; }

            public int NameHash { get; }

            public bool Generic { get; }

            public bool Attribute { get; }

            public int Count { get; set; }

            public bool Usable { get; set; }
        }

        /// <summary>Where one qualified name stands: <c>global::Namespace.Name</c>.</summary>
        private readonly struct Use
        {
            public Use(int start, int length, int entry)
            {
                Start = start;
                Length = length;
                Entry = entry;
            }

            public int Start { get; }

            public int Length { get; }

            public int Entry { get; }
        }

        /// <summary>
        /// One pass over the code after the namespace line, skipping comments, strings and character literals: the
        /// qualified names in listed namespaces, and (as hashes, so nothing is allocated per identifier) the
        /// identifiers used on their own. A hash that collides only keeps a name qualified.
        /// </summary>
        private sealed class Scanner
        {
            private readonly string _source;
            private readonly int _start;
            private readonly Dictionary<long, int> _index = new Dictionary<long, int>();

            public Scanner(string source, int start)
            {
                _source = source;
                _start = start;
            }

            public List<Entry> Entries { get; } = new List<Entry>();

            public List<Use> Uses { get; } = new List<Use>();

            public HashSet<int> Standalone { get; } = new HashSet<int>();

            public void Run()
            {
                string source = _source;
                int i = _start;
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
                    else if (c == 'g' && string.CompareOrdinal(source, i, Global, 0, Global.Length) == 0)
                    {
                        i = Qualified(i);
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
                            Standalone.Add(Hash(source, start, i - start));
                        }
                    }
                    else
                    {
                        i++;
                    }
                }
            }

            /// <summary>Reads <c>global::A.B.C</c> at <paramref name="start"/>; records it when its namespace is listed.</summary>
            private int Qualified(int start)
            {
                string source = _source;
                int path = start + Global.Length;
                int i = path;
                while (i < source.Length && (IsIdentifierPart(source[i]) || source[i] == '.'))
                {
                    i++;
                }

                for (int n = 0; n < Namespaces.Length; n++)
                {
                    string ns = Namespaces[n];
                    if (i - path <= ns.Length + 1 || source[path + ns.Length] != '.' || string.CompareOrdinal(source, path, ns, 0, ns.Length) != 0)
                    {
                        continue;
                    }

                    int name = path + ns.Length + 1;
                    int nameEnd = name;
                    while (nameEnd < i && source[nameEnd] != '.')
                    {
                        nameEnd++;
                    }

                    bool last = nameEnd == i;
                    bool generic = last && i < source.Length && source[i] == '<';
                    bool attribute = last && (source[start - 1] == '[' || (source[start - 1] == ' ' && source[start - 2] == ','))
                        && i < source.Length && (source[i] == '(' || source[i] == ']');
                    Uses.Add(new Use(start, nameEnd - start, Find(n, name, nameEnd - name, generic, attribute)));
                    break;
                }

                return i;
            }

            private int Find(int ns, int name, int length, bool generic, bool attribute)
            {
                int hash = Hash(_source, name, length);
                long key = ((long)hash << 32) | (uint)((ns << 2) | (generic ? 2 : 0) | (attribute ? 1 : 0));
                if (_index.TryGetValue(key, out int found) && Entries[found].Name.Length == length && string.CompareOrdinal(_source, name, Entries[found].Name, 0, length) == 0)
                {
                    Entries[found].Count++;
                    return found;
                }

                for (int e = 0; e < Entries.Count; e++)
                {
                    Entry entry = Entries[e]; // a hash collision: look the slow way
                    if (entry.Namespace == ns && entry.Generic == generic && entry.Attribute == attribute && entry.Name.Length == length && string.CompareOrdinal(_source, name, entry.Name, 0, length) == 0)
                    {
                        entry.Count++;
                        return e;
                    }
                }

                Entries.Add(new Entry(ns, _source.Substring(name, length), hash, generic, attribute) { Count = 1 });
                _index[key] = Entries.Count - 1;
                return Entries.Count - 1;
            }
        }

        /// <summary>FNV-1a over a run of characters.</summary>
        private static int Hash(string text, int start, int length)
        {
            unchecked
            {
                int hash = (int)2166136261;
                for (int i = start; i < start + length; i++)
                {
                    hash = (hash ^ text[i]) * 16777619;
                }

                return hash;
            }
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

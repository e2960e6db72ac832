using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace SchemaClients.Shared.Validation
{
    /// <summary>One broken rule: where (a JSON path), which keyword, its limit and the value found, as text.</summary>
    internal readonly struct RawViolation
    {
        public RawViolation(string path, string rule, string limit, string actual)
        {
            Path = path;
            Rule = rule;
            Limit = limit;
            Actual = actual;
        }

        public string Path { get; }

        public string Rule { get; }

        public string Limit { get; }

        public string Actual { get; }
    }

    /// <summary>
    /// The JSON path of the value being checked, kept as segments and turned into text only when a violation is
    /// recorded, so a valid value costs no string. One instance per thread is reused.
    /// </summary>
    internal sealed class PathStack
    {
        [ThreadStatic]
        private static PathStack? t_cached;

        private string?[] _names = new string?[16];
        private int[] _indexes = new int[16];
        private int _count;

        public int Depth => _count;

        public static PathStack Rent()
        {
            PathStack? stack = t_cached;
            if (stack != null)
            {
                t_cached = null;
                stack._count = 0;
                return stack;
            }

            return new PathStack();
        }

        public static void Return(PathStack stack) => t_cached = stack;

        public void PushMember(string name)
        {
            Grow();
            _names[_count] = name;
            _indexes[_count++] = -1;
        }

        public void PushIndex(int index)
        {
            Grow();
            _names[_count] = null;
            _indexes[_count++] = index;
        }

        public void Pop() => _count--;

        /// <summary>The path as text: <c>$.fluxParams.input_images[2]</c>; with <paramref name="member"/>, of that member of the current value.</summary>
        public string ToPath(string? member = null)
        {
            var text = new StringBuilder("$");
            for (int i = 0; i < _count; i++)
            {
                Append(text, _names[i], _indexes[i]);
            }

            if (member != null)
            {
                Append(text, member, -1);
            }

            return text.ToString();
        }

        /// <summary>The path of a member: <c>.name</c>, or <c>['odd name']</c> when the name is not a plain identifier.</summary>
        public static void Append(StringBuilder text, string? name, int index)
        {
            if (name == null)
            {
                text.Append('[').Append(index.ToString(CultureInfo.InvariantCulture)).Append(']');
                return;
            }

            foreach (char c in name)
            {
                if (!(char.IsLetterOrDigit(c) || c == '_'))
                {
                    text.Append("['").Append(name.Replace("'", "\\'")).Append("']");
                    return;
                }
            }

            text.Append('.').Append(name);
        }

        private void Grow()
        {
            if (_count == _names.Length)
            {
                Array.Resize(ref _names, _count * 2);
                Array.Resize(ref _indexes, _count * 2);
            }
        }
    }

    /// <summary>A bound on the work of one validation, shared by all its branches (build time: a hostile schema must not hang the compiler).</summary>
    internal sealed class WorkBudget
    {
        public WorkBudget(int nodes) => Remaining = nodes;

        public int Remaining;

    }

    /// <summary>
    /// Where one validation stands: the graph, the path, what was found. Silent states (for anyOf, oneOf and not
    /// branches, and for <c>IsValid</c>) only remember that something failed, and stop early.
    /// </summary>
    internal struct ValidationState
    {
        public ValidationState(NodeGraph graph, PathStack? path, bool silent, WorkBudget? budget = null)
        {
            Graph = graph;
            Path = path;
            Silent = silent || path == null;
            Found = null;
            Failed = false;
            Depth = 0;
            Budget = budget;
        }

        public NodeGraph Graph;

        /// <summary>How many more nodes may be visited (shared with branches); null for no limit.</summary>
        public WorkBudget? Budget;
        public PathStack? Path;
        public bool Silent;
        public bool Failed;
        public int Depth;
        public List<RawViolation>? Found;

        /// <summary>What the schemas applied to the current value evaluated (for unevaluated*); null when nothing needs it.</summary>
        public Evaluated? Collect;

        /// <summary>The schema resources entered so far, outermost first (for $dynamicRef); null when the graph has none.</summary>
        public List<int>? Scope;

        /// <summary>A silent state for testing a branch, at the same depth and dynamic scope, collecting nothing.</summary>
        public ValidationState Branch() => new ValidationState(Graph, null, true, Budget) { Depth = Depth, Scope = Scope };

        /// <summary>Records a violation at the current path (or of <paramref name="member"/> of the current value).</summary>
        public void Add(string rule, string limit, string actual, string? member = null)
        {
            Failed = true;
            if (!Silent)
            {
                (Found ??= new List<RawViolation>()).Add(new RawViolation(Path!.ToPath(member), rule, limit, actual));
            }
        }

        public void Enter(string member) => Path?.PushMember(member);

        public void EnterIndex(int index) => Path?.PushIndex(index);

        public void Leave() => Path?.Pop();
    }

    /// <summary>
    /// The members and items of one value that schemas evaluated successfully: what unevaluatedProperties and
    /// unevaluatedItems leave alone. Made only for schemas that use those keywords.
    /// </summary>
    internal sealed class Evaluated
    {
        private HashSet<string>? _names;
        private HashSet<int>? _items;

        /// <summary>Every member was evaluated (additionalProperties, unevaluatedProperties).</summary>
        public bool AllNames;

        /// <summary>Every item was evaluated (items after the prefix, unevaluatedItems).</summary>
        public bool AllItems;

        /// <summary>Items 0 to Prefix - 1 were evaluated (prefixItems).</summary>
        public int Prefix;

        public void Name(string name) => (_names ??= new HashSet<string>(System.StringComparer.Ordinal)).Add(name);

        public void Item(int index) => (_items ??= new HashSet<int>()).Add(index);

        public bool HasName(string name) => AllNames || (_names != null && _names.Contains(name));

        public bool HasItem(int index) => AllItems || index < Prefix || (_items != null && _items.Contains(index));

        /// <summary>Adds what <paramref name="other"/> (a subschema that held) evaluated.</summary>
        public void Merge(Evaluated other)
        {
            AllNames |= other.AllNames;
            AllItems |= other.AllItems;
            Prefix = System.Math.Max(Prefix, other.Prefix);
            if (other._names != null)
            {
                foreach (string name in other._names)
                {
                    Name(name);
                }
            }

            if (other._items != null)
            {
                foreach (int index in other._items)
                {
                    Item(index);
                }
            }
        }
    }
}

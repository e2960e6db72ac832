using System;
using SchemaClients.Generator.Model;
using SchemaClients.Generator.Reading;
using SchemaClients.Shared.Validation;

namespace SchemaClients.Generator.Validation
{
    /// <summary>
    /// A document's schema graph at build time, read from the very table the generated code carries, checked by the
    /// shared validator: schema defaults (SCG0010) and the analyzer's constants meet the rules <c>Validate()</c> and
    /// <c>ValidateJson()</c> apply at run time. Each check has a work budget and patterns a match timeout, so no schema
    /// can hang the compiler.
    /// </summary>
    internal sealed class BuildTimeGraph
    {
        /// <summary>Nodes one build-time check may visit.</summary>
        public const int NodeBudget = 100_000;

        private static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(200);

        private BuildTimeGraph(NodeGraph graph) => Graph = graph;

        public NodeGraph Graph { get; }

        public static BuildTimeGraph From(EquatableArray<SchemaNodeSpec> nodes)
        {
            string text = SchemaTable.Write(nodes);
            var read = JsonReader.Read(text);
            if (read.Root == null)
            {
                int at = System.Math.Max(0, read.ErrorOffset - 40);
                throw new InvalidOperationException("the schema table is not JSON (" + read.Error + ") near: " + text.Substring(at, System.Math.Min(80, text.Length - at)));
            }

            JsonSyntax table = read.Root;
            return new BuildTimeGraph(NodeGraph.Load<JsonSyntax, SyntaxCursor, SyntaxCursor, SyntaxAccess>(default, table, RegexTimeout));
        }

        /// <summary>The first rule a value from the schema file breaks, as a sentence; null when it is valid.</summary>
        public string? FirstProblem(int node, JsonSyntax value)
        {
            RawViolation? found = First<JsonSyntax, SyntaxCursor, SyntaxCursor, SyntaxAccess>(node, value);
            return found.HasValue ? Sentence(found.Value) : null;
        }

        /// <summary>The first rule a compile-time constant breaks, or null.</summary>
        public RawViolation? FirstViolation(int node, PrimitiveValue value) => First<PrimitiveValue, NoCursor, NoCursor, PrimitiveAccess>(node, value);

        private RawViolation? First<TValue, TItems, TMembers, TAccess>(int node, TValue value)
            where TAccess : struct, IJsonAccess<TValue, TItems, TMembers>
        {
            if (node < 0 || node >= Graph.Nodes.Length)
            {
                return null;
            }

            var path = new PathStack();
            var state = new ValidationState(Graph, path, silent: false, new WorkBudget(NodeBudget));
            SchemaWalker<TValue, TItems, TMembers, TAccess>.Check(ref state, default, node, value);
            return state.Found != null && state.Found.Count > 0 ? state.Found[0] : (RawViolation?)null;
        }

        /// <summary><c>0 breaks minimum 64</c>, or with the path inside the value: <c>$.width: 0 breaks minimum 64</c>.</summary>
        public static string Sentence(RawViolation violation)
            => (violation.Path == "$" ? string.Empty : violation.Path + ": ") + violation.Actual + " breaks " + violation.Rule + " " + violation.Limit;
    }
}

using System;
using System.Collections.Generic;
using System.Text.Json;
using SchemaClients.Shared.Validation;

namespace SchemaClients.Validation
{
    /// <summary>
    /// The schemas of one document as the generator digested them: a table of nodes (one per schema, with its
    /// keywords and the indexes of its subschemas), loaded once. <see cref="Validate"/> checks raw JSON against a node;
    /// generated types check their own values against the same nodes through <see cref="TypedValidation"/>. Generated
    /// code holds one graph per schema document.
    /// </summary>
    public sealed class SchemaGraph
    {
        private static readonly TimeSpan RegexTimeout = TimeSpan.FromSeconds(1);
        private readonly JsonDocument _table;

        private SchemaGraph(JsonDocument table, NodeGraph graph)
        {
            _table = table;
            Graph = graph;
        }

        internal NodeGraph Graph { get; }

        /// <summary>How many nodes the graph has.</summary>
        public int NodeCount => Graph.Nodes.Length;

        /// <summary>Loads a graph from the table the generator emits (UTF-8 JSON).</summary>
        /// <param name="table">The table.</param>
        /// <exception cref="FormatException">The table is not a schema graph.</exception>
        public static SchemaGraph Load(ReadOnlySpan<byte> table)
        {
            JsonDocument document = JsonDocument.Parse(table.ToArray());
            return new SchemaGraph(document, NodeGraph.Load<JsonElement, JsonElement.ArrayEnumerator, JsonElement.ObjectEnumerator, ElementAccess>(default, document.RootElement, RegexTimeout));
        }

        /// <summary>Checks a JSON value against a node and returns every violation, with its JSON path. Allocates nothing when the value is valid.</summary>
        /// <param name="json">The value.</param>
        /// <param name="node">The node, one of the generated <c>SchemaNodes</c> constants.</param>
        public ValidationResult Validate(JsonElement json, int node)
        {
            if (IsValid(json, node))
            {
                return ValidationResult.Success;
            }

            PathStack path = PathStack.Rent();
            try
            {
                var state = new ValidationState(Graph, path, silent: false, Budget());
                SchemaWalker<JsonElement, JsonElement.ArrayEnumerator, JsonElement.ObjectEnumerator, ElementAccess>.Check(ref state, default, node, json);
                return ValidationResult.From(state.Found);
            }
            finally
            {
                PathStack.Return(path);
            }
        }

        /// <summary>Whether a JSON value keeps every rule of a node. Allocates nothing.</summary>
        public bool IsValid(JsonElement json, int node)
        {
            var state = new ValidationState(Graph, null, silent: true, Budget());
            return SchemaWalker<JsonElement, JsonElement.ArrayEnumerator, JsonElement.ObjectEnumerator, ElementAccess>.Check(ref state, default, node, json);
        }

        /// <summary>How many schemas one check may visit in a graph with dynamic references, and none in others.</summary>
        public const int DynamicWorkBudget = 1 << 20;

        /// <summary>
        /// The generator cuts loops and bounds the cost of every static path; a $dynamicRef's target is only known at run
        /// time, so those graphs also get a budget (past it the value is reported, never accepted, never a hang).
        /// </summary>
        private WorkBudget? Budget() => Graph.HasDynamicRefs ? new WorkBudget(DynamicWorkBudget) : null;

        /// <summary>
        /// Starts a check of a typed value that only finds out whether it is valid (<see cref="TypedValidation.HasFailed"/>):
        /// no paths, nothing allocated. A generated <c>IsValid()</c> runs its type's checks on it.
        /// </summary>
        public TypedValidation Quiet() => new TypedValidation(new ValidationState(Graph, null, silent: true, Budget()), null);

        /// <summary>
        /// Starts a check of a typed value that records every violation with its path; finish it with
        /// <see cref="TypedValidation.Result"/>. A generated <c>Validate()</c> uses it only once <see cref="Quiet"/> found a violation.
        /// </summary>
        public TypedValidation Report()
        {
            PathStack path = PathStack.Rent();
            return new TypedValidation(new ValidationState(Graph, path, silent: false, Budget()), path);
        }
    }

    /// <summary>
    /// Checks the values of a generated type against their schema nodes, for its <c>Validate()</c>: each call names a
    /// node, the member and its C# value; the rules are those of the node, applied by the same validator as raw JSON.
    /// </summary>
    public struct TypedValidation
    {
        private ValidationState _state;
        private PathStack? _path;

        internal TypedValidation(ValidationState state, PathStack? path)
        {
            _state = state;
            _path = path;
        }

        /// <summary>The violations found, as a result; gives back what the check borrowed. Call once, at the end.</summary>
        public ValidationResult Result()
        {
            ValidationResult result = ValidationResult.From(_state.Found);
            if (_path != null)
            {
                PathStack.Return(_path);
                _path = null;
            }

            return result;
        }

        /// <summary>Whether a violation was found so far.</summary>
        public bool HasFailed => _state.Failed;

        /// <summary>Checks an integer member.</summary>
        public void Check(int node, string member, long value)
        {
            if (!_state.Graph.Nodes[node].Accepts(value))
            {
                Walk(node, member, PrimitiveValue.Of(value));
            }
        }

        /// <summary>Checks a number member.</summary>
        public void Check(int node, string member, double value)
        {
            if (!_state.Graph.Nodes[node].Accepts(value))
            {
                Walk(node, member, PrimitiveValue.Of(value));
            }
        }

        /// <summary>Checks a string member (also the wire value of an open enum).</summary>
        public void Check(int node, string member, string value) => Walk(node, member, PrimitiveValue.Of(value));

        /// <summary>Checks a boolean member.</summary>
        public void Check(int node, string member, bool value)
        {
            if (!_state.Graph.Nodes[node].Accepts(value))
            {
                Walk(node, member, PrimitiveValue.Of(value));
            }
        }

        /// <summary>Checks a member sent as null (a nullable value the schema may or may not allow).</summary>
        public void CheckNull(int node, string member) => Walk(node, member, PrimitiveValue.Null);

        /// <summary>Checks a list member's own rules (type, item count, uniqueness); its items are checked one by one after <see cref="EnterItem"/>.</summary>
        /// <param name="node">The list's node.</param>
        /// <param name="member">The member.</param>
        /// <param name="count">How many items the list has.</param>
        /// <param name="unique">Whether its items are distinct, when the schema asks; null otherwise.</param>
        public void CheckList(int node, string member, int count, bool? unique) => Walk(node, member, PrimitiveValue.List(count, unique));

        /// <summary>Checks a member held as raw JSON.</summary>
        public void Check(int node, string member, JsonElement value)
        {
            _state.Enter(member);
            SchemaWalker<JsonElement, JsonElement.ArrayEnumerator, JsonElement.ObjectEnumerator, ElementAccess>.Check(ref _state, default, node, value);
            _state.Leave();
        }

        /// <summary>Records that a required member is missing (null).</summary>
        public void Missing(string member) => _state.Add("required", "a value", "null", member);

        /// <summary>Descends into a member (a nested object); pair with <see cref="Leave"/>.</summary>
        public void Enter(string member) => _state.Enter(member);

        /// <summary>Descends into a list item; pair with <see cref="Leave"/>.</summary>
        public void EnterItem(int index) => _state.EnterIndex(index);

        /// <summary>Returns from <see cref="Enter"/> or <see cref="EnterItem"/>.</summary>
        public void Leave() => _state.Leave();

        /// <summary>Checks the value at the current path (a list item, a union's branch), not a member of it.</summary>
        public void CheckHere(int node, long value)
        {
            if (!_state.Graph.Nodes[node].Accepts(value))
            {
                WalkHere(node, PrimitiveValue.Of(value));
            }
        }

        /// <summary>Checks the value at the current path.</summary>
        public void CheckHere(int node, double value)
        {
            if (!_state.Graph.Nodes[node].Accepts(value))
            {
                WalkHere(node, PrimitiveValue.Of(value));
            }
        }

        /// <summary>Checks the value at the current path.</summary>
        public void CheckHere(int node, string value) => WalkHere(node, PrimitiveValue.Of(value));

        /// <summary>Checks the value at the current path.</summary>
        public void CheckHere(int node, bool value)
        {
            if (!_state.Graph.Nodes[node].Accepts(value))
            {
                WalkHere(node, PrimitiveValue.Of(value));
            }
        }

        /// <summary>Checks the list at the current path (a list item that is itself a list).</summary>
        public void CheckListHere(int node, int count, bool? unique) => WalkHere(node, PrimitiveValue.List(count, unique));

        /// <summary>
        /// Checks a whole generated value at the current path as the JSON its converter writes: for schemas whose
        /// keywords are about the object as a whole (patternProperties, if/then/else, unevaluatedProperties), which no
        /// property-by-property check can see. Allocates the JSON it checks.
        /// </summary>
        /// <typeparam name="T">The generated type.</typeparam>
        /// <param name="node">The value's node.</param>
        /// <param name="value">The value.</param>
        /// <param name="converter">Its generated converter.</param>
        public void CheckWhole<T>(int node, T value, SchemaClients.Serialization.SchemaConverter<T> converter)
        {
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                converter.WriteValue(writer, value);
            }

            using JsonDocument document = JsonDocument.Parse(buffer.WrittenMemory);
            CheckHere(node, document.RootElement);
        }

        /// <summary>Checks the raw JSON value at the current path.</summary>
        public void CheckHere(int node, JsonElement value)
            => SchemaWalker<JsonElement, JsonElement.ArrayEnumerator, JsonElement.ObjectEnumerator, ElementAccess>.Check(ref _state, default, node, value);

        private void Walk(int node, string member, PrimitiveValue value)
        {
            _state.Enter(member);
            SchemaWalker<PrimitiveValue, NoCursor, NoCursor, PrimitiveAccess>.Check(ref _state, default, node, value);
            _state.Leave();
        }

        private void WalkHere(int node, PrimitiveValue value)
            => SchemaWalker<PrimitiveValue, NoCursor, NoCursor, PrimitiveAccess>.Check(ref _state, default, node, value);
    }
}

namespace SchemaClients.Validation
{
    /// <summary>A generated type that checks itself against its schema.</summary>
    public interface ISchemaValidated
    {
        /// <summary>Whether every rule of the schema holds. Allocates nothing.</summary>
        /// <returns><see langword="true"/> when the value is valid.</returns>
        bool IsValid();

        /// <summary>Checks every rule of the schema and returns each violation with its JSON path. Allocates nothing when the value is valid.</summary>
        /// <returns>The result; <see cref="ValidationResult.IsValid"/> when no rule is broken.</returns>
        ValidationResult Validate();
    }
}

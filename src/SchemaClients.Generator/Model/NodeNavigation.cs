namespace SchemaClients.Generator.Model
{
    /// <summary>Finding the subschemas that apply to parts of a value (a list's items, a map's values) in a document's nodes.</summary>
    internal static class NodeNavigation
    {
        private const int MaxHops = 16;

        /// <summary>The node every item of a list node must match, following <c>$ref</c> and one-element <c>allOf</c>; -1 when there is none.</summary>
        public static int ItemsOf(EquatableArray<SchemaNodeSpec> nodes, int id) => Follow(nodes, id, n => n.Items >= 0)?.Items ?? -1;

        /// <summary>The node other members of an object node must match; -1 when there is none.</summary>
        public static int AdditionalOf(EquatableArray<SchemaNodeSpec> nodes, int id) => Follow(nodes, id, n => n.AdditionalProperties >= 0)?.AdditionalProperties ?? -1;

        /// <summary>Whether a list node asks for distinct items.</summary>
        public static bool WantsUniqueItems(EquatableArray<SchemaNodeSpec> nodes, int id) => Follow(nodes, id, n => n.Constraints.UniqueItems) != null;

        /// <summary>The first node from <paramref name="id"/> on, through <c>$ref</c> and one-element <c>allOf</c>, that has what is asked; null when none within the hop limit.</summary>
        private static SchemaNodeSpec? Follow(EquatableArray<SchemaNodeSpec> nodes, int id, System.Func<SchemaNodeSpec, bool> has)
        {
            for (int hops = 0; hops < MaxHops && id >= 0 && id < nodes.Count; hops++)
            {
                SchemaNodeSpec node = nodes[id];
                if (has(node))
                {
                    return node;
                }

                id = Next(node);
            }

            return null;
        }

        private static int Next(SchemaNodeSpec node) => node.Ref >= 0 ? node.Ref : node.AllOf.Count == 1 ? node.AllOf[0] : -1;
    }
}

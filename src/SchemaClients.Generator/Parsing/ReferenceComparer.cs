using System.Collections.Generic;
using System.Runtime.CompilerServices;
using SchemaClients.Generator.Reading;

namespace SchemaClients.Generator.Parsing
{
    /// <summary>Compares syntax nodes by identity: one schema object is one node and one type, however it is reached.</summary>
    internal sealed class ReferenceComparer : IEqualityComparer<JsonSyntax>
    {
        public static readonly ReferenceComparer Instance = new ReferenceComparer();

        public bool Equals(JsonSyntax? x, JsonSyntax? y) => ReferenceEquals(x, y);

        public int GetHashCode(JsonSyntax obj) => RuntimeHelpers.GetHashCode(obj);
    }
}

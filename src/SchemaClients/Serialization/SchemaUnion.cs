using System;

namespace SchemaClients.Serialization
{
    /// <summary>
    /// The base of every generated union (<c>anyOf</c>/<c>oneOf</c> of shapes told apart by their JSON type): one
    /// value and which branch it is. Equality is by branch and value.
    /// </summary>
    public abstract class SchemaUnion : IEquatable<SchemaUnion>
    {
        /// <summary>Creates the union around one branch's value.</summary>
        /// <param name="value">The value.</param>
        /// <param name="branch">The branch's index in the schema.</param>
        protected SchemaUnion(object value, int branch)
        {
            Value = value ?? throw new ArgumentNullException(nameof(value));
            Branch = branch;
        }

        /// <summary>The value of whichever branch is set.</summary>
        public object Value { get; }

        /// <summary>The index of the branch that is set.</summary>
        protected int Branch { get; }

        /// <summary>The value as branch <paramref name="branch"/>; throws when another branch is set.</summary>
        /// <exception cref="InvalidOperationException">Another branch is set.</exception>
        protected T As<T>(int branch, string name)
            => Branch == branch ? (T)Value : throw new InvalidOperationException(GetType().Name + " holds another branch than " + name + ".");

        /// <inheritdoc />
        public bool Equals(SchemaUnion? other) => other is not null && other.GetType() == GetType() && Branch == other.Branch && Value.Equals(other.Value);

        /// <inheritdoc />
        public override bool Equals(object? obj) => Equals(obj as SchemaUnion);

        /// <inheritdoc />
        public override int GetHashCode() => Value.GetHashCode();

        /// <inheritdoc />
        public override string? ToString() => Value.ToString();
    }
}

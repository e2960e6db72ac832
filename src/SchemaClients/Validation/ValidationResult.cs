using System;
using System.Collections.Generic;

namespace SchemaClients.Validation
{
    /// <summary>The outcome of validating a request: valid, or every violation found.</summary>
    public readonly struct ValidationResult
    {
        private readonly List<SchemaViolation>? _violations;

        internal ValidationResult(List<SchemaViolation>? violations)
        {
            _violations = violations;
        }

        internal static ValidationResult From(List<global::SchemaClients.Shared.Validation.RawViolation>? found)
        {
            if (found == null || found.Count == 0)
            {
                return default;
            }

            var violations = new List<SchemaViolation>(found.Count);
            foreach (var v in found)
            {
                violations.Add(new SchemaViolation(v.Path, v.Rule, v.Limit, v.Actual));
            }

            return new ValidationResult(violations);
        }

        /// <summary>A valid result. Returning it allocates nothing.</summary>
        public static ValidationResult Success => default;

        /// <summary>Whether no rule was broken.</summary>
        public bool IsValid => _violations == null || _violations.Count == 0;

        /// <summary>Every violation, in schema order; empty when valid.</summary>
        public IReadOnlyList<SchemaViolation> Violations => (IReadOnlyList<SchemaViolation>?)_violations ?? Array.Empty<SchemaViolation>();

        /// <summary>Throws <see cref="SchemaValidationException"/> when any rule was broken.</summary>
        public void ThrowIfInvalid()
        {
            if (!IsValid)
            {
                throw new SchemaValidationException(Violations);
            }
        }

        /// <inheritdoc />
        public override string ToString() => IsValid ? "valid" : string.Join(Environment.NewLine, Violations);
    }

    /// <summary>Thrown by <see cref="ValidationResult.ThrowIfInvalid"/>; carries every violation.</summary>
    public sealed class SchemaValidationException : Exception
    {
        /// <summary>Creates the exception from the violations found.</summary>
        public SchemaValidationException(IReadOnlyList<SchemaViolation> violations)
            : base("The request breaks its schema:" + Environment.NewLine + string.Join(Environment.NewLine, violations))
        {
            Violations = violations;
        }

        /// <summary>Every violation found.</summary>
        public IReadOnlyList<SchemaViolation> Violations { get; }
    }

    /// <summary>
    /// Collects violations for generated validators. Allocates only when the first violation is added;
    /// a silent collector (used to test anyOf/oneOf branches) only remembers that something failed.
    /// </summary>
    public struct ViolationCollector
    {
        private List<SchemaViolation>? _violations;

        private ViolationCollector(bool silent)
        {
            _violations = null;
            IsSilent = silent;
        }

        /// <summary>A collector that records nothing; validators stop at the first failure.</summary>
        public static ViolationCollector Silent() => new ViolationCollector(true);

        /// <summary>Whether violations are dropped (branch testing) rather than kept.</summary>
        public bool IsSilent { get; }

        /// <summary>Records one violation.</summary>
        public void Add(string path, string rule, string limit, string actual)
        {
            if (!IsSilent)
            {
                (_violations ??= new List<SchemaViolation>()).Add(new SchemaViolation(path, rule, limit, actual));
            }
        }

        /// <summary>The result so far.</summary>
        public readonly ValidationResult ToResult() => new ValidationResult(_violations);
    }
}

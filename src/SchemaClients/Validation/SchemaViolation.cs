using System.Globalization;

namespace SchemaClients.Validation
{
    /// <summary>One broken rule: where (JSON path), which rule, the limit, and the value found.</summary>
    /// <param name="Path">JSON path of the value, for example <c>$.num_inference_steps</c> or <c>$.input_image[2]</c>.</param>
    /// <param name="Rule">The JSON Schema keyword that failed, for example <c>maximum</c> or <c>required</c>.</param>
    /// <param name="Limit">The limit the rule sets, as JSON text.</param>
    /// <param name="Actual">The value that broke it, as JSON text (or a short description for long values).</param>
    public sealed record SchemaViolation(string Path, string Rule, string Limit, string Actual)
    {
        /// <summary>A sentence for people: <c>$.steps: 80 breaks maximum 50</c>.</summary>
        public string Message => string.Format(CultureInfo.InvariantCulture, "{0}: {1} breaks {2} {3}", Path, Actual, Rule, Limit);

        /// <inheritdoc />
        public override string ToString() => Message;
    }
}

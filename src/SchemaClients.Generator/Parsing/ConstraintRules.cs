using System.Globalization;
using System.Text.RegularExpressions;
using SchemaClients.Generator.Model;
using SchemaClients.Generator.Reading;

namespace SchemaClients.Generator.Parsing
{
    /// <summary>A broken rule found at build time: the keyword, its limit as JSON text, and a sentence.</summary>
    internal sealed record RuleViolation(string Rule, string Limit, string Message);

    /// <summary>
    /// The rules of <see cref="Constraints"/> applied to values known at build time: defaults in schema
    /// files and constants in user code. The generated validators apply the same rules at run time; the
    /// shared case table in the tests holds them together.
    /// </summary>
    internal static class ConstraintRules
    {
        public static RuleViolation? CheckNumber(Constraints c, double n)
        {
            if (c.Minimum.HasValue && n < c.Minimum.Value)
            {
                return new RuleViolation("minimum", Format(c.Minimum.Value), "below the minimum " + Format(c.Minimum.Value));
            }

            if (c.Maximum.HasValue && n > c.Maximum.Value)
            {
                return new RuleViolation("maximum", Format(c.Maximum.Value), "above the maximum " + Format(c.Maximum.Value));
            }

            if (c.ExclusiveMinimum.HasValue && n <= c.ExclusiveMinimum.Value)
            {
                return new RuleViolation("exclusiveMinimum", Format(c.ExclusiveMinimum.Value), "not above the exclusive minimum " + Format(c.ExclusiveMinimum.Value));
            }

            if (c.ExclusiveMaximum.HasValue && n >= c.ExclusiveMaximum.Value)
            {
                return new RuleViolation("exclusiveMaximum", Format(c.ExclusiveMaximum.Value), "not below the exclusive maximum " + Format(c.ExclusiveMaximum.Value));
            }

            if (c.MultipleOf.HasValue && !Shared.SchemaRules.IsMultipleOf(n, c.MultipleOf.Value))
            {
                return new RuleViolation("multipleOf", Format(c.MultipleOf.Value), "not a multiple of " + Format(c.MultipleOf.Value));
            }

            return c.AllowedJson.Count == 0 ? null : CheckAllowed(c, JsonNumber(n)); // formatting only when there is a set to compare with
        }

        public static RuleViolation? CheckString(Constraints c, string value)
        {
            int length = Shared.SchemaRules.CodePointLength(value);
            if (c.MinLength.HasValue && length < c.MinLength.Value)
            {
                return new RuleViolation("minLength", Int(c.MinLength.Value), "shorter than " + Int(c.MinLength.Value) + " characters");
            }

            if (c.MaxLength.HasValue && length > c.MaxLength.Value)
            {
                return new RuleViolation("maxLength", Int(c.MaxLength.Value), "longer than " + Int(c.MaxLength.Value) + " characters");
            }

            if (c.Pattern != null && !Regex.IsMatch(value, EcmaRegex.ToDotNet(c.Pattern), RegexOptions.CultureInvariant))
            {
                return new RuleViolation("pattern", c.Pattern, "does not match the pattern " + c.Pattern);
            }

            return c.AllowedJson.Count == 0 ? null : CheckAllowed(c, JsonText.Quote(value));
        }

        public static RuleViolation? CheckBoolean(Constraints c, bool value) => c.AllowedJson.Count == 0 ? null : CheckAllowed(c, value ? "true" : "false");

        public static RuleViolation? CheckCount(Constraints c, int count)
        {
            if (c.MinItems.HasValue && count < c.MinItems.Value)
            {
                return new RuleViolation("minItems", Int(c.MinItems.Value), "fewer than " + Int(c.MinItems.Value) + " items");
            }

            if (c.MaxItems.HasValue && count > c.MaxItems.Value)
            {
                return new RuleViolation("maxItems", Int(c.MaxItems.Value), "more than " + Int(c.MaxItems.Value) + " items");
            }

            return null;
        }

        private static RuleViolation? CheckAllowed(Constraints c, string json)
        {
            if (c.AllowedJson.Count == 0)
            {
                return null;
            }

            JsonNode? value = JsonReader.Read(json).Root;
            foreach (string allowed in c.AllowedJson)
            {
                JsonNode? candidate = JsonReader.Read(allowed).Root;
                if (candidate == null || value == null)
                {
                    continue;
                }

                // Values reach here as primitives (typed constants, defaults): numbers compare by value.
                bool equal = candidate.IsNumber && value.IsNumber
                    ? candidate.NumberValue == value.NumberValue
                    : candidate.Kind == value.Kind && (!candidate.IsString || candidate.StringValue == value.StringValue);
                if (equal)
                {
                    return null;
                }
            }

            string rule = c.AllowedJson.Count == 1 ? "const" : "enum";
            string limit = c.AllowedJson.Count == 1 ? c.AllowedJson[0] : "[" + string.Join(",", c.AllowedJson) + "]";
            return new RuleViolation(rule, limit, c.AllowedJson.Count == 1 ? "not the constant " + limit : "not one of " + string.Join(", ", c.AllowedJson));
        }

        private static string JsonNumber(double n) => n.ToString("R", CultureInfo.InvariantCulture);

        public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

        private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
    }
}

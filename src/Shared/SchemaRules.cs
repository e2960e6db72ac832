using System;

namespace SchemaClients.Shared
{
    /// <summary>
    /// The JSON Schema number and string rules, in one file compiled into both the generator (which checks
    /// defaults at build time) and the runtime (which generated validators call), so the two agree by construction.
    /// </summary>
    internal static class SchemaRules
    {
        /// <summary>The length of a string as JSON Schema counts it: in code points, not UTF-16 units.</summary>
        public static int CodePointLength(string value)
        {
            int count = 0;
            for (int i = 0; i < value.Length; i++)
            {
                if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                {
                    i++;
                }

                count++;
            }

            return count;
        }

        /// <summary>Whether <paramref name="value"/> is a whole multiple of <paramref name="divisor"/>; exact for decimal values.</summary>
        public static bool IsMultipleOf(double value, double divisor)
        {
            if (double.IsInfinity(value) || double.IsNaN(value))
            {
                return false;
            }

            try
            {
                decimal quotient = (decimal)value / (decimal)divisor;
                return quotient == decimal.Truncate(quotient);
            }
            catch (OverflowException)
            {
                double q = value / divisor;
                return !double.IsInfinity(q) && Math.Abs(q - Math.Round(q)) < 1e-9;
            }
        }
    }
}

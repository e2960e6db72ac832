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

            if (divisor == 0 || double.IsInfinity(divisor) || double.IsNaN(divisor))
            {
                return false;
            }

            // Decimal holds 28 places: a divisor smaller than that (1e-30) becomes 0 there, so it is divided in double.
            if (Math.Abs(value) < 7.9e28)
            {
                try
                {
                    decimal d = (decimal)divisor;
                    if (d != 0m)
                    {
                        decimal quotient = (decimal)value / d;
                        return quotient == decimal.Truncate(quotient);
                    }
                }
                catch (OverflowException)
                {
                    // the quotient is past decimal's range: divided in double below
                }
            }

            double q = value / divisor;
            if (double.IsInfinity(q) || double.IsNaN(q))
            {
                return false;
            }

            // Past 2^53 every double is a whole number; below it, a quotient within a relative 1e-9 of one counts.
            return Math.Abs(q - Math.Round(q)) <= 1e-9 * Math.Max(1, Math.Abs(q));
        }
    }
}

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

        /// <summary>
        /// Whether a JSON number literal has no fractional part, read from its digits so that numbers past double's
        /// range count: <c>1e400</c> and <c>1.5e1</c> are integers, <c>1.5</c> and <c>1e-400</c> are not.
        /// </summary>
        public static bool IsIntegerLiteral(string literal)
        {
            int i = 0;
            if (i < literal.Length && literal[i] == '-')
            {
                i++;
            }

            int digits = 0, fraction = 0, trailingZeros = 0;
            bool inFraction = false, any = false;
            for (; i < literal.Length; i++)
            {
                char c = literal[i];
                if (c == '.')
                {
                    inFraction = true;
                    continue;
                }

                if (c < '0' || c > '9')
                {
                    break;
                }

                if (c != '0' || any)
                {
                    any |= c != '0';
                    digits++;
                }

                trailingZeros = c == '0' ? trailingZeros + 1 : 0;
                if (inFraction)
                {
                    fraction++;
                }
            }

            if (!any)
            {
                return true; // zero, in any notation
            }

            long exponent = 0;
            if (i < literal.Length && (literal[i] == 'e' || literal[i] == 'E'))
            {
                i++;
                bool negative = i < literal.Length && literal[i] == '-';
                if (i < literal.Length && (literal[i] == '-' || literal[i] == '+'))
                {
                    i++;
                }

                for (; i < literal.Length && literal[i] >= '0' && literal[i] <= '9'; i++)
                {
                    exponent = Math.Min(exponent * 10 + (literal[i] - '0'), 1_000_000_000L);
                }

                exponent = negative ? -exponent : exponent;
            }

            // value = significant digits x 10^(exponent - fraction); whole when the trailing zeros make up for a negative power.
            return exponent - fraction + trailingZeros >= 0;
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

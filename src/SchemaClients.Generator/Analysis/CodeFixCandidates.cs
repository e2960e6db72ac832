using System;
using System.Collections.Generic;
using System.Globalization;
using Microsoft.CodeAnalysis.CSharp;
using SchemaClients.Generator.Model;
using SchemaClients.Generator.Parsing;
using SchemaClients.Generator.Reading;

namespace SchemaClients.Generator.Analysis
{
    /// <summary>
    /// The replacement values a code fix offers, worked out by the analyzer (which has the rules) and
    /// carried to the fixer as C# literals in the diagnostic's properties.
    /// </summary>
    internal static class CodeFixCandidates
    {
        /// <summary>The nearest allowed number: clamped into range, then onto the nearest multiple that stays in range.</summary>
        /// <param name="c">The property's limits, to work out the candidate.</param>
        /// <param name="value">The value written.</param>
        /// <param name="integer">Whether the property is an integer.</param>
        /// <param name="isValid">The validator's verdict on a candidate: only a value it accepts is offered.</param>
        public static IReadOnlyList<string>? ForNumber(Constraints c, double value, bool integer, System.Func<double, bool> isValid)
        {
            double? fixedValue = Nearest(c, value, integer);
            if (fixedValue == null || !isValid(fixedValue.Value))
            {
                return null;
            }

            return new[] { integer ? ((long)fixedValue.Value).ToString(CultureInfo.InvariantCulture) : DoubleLiteral(fixedValue.Value) };
        }

        private static double? Nearest(Constraints c, double value, bool integer)
        {
            double low = c.Minimum ?? double.NegativeInfinity;
            double high = c.Maximum ?? double.PositiveInfinity;
            if (c.ExclusiveMinimum.HasValue)
            {
                if (!integer)
                {
                    if (value <= c.ExclusiveMinimum.Value)
                    {
                        return null; // no nearest double above an exclusive bound worth offering
                    }
                }
                else
                {
                    low = Math.Max(low, Math.Floor(c.ExclusiveMinimum.Value) + 1);
                }
            }

            if (c.ExclusiveMaximum.HasValue)
            {
                if (!integer)
                {
                    if (value >= c.ExclusiveMaximum.Value)
                    {
                        return null;
                    }
                }
                else
                {
                    high = Math.Min(high, Math.Ceiling(c.ExclusiveMaximum.Value) - 1);
                }
            }

            if (integer)
            {
                low = Math.Ceiling(low);
                high = Math.Floor(high);
            }

            if (low > high)
            {
                return null;
            }

            double result = Math.Min(Math.Max(value, low), high);
            if (c.MultipleOf.HasValue)
            {
                double m = c.MultipleOf.Value;
                double down = Math.Floor(result / m) * m;
                double up = Math.Ceiling(result / m) * m;
                double candidate = Math.Abs(result - down) <= Math.Abs(up - result) ? down : up;
                if (candidate < low)
                {
                    candidate = up;
                }

                if (candidate > high)
                {
                    candidate = down;
                }

                result = Math.Round(candidate, 10);
            }

            if (c.AllowedJson.Count > 0)
            {
                return null;
            }

            return double.IsInfinity(result) ? (double?)null : result;
        }

        private static string DoubleLiteral(double value)
        {
            string text = value.ToString("R", CultureInfo.InvariantCulture);
            return text.IndexOfAny(new[] { '.', 'E', 'e' }) >= 0 ? text : text + ".0";
        }

        /// <summary>For a string: cut to the maximum length, or the allowed values closest to what was written.</summary>
        public static IReadOnlyList<string>? ForString(Constraints c, string value, string brokenRule, System.Func<string, bool> isValid)
        {
            if (brokenRule == "maxLength" && c.MaxLength.HasValue)
            {
                string cut = TakeCodePoints(value, c.MaxLength.Value);
                return isValid(cut) ? new[] { SymbolDisplay.FormatLiteral(cut, quote: true) } : null;
            }

            if (brokenRule == "enum" || brokenRule == "const")
            {
                var candidates = new List<KeyValuePair<int, string>>();
                foreach (string json in c.AllowedJson)
                {
                    JsonSyntax? node = JsonReader.Read(json).Root;
                    if (node != null && node.IsString)
                    {
                        candidates.Add(new KeyValuePair<int, string>(Distance(value, node.StringValue!), node.StringValue!));
                    }
                }

                candidates.Sort((a, b) => a.Key != b.Key ? a.Key.CompareTo(b.Key) : string.CompareOrdinal(a.Value, b.Value));
                var result = new List<string>();
                for (int i = 0; i < candidates.Count && i < 3; i++)
                {
                    result.Add(SymbolDisplay.FormatLiteral(candidates[i].Value, quote: true));
                }

                return result.Count > 0 ? result : null;
            }

            return null;
        }

        private static string TakeCodePoints(string value, int count)
        {
            int index = 0;
            for (int taken = 0; taken < count && index < value.Length; taken++)
            {
                index += char.IsHighSurrogate(value[index]) && index + 1 < value.Length && char.IsLowSurrogate(value[index + 1]) ? 2 : 1;
            }

            return value.Substring(0, index);
        }

        /// <summary>Levenshtein distance, ignoring case, so "16x9" is close to "16:9".</summary>
        private static int Distance(string a, string b)
        {
            a = a.ToLowerInvariant();
            b = b.ToLowerInvariant();
            var previous = new int[b.Length + 1];
            var current = new int[b.Length + 1];
            for (int j = 0; j <= b.Length; j++)
            {
                previous[j] = j;
            }

            for (int i = 1; i <= a.Length; i++)
            {
                current[0] = i;
                for (int j = 1; j <= b.Length; j++)
                {
                    int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                    current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
                }

                int[] swap = previous;
                previous = current;
                current = swap;
            }

            return previous[b.Length];
        }
    }
}

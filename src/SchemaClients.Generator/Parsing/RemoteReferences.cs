using System;
using System.Text.RegularExpressions;

namespace SchemaClients.Generator.Parsing
{
    /// <summary>Tells, from the text alone, whether a schema file may reference another file (a <c>$ref</c> not starting with <c>#</c>).</summary>
    internal static class RemoteReferences
    {
        // "$ref", "$dynamicRef" or "$recursiveRef" followed by a string that does not start with '#'. Linear, and bounded.
        // Also a "$schema" that names no draft of json-schema.org: a meta-schema that may be a checked-in file.
        private static readonly Regex External = new Regex(
            "\"\\$(?:ref|dynamicRef|recursiveRef)\"\\s*:\\s*\"(?!#)|\"\\$schema\"\\s*:\\s*\"(?!https?://json-schema\\.org/)",
            RegexOptions.CultureInvariant | RegexOptions.Compiled,
            TimeSpan.FromSeconds(1));

        /// <summary>Whether <paramref name="text"/> may hold a reference to another document; true when it cannot tell in time.</summary>
        public static bool Any(string text)
        {
            if (text.IndexOf("Ref\"", StringComparison.Ordinal) < 0 && text.IndexOf("\"$ref\"", StringComparison.Ordinal) < 0 && text.IndexOf("\"$schema\"", StringComparison.Ordinal) < 0)
            {
                return false;
            }

            try
            {
                return External.IsMatch(text);
            }
            catch (RegexMatchTimeoutException)
            {
                return true;
            }
        }
    }
}

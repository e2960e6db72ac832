using System;
using System.Globalization;
using SchemaClients.Generator.Reading;

namespace SchemaClients.Generator.Parsing
{
    /// <summary>
    /// Resolves <c>$ref</c> inside one document: <c>#</c> and JSON pointers <c>#/...</c>, percent-escapes and
    /// <c>~0</c>/<c>~1</c> decoded. The validator graph and the C# types follow a reference the same way, through here.
    /// </summary>
    internal sealed class RefResolver
    {
        private readonly JsonSyntax _root;
        private readonly System.Collections.Generic.Dictionary<string, (JsonSyntax? Target, string? Why)> _resolved =
            new System.Collections.Generic.Dictionary<string, (JsonSyntax? Target, string? Why)>(System.StringComparer.Ordinal);

        /// <param name="root">What <c>#</c> points at: the document, or the schema an Oxen model object embeds.</param>
        public RefResolver(JsonSyntax root)
        {
            _root = root;
        }

        /// <summary>The node a reference points at, or null with why it does not resolve (the reason SCG0005 gives).</summary>
        public JsonSyntax? Resolve(string reference, out string? why)
        {
            if (_resolved.TryGetValue(reference, out (JsonSyntax? Target, string? Why) known))
            {
                why = known.Why;
                return known.Target;
            }

            JsonSyntax? target = ResolveUncached(reference, out why);
            _resolved[reference] = (target, why);
            return target;
        }

        private JsonSyntax? ResolveUncached(string reference, out string? why)
        {
            why = null;
            if (!reference.StartsWith("#", StringComparison.Ordinal))
            {
                why = "only references inside the same document ('#/...') are supported";
                return null;
            }

            string pointer = Uri.UnescapeDataString(reference.Substring(1));
            JsonSyntax current = _root;
            if (pointer.Length == 0)
            {
                return current;
            }

            if (pointer[0] != '/')
            {
                why = "anchors are not supported, only JSON pointers";
                return null;
            }

            foreach (string rawToken in pointer.Substring(1).Split('/'))
            {
                string token = rawToken.Replace("~1", "/").Replace("~0", "~");
                JsonSyntax? next = null;
                if (current.IsObject)
                {
                    next = current.Get(token);
                }
                else if (current.Kind == JsonKind.Array && int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out int index) && index < current.Items.Count)
                {
                    next = current.Items[index];
                }

                if (next == null)
                {
                    why = "'" + token + "' does not exist";
                    return null;
                }

                current = next;
            }

            return current;
        }

        /// <summary>One JSON pointer token for a name: <c>~</c> and <c>/</c> escaped.</summary>
        public static string Escape(string token) => token.Replace("~", "~0").Replace("/", "~1");
    }
}

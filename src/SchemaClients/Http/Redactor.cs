using System;
using System.Collections.Generic;
using System.Text;

namespace SchemaClients.Http
{
    /// <summary>
    /// The one place text is cleaned of a key before it leaves the runtime (exception messages and properties, log
    /// lines). It looks for the key in the text as written and as a reader would decode it (JSON escapes such as
    /// <c>\u002B</c> and <c>\/</c>, URL percent-encoding, up to two levels deep), masks
    /// every run of <see cref="FragmentLength"/> or more characters of the key (so a key cut by a server or by a
    /// truncation leaves nothing usable), the key's Base64 encodings at any alignment (standard and URL-safe: HTTP
    /// Basic credentials, tokens), and the value after an echoed auth header name. Masking over-reaches rather than
    /// under-reaches: a mask may cover a little text around the key, never less than the key.
    /// </summary>
    internal sealed class Redactor
    {
        /// <summary>The shortest run of key characters that is masked; shorter keys are masked only whole.</summary>
        public const int FragmentLength = 8;

        /// <summary>What replaces a masked run.</summary>
        public const string Mask = "***";

        private const int MaxDecodeDepth = 2;

        private readonly string _key;
        private readonly Dictionary<ulong, int[]> _grams;
        private readonly string[] _encodedForms;
        private readonly string[] _headerNames;

        /// <summary>Creates a redactor for one key.</summary>
        /// <param name="key">The key.</param>
        /// <param name="headerNames">Header names whose echoed value is masked whole (<c>Authorization</c>, <c>X-API-Key</c>).</param>
        public Redactor(string key, params string[] headerNames)
        {
            _key = key;
            _grams = new Dictionary<ulong, int[]>();
            if (key.Length >= FragmentLength)
            {
                var positions = new Dictionary<ulong, List<int>>();
                for (int i = 0; i + FragmentLength <= key.Length; i++)
                {
                    ulong hash = Hash(key.AsSpan(i, FragmentLength));
                    if (!positions.TryGetValue(hash, out List<int>? list))
                    {
                        positions[hash] = list = new List<int>();
                    }

                    list.Add(i);
                }

                foreach (KeyValuePair<ulong, List<int>> entry in positions)
                {
                    _grams[entry.Key] = entry.Value.ToArray();
                }
            }

            _encodedForms = Base64Forms(key);
            _headerNames = new string[headerNames.Length + 2];
            _headerNames[0] = "Authorization";
            _headerNames[1] = "Proxy-Authorization";
            headerNames.CopyTo(_headerNames, 2);
        }

        /// <summary>The text with every trace of the key masked.</summary>
        public string Redact(string text)
        {
            if (text.Length == 0)
            // Stryker disable once Block : the empty text's shortcut: without it the scan finds nothing and returns the same empty text
            {
                return text;
            }

            // Mask flags over the original text; each decoded view maps its characters back to spans of it.
            bool[]? masked = null;
            string view = text;
            int[]? starts = null; // null: the view is the text itself
            int[]? ends = null;
            for (int depth = 0; depth <= MaxDecodeDepth; depth++)
            {
                Scan(view, starts, ends, ref masked, text.Length);
                (string Text, int[]? Starts, int[]? Ends)? next = depth < MaxDecodeDepth ? Decode(view, starts, ends) : null;
                if (next == null)
                {
                    break;
                }

                (view, starts, ends) = next.Value;
            }

            return masked == null ? text : Apply(text, masked);
        }

        private void Scan(string view, int[]? starts, int[]? ends, ref bool[]? masked, int length)
        {
            ReadOnlySpan<char> span = view.AsSpan();
            if (_key.Length >= FragmentLength)
            {
                for (int i = 0; i + FragmentLength <= span.Length; i++)
                {
                    if (_grams.TryGetValue(Hash(span.Slice(i, FragmentLength)), out int[]? at) && Matches(span.Slice(i, FragmentLength), at))
                    {
                        Mark(ref masked, length, Start(starts, i), End(ends, i + FragmentLength - 1));
                    }
                }
            }
            else
            {
                MarkAll(span, _key, starts, ends, ref masked, length, StringComparison.Ordinal);
            }

            foreach (string form in _encodedForms)
            {
                MarkAll(span, form, starts, ends, ref masked, length, StringComparison.Ordinal);
            }

            foreach (string name in _headerNames)
            {
                MarkHeaderValues(span, name, starts, ends, ref masked, length);
            }
        }

        private bool Matches(ReadOnlySpan<char> window, int[] at)
        {
            foreach (int position in at)
            {
                if (window.SequenceEqual(_key.AsSpan(position, FragmentLength)))
                {
                    return true;
                }
            }

            // Stryker disable once Boolean : a window whose hash matches a key run but whose text does not needs a 64-bit FNV-1a collision
            return false;
        }

        private static void MarkAll(ReadOnlySpan<char> span, string what, int[]? starts, int[]? ends, ref bool[]? masked, int length, StringComparison comparison)
        {
            int from = 0;
            while (from < span.Length)
            {
                int at = span.Slice(from).IndexOf(what.AsSpan(), comparison);
                if (at < 0)
                {
                    return;
                }

                at += from;
                Mark(ref masked, length, Start(starts, at), End(ends, at + what.Length - 1));
                from = at + 1;
            }
        }

        /// <summary>Masks what follows <c>name</c> and a separator (<c>:</c>, <c>=</c>, quotes, spaces) up to the end of the value.</summary>
        private static void MarkHeaderValues(ReadOnlySpan<char> span, string name, int[]? starts, int[]? ends, ref bool[]? masked, int length)
        {
            int from = 0;
            while (from < span.Length)
            {
                int at = span.Slice(from).IndexOf(name.AsSpan(), StringComparison.OrdinalIgnoreCase);
                if (at < 0)
                {
                    return;
                }

                at += from;
                int i = at + name.Length;
                from = i;
                bool separated = false;
                while (i < span.Length && (span[i] is ':' or '=' or '"' or '\'' or ' ' or '\t'))
                {
                    separated |= span[i] is ':' or '=';
                    i++;
                }

                if (!separated)
                {
                    continue;
                }

                int start = i;
                while (i < span.Length && !(span[i] is '"' or '\'' or '\r' or '\n' or ',' or ';' or '&' or '}' or ']' or '<'))
                {
                    i++;
                }

                if (i > start)
                {
                    Mark(ref masked, length, Start(starts, start), End(ends, i - 1));
                }

                from = i;
            }
        }

        private static void Mark(ref bool[]? masked, int length, int start, int end)
        {
            masked ??= new bool[length];
            for (int i = start; i < end; i++)
            {
                masked[i] = true;
            }
        }

        private static string Apply(string text, bool[] masked)
        {
            var result = new StringBuilder(text.Length);
            for (int i = 0; i < text.Length; i++)
            {
                if (!masked[i])
                {
                    result.Append(text[i]);
                }
                else if (i == 0 || !masked[i - 1])
                {
                    result.Append(Mask);
                }
            }

            return result.ToString();
        }

        private static int Start(int[]? starts, int i) => starts == null ? i : starts[i];

        private static int End(int[]? ends, int i) => ends == null ? i + 1 : ends[i];

        /// <summary>
        /// One level of decoding: JSON string escapes (each <c>\uXXXX</c> on its own, so a surrogate pair comes out as
        /// its two halves) and runs of <c>%XX</c> (decoded together as UTF-8). Each decoded character keeps the span of
        /// the original text it came from (a percent run's characters share the run's span). Null when nothing was decoded.
        /// </summary>
        private static (string Text, int[]? Starts, int[]? Ends)? Decode(string view, int[]? starts, int[]? ends)
        {
            if (view.AsSpan().IndexOfAny('\\', '%') < 0)
            {
                return null;
            }

            var chars = new StringBuilder(view.Length);
            var newStarts = new List<int>(view.Length);
            var newEnds = new List<int>(view.Length);
            // Stryker disable once Boolean : a view with nothing decoded is the text again: scanning it twice marks the same runs
            bool changed = false;
            var bytes = new List<byte>();
            int i = 0;
            while (i < view.Length)
            {
                int consumed = 1;
                string decoded;
                if (JsonEscape(view, i) is char escaped)
                {
                    consumed = view[i + 1] == 'u' ? 6 : 2;
                    decoded = escaped.ToString();
                }
                else if (PercentByte(view, i) >= 0)
                {
                    bytes.Clear();
                    for (int value; (value = PercentByte(view, i + (3 * bytes.Count))) >= 0;)
                    {
                        bytes.Add((byte)value);
                    }

                    consumed = 3 * bytes.Count;
                    decoded = Encoding.UTF8.GetString(bytes.ToArray());
                }
                else
                {
                    decoded = view[i].ToString();
                }

                changed |= consumed > 1;
                int start = Start(starts, i);
                int end = End(ends, i + consumed - 1);
                foreach (char c in decoded)
                {
                    chars.Append(c);
                    newStarts.Add(start);
                    newEnds.Add(end);
                }

                i += consumed;
            }

            return changed ? (chars.ToString(), newStarts.ToArray(), newEnds.ToArray()) : null;
        }

        /// <summary>The character a JSON escape at <paramref name="i"/> stands for, or null when there is none there.</summary>
        private static char? JsonEscape(string s, int i)
        {
            if (s[i] != '\\' || i + 1 >= s.Length)
            {
                return null;
            }

            return s[i + 1] switch
            {
                '"' => '"',
                '\\' => '\\',
                '/' => '/',
                'b' => '\b',
                'f' => '\f',
                'n' => '\n',
                'r' => '\r',
                't' => '\t',
                'u' when i + 6 <= s.Length && TryHex(s.AsSpan(i + 2, 4), out int code) => (char)code,
                _ => null,
            };
        }

        /// <summary>The byte a <c>%XX</c> at <paramref name="i"/> stands for, or -1.</summary>
        private static int PercentByte(string s, int i)
            => i + 3 <= s.Length && s[i] == '%' && TryHex(s.AsSpan(i + 1, 2), out int value) ? value : -1;

        private static bool TryHex(ReadOnlySpan<char> digits, out int value)
        {
            value = 0;
            foreach (char c in digits)
            {
                int d = c is >= '0' and <= '9' ? c - '0' : c is >= 'a' and <= 'f' ? c - 'a' + 10 : c is >= 'A' and <= 'F' ? c - 'A' + 10 : -1;
                if (d < 0)
                {
                    return false;
                }

                value = (value * 16) + d;
            }

            return true;
        }

        private static ulong Hash(ReadOnlySpan<char> window)
        // Stryker disable once Block : the hash only spreads runs over buckets; every hit is compared in full, so a constant hash is slower, never wrong
        {
            ulong hash = 14695981039346656037UL;
            foreach (char c in window)
            {
                hash = (hash ^ c) * 1099511628211UL;
            }

            return hash;
        }

        /// <summary>
        /// The key's UTF-8 bytes in Base64 as they appear inside any longer encoded text: for each of the three byte
        /// alignments, the characters that depend on key bytes only; in the standard and the URL-safe alphabet.
        /// </summary>
        private static string[] Base64Forms(string key)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(key);
            var forms = new List<string>();
            for (int offset = 0; offset < 3; offset++)
            {
                var shifted = new byte[offset + bytes.Length];
                Array.Copy(bytes, 0, shifted, offset, bytes.Length);
                string encoded = Convert.ToBase64String(shifted);
                int first = ((8 * offset) + 5) / 6;
                int last = (8 * (offset + bytes.Length)) / 6;
                if (last - first >= FragmentLength)
                {
                    string form = encoded.Substring(first, last - first);
                    forms.Add(form);
                    string urlSafe = form.Replace('+', '-').Replace('/', '_');
                    if (urlSafe != form)
                    {
                        forms.Add(urlSafe);
                    }
                }
            }

            return forms.ToArray();
        }
    }
}

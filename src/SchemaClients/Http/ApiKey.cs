using System;

namespace SchemaClients.Http
{
    /// <summary>
    /// A provider API key. It never shows itself: <see cref="ToString"/> is masked, and every text the
    /// runtime puts in an exception or a log goes through <see cref="Redact"/> first.
    /// </summary>
    public sealed class ApiKey
    {
        private readonly string _value;
        private Redactor? _redactor;

        /// <summary>Wraps a key.</summary>
        /// <param name="value">The key; not empty.</param>
        public ApiKey(string value)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                throw new ArgumentException("An API key cannot be empty.", nameof(value));
            }

            _value = value;
        }

        /// <summary>Reads the key from an environment variable; null when the variable is unset or empty.</summary>
        /// <param name="variable">The variable name, for example <c>FAL_KEY</c>.</param>
        public static ApiKey? FromEnvironment(string variable)
        {
            string? value = Environment.GetEnvironmentVariable(variable);
            return string.IsNullOrWhiteSpace(value) ? null : new ApiKey(value);
        }

        /// <summary>The key itself, for the one place that needs it: the request header.</summary>
        internal string Reveal() => _value;

        /// <summary>
        /// Masks the key in <paramref name="text"/>: as written, JSON- or URL-escaped, Base64-encoded, any run of
        /// 8 or more of its characters, and the value of an echoed <c>Authorization</c> header. Each masked run becomes
        /// <c>***</c>; a mask may cover a little more than the key, never less.
        /// </summary>
        /// <param name="text">Any text that may contain the key.</param>
        // Stryker disable once Assignment : a cache: without it the same value is worked out again
        public string Redact(string text) => (_redactor ??= new Redactor(_value)).Redact(text);

        /// <inheritdoc />
        public override string ToString() => "ApiKey(***)";
    }
}

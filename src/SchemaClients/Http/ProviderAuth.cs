using SchemaClients.Shared;

namespace SchemaClients.Http
{
    /// <summary>How a provider wants its key: which header, and what goes before the key.</summary>
    /// <param name="Header">The header name, for example <c>Authorization</c> or <c>X-API-Key</c>.</param>
    /// <param name="Scheme">What precedes the key (<c>Bearer</c>, <c>Key</c>), or null for the bare key.</param>
    /// <param name="EnvironmentVariable">Where the key is read from when options give none.</param>
    public sealed record ProviderAuth(string Header, string? Scheme, string EnvironmentVariable)
    {
        /// <summary>Oxen: <c>Authorization: Bearer $OXEN_API_KEY</c>.</summary>
        public static ProviderAuth Oxen { get; } = From(ProviderProfiles.Oxen);

        /// <summary>fal: <c>Authorization: Key $FAL_KEY</c>.</summary>
        public static ProviderAuth Fal { get; } = From(ProviderProfiles.Fal);

        /// <summary>apiframe: <c>X-API-Key: $APIFRAME_API_KEY</c>.</summary>
        public static ProviderAuth Apiframe { get; } = From(ProviderProfiles.Apiframe);

        private static ProviderAuth From(ProviderProfile profile) => new(profile.AuthHeader, profile.AuthScheme, profile.KeyVariable);

        /// <summary>The header's value for a key: the scheme, a space and the key, or the bare key.</summary>
        internal string ValueFor(ApiKey key) => Scheme == null ? key.Reveal() : Scheme + " " + key.Reveal();
    }
}

namespace SchemaClients.Shared
{
    /// <summary>
    /// What the providers' documentation says about reaching them: the header and scheme the key goes in, the
    /// environment variable it is read from, and the hosts. One table, compiled into the generator (which writes it
    /// into each client), the runtime (<c>ProviderAuth.Oxen</c>, <c>Fal</c>, <c>Apiframe</c>) and the emulator
    /// (which checks the key as the provider would), so the three cannot drift apart.
    /// </summary>
    internal static class ProviderProfiles
    {
        /// <summary>Oxen: <c>Authorization: Bearer $OXEN_API_KEY</c> on <c>https://hub.oxen.ai</c>.</summary>
        public static readonly ProviderProfile Oxen = new ProviderProfile("oxen", "Authorization", "Bearer", "OXEN_API_KEY", "https://hub.oxen.ai", null);

        /// <summary>fal: <c>Authorization: Key $FAL_KEY</c>; sync runs on <c>https://fal.run</c>, the queue on <c>https://queue.fal.run</c>.</summary>
        public static readonly ProviderProfile Fal = new ProviderProfile("fal", "Authorization", "Key", "FAL_KEY", "https://fal.run", "https://queue.fal.run");

        /// <summary>apiframe: <c>X-API-Key: $APIFRAME_API_KEY</c> (the bare key) on <c>https://api.apiframe.ai</c>.</summary>
        public static readonly ProviderProfile Apiframe = new ProviderProfile("apiframe", "X-API-Key", null, "APIFRAME_API_KEY", "https://api.apiframe.ai", null);

        /// <summary>The profile of a provider by the name of its schema folder, in any case; null for a provider not documented here.</summary>
        public static ProviderProfile? Find(string provider)
        {
            switch (provider.ToLowerInvariant())
            {
                case "oxen": return Oxen;
                case "fal": return Fal;
                case "apiframe": return Apiframe;
                default: return null;
            }
        }
    }

    /// <summary>How one provider is reached, as its documentation gives it.</summary>
    internal sealed class ProviderProfile
    {
        public ProviderProfile(string name, string authHeader, string? authScheme, string keyVariable, string baseUrl, string? queueUrl)
        {
            Name = name;
            AuthHeader = authHeader;
            AuthScheme = authScheme;
            KeyVariable = keyVariable;
            BaseUrl = baseUrl;
            QueueUrl = queueUrl;
        }

        /// <summary>The provider's schema folder, in lower case: <c>schemas/fal/</c> holds fal's documents.</summary>
        public string Name { get; }

        /// <summary>The header the key goes in.</summary>
        public string AuthHeader { get; }

        /// <summary>What precedes the key in the header (<c>Bearer</c>, <c>Key</c>), or null for the bare key.</summary>
        public string? AuthScheme { get; }

        /// <summary>The environment variable the key is read from when the options give none.</summary>
        public string KeyVariable { get; }

        /// <summary>The base URL of the provider's API.</summary>
        public string BaseUrl { get; }

        /// <summary>The host of the provider's queue when it is not the base URL (fal), or null.</summary>
        public string? QueueUrl { get; }

        /// <summary>The header value for a key: the scheme, a space and the key, or the bare key.</summary>
        public string AuthValue(string key) => AuthScheme == null ? key : AuthScheme + " " + key;
    }
}

using System;
using SchemaClients.Http;

namespace SchemaClients.Clients
{
    /// <summary>What a generated client knows about its provider and model, from the schema file and the provider's documentation.</summary>
    /// <param name="Provider">The provider, as the schema folder names it (for example <c>fal</c>).</param>
    /// <param name="Model">The model id (for example <c>fal-ai/flux-2-flex</c>).</param>
    /// <param name="Auth">How the provider wants its key.</param>
    /// <param name="DefaultBaseAddress">The documented base URL, or null when the document names none (then the options must).</param>
    /// <param name="DefaultQueueBaseAddress">The documented queue base URL when it is another host, else null.</param>
    public sealed record ClientDescription(string Provider, string Model, ProviderAuth Auth, Uri? DefaultBaseAddress, Uri? DefaultQueueBaseAddress);
}

using System;

namespace SchemaClients.Http
{
    /// <summary>The one test of "an absolute http or https URL" the runtime applies to base addresses, image inputs, upload answers and result files.</summary>
    internal static class HttpUrls
    {
        /// <summary>Whether <paramref name="url"/> is absolute and its scheme is http or https.</summary>
        public static bool IsHttp(Uri? url)
            => url != null && url.IsAbsoluteUri && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp);

        /// <summary><paramref name="text"/> as an absolute http or https URL, else null.</summary>
        public static Uri? Parse(string? text)
            => text != null && Uri.TryCreate(text, UriKind.Absolute, out Uri? url) && IsHttp(url) ? url : null;
    }
}

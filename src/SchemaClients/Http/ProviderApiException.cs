using System;
using System.Net;

namespace SchemaClients.Http
{
    /// <summary>
    /// A provider answered with an error (after any retries). Carries the status code, the provider's request
    /// id when it sent one, and the start of the error body. The API key never appears in it.
    /// </summary>
    public sealed class ProviderApiException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public ProviderApiException(string provider, HttpStatusCode statusCode, string? requestId, string bodyExcerpt, int attempts)
            : base(provider + " answered " + (int)statusCode + " " + statusCode
                + (requestId != null ? " (request id " + requestId + ")" : string.Empty)
                + (attempts > 1 ? " after " + attempts + " attempts" : string.Empty)
                + (bodyExcerpt.Length > 0 ? ": " + bodyExcerpt : string.Empty))
        {
            Provider = provider;
            StatusCode = statusCode;
            RequestId = requestId;
            BodyExcerpt = bodyExcerpt;
            Attempts = attempts;
        }

        /// <summary>The provider, for example <c>fal</c>.</summary>
        public string Provider { get; }

        /// <summary>The HTTP status of the last attempt.</summary>
        public HttpStatusCode StatusCode { get; }

        /// <summary>The provider's request id (x-request-id or x-fal-request-id), if it sent one.</summary>
        public string? RequestId { get; }

        /// <summary>The first 500 characters of the error body, key redacted.</summary>
        public string BodyExcerpt { get; }

        /// <summary>How many attempts were made.</summary>
        public int Attempts { get; }
    }
}

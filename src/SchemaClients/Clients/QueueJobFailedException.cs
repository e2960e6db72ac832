using System;

namespace SchemaClients.Clients
{
    /// <summary>A queued request ended without a result: it failed or was cancelled.</summary>
    public sealed class QueueJobFailedException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public QueueJobFailedException(string provider, string jobId, string status, string? reason)
            : base(provider + " request " + jobId + " ended " + status + (string.IsNullOrEmpty(reason) ? "." : ": " + reason))
        {
            Provider = provider;
            JobId = jobId;
            Status = status;
            Reason = reason;
        }

        /// <summary>The provider.</summary>
        public string Provider { get; }

        /// <summary>The provider's id of the request.</summary>
        public string JobId { get; }

        /// <summary>The final status (for example failed, cancelled).</summary>
        public string Status { get; }

        /// <summary>The provider's reason, when it gave one.</summary>
        public string? Reason { get; }
    }
}

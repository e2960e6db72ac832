using System;
using System.Threading;
using System.Threading.Tasks;

namespace SchemaClients.Http
{
    /// <summary>Where a queued request stands, for progress reports.</summary>
    /// <param name="Status">The provider's status word, for example IN_QUEUE or processing.</param>
    /// <param name="QueuePosition">Requests ahead of this one, when the provider says.</param>
    /// <param name="Log">The latest log line, when the provider sends logs.</param>
    /// <param name="Elapsed">Time since waiting began.</param>
    public sealed record QueueProgress(string Status, int? QueuePosition, string? Log, TimeSpan Elapsed);

    /// <summary>Polls a queued request until it reaches a terminal status, reporting progress on the way.</summary>
    public static class QueueWaiter
    {
        /// <summary>
        /// Calls <paramref name="poll"/> every <paramref name="interval"/> until <paramref name="isTerminal"/> says
        /// the status is final, and returns that last status. Cancellation stops the wait at once.
        /// </summary>
        public static async Task<TStatus> WaitAsync<TStatus>(
            Func<CancellationToken, Task<TStatus>> poll,
            Func<TStatus, bool> isTerminal,
            Func<TStatus, TimeSpan, QueueProgress> describe,
            TimeSpan interval,
            IProgress<QueueProgress>? progress,
            CancellationToken cancellationToken)
        {
            var started = DateTimeOffset.UtcNow;
            QueueProgress? last = null;
            while (true)
            {
                TStatus status = await poll(cancellationToken).ConfigureAwait(false);
                QueueProgress now = describe(status, DateTimeOffset.UtcNow - started);
                if (progress != null && (last == null || now.Status != last.Status || now.QueuePosition != last.QueuePosition || now.Log != last.Log))
                {
                    progress.Report(now);
                }

                last = now;
                if (isTerminal(status))
                {
                    return status;
                }

                await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}

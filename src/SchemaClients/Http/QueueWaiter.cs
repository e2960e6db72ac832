using System;
using System.Threading;
using System.Threading.Tasks;

namespace SchemaClients.Http
{
    /// <summary>Where a queued request stands, for progress reports.</summary>
    /// <param name="Status">The provider's status word as sent, for example IN_QUEUE, processing or PROCESSING.</param>
    /// <param name="QueuePosition">Requests ahead of this one, when the provider says (fal).</param>
    /// <param name="Log">The latest log line (fal), or the provider's message about the job (an error), when there is one.</param>
    /// <param name="Elapsed">Time since waiting began.</param>
    public sealed record QueueProgress(string Status, int? QueuePosition, string? Log, TimeSpan Elapsed)
    {
        /// <summary>The provider's id of the job this is about (several can be waited for at once).</summary>
        public string? JobId { get; init; }

        /// <summary>How far the job is, 0 to 100, when the provider says (apiframe).</summary>
        public int? Percent { get; init; }

        /// <summary>Whether two reports say the same thing, elapsed time aside.</summary>
        internal bool SameAs(QueueProgress? other)
            => other != null && Status == other.Status && QueuePosition == other.QueuePosition && Log == other.Log && JobId == other.JobId && Percent == other.Percent;
    }

    /// <summary>Polls a queued request until it reaches a terminal status, reporting progress on the way.</summary>
    public static class QueueWaiter
    {
        /// <summary>
        /// Calls <paramref name="poll"/> every <paramref name="interval"/> until <paramref name="isTerminal"/> says
        /// the status is final, and returns that last status. Progress is reported each time what it says changes.
        /// Cancellation stops the wait at once.
        /// </summary>
        public static async Task<TStatus> WaitAsync<TStatus>(
            Func<CancellationToken, Task<TStatus>> poll,
            Func<TStatus, bool> isTerminal,
            Func<TStatus, TimeSpan, QueueProgress> describe,
            TimeSpan interval,
            IProgress<QueueProgress>? progress,
            CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(poll);
            ArgumentNullException.ThrowIfNull(isTerminal);
            ArgumentNullException.ThrowIfNull(describe);
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            QueueProgress? last = null;
            while (true)
            {
                TStatus status = await poll(cancellationToken).ConfigureAwait(false);
                QueueProgress now = describe(status, System.Diagnostics.Stopwatch.GetElapsedTime(started));
                if (progress != null && !now.SameAs(last))
                {
                    progress.Report(now);
                }

                last = now;
                if (isTerminal(status))
                {
                    return status;
                }

                // Stryker disable once Boolean : no caller's context is left to capture: this method has already suspended at an earlier await
                await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}

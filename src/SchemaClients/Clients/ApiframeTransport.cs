using System;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using SchemaClients.Http;

namespace SchemaClients.Clients
{
    /// <summary>
    /// apiframe's job protocol as its docs describe it: <c>POST /v2/images/generate</c> answers 202 with a job at once,
    /// the image comes later from <c>GET /v2/jobs/{id}</c> (<c>QUEUED</c>, <c>PROCESSING</c> with progress,
    /// <c>COMPLETED</c> or <c>FAILED</c>). Every generate carries an <c>Idempotency-Key</c> (apiframe honours it:
    /// the same key never makes a second job), the same on every retry of one call, so generate is retried like a GET.
    /// </summary>
    public sealed class ApiframeTransport
    {
        /// <summary>How often a job is polled when the options name no interval: apiframe's docs advise every 2 to 3 s for images.</summary>
        public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(2);

        private readonly ModelClientCore _core;
        private readonly string _generatePath;
        private readonly string _jobPath;

        /// <summary>Creates the transport.</summary>
        /// <param name="core">The client core.</param>
        /// <param name="generatePath">The generate path, <c>/v2/images/generate</c>.</param>
        /// <param name="jobPath">The job path template with one parameter, <c>/v2/jobs/{id}</c>.</param>
        public ApiframeTransport(ModelClientCore core, string generatePath, string jobPath)
        {
            _core = core ?? throw new ArgumentNullException(nameof(core));
            _generatePath = generatePath;
            _jobPath = jobPath;
        }

        /// <summary>
        /// Starts a job and returns it as apiframe answered (usually <c>QUEUED</c>). Sent with
        /// <paramref name="idempotencyKey"/> (a new GUID when null) as <c>Idempotency-Key</c>.
        /// </summary>
        /// <exception cref="ProviderApiException">apiframe answered with an error, or with no job id.</exception>
        public async Task<ApiframeJob> GenerateAsync(byte[] body, string? idempotencyKey, CancellationToken cancellationToken)
        {
            string key = string.IsNullOrWhiteSpace(idempotencyKey) ? Guid.NewGuid().ToString() : idempotencyKey!;
            ProviderAnswer answer = await _core.Http.SendForAnswerAsync(HttpMethod.Post, _core.Url(_generatePath), body, new CallOptions(IdempotencyKey: key), null, cancellationToken).ConfigureAwait(false);
            return ApiframeJob.Parse(answer.Json) ?? throw answer.Unexpected("no jobId");
        }

        /// <summary>Reads a job.</summary>
        public async Task<ApiframeJob> GetJobAsync(string jobId, CancellationToken cancellationToken)
        {
            ArgumentException.ThrowIfNullOrEmpty(jobId);
            JsonElement answer = await _core.SendForJsonAsync(HttpMethod.Get, ExpandJob(jobId), false, null, cancellationToken).ConfigureAwait(false);
            return ApiframeJob.Parse(answer, jobId)!;
        }

        /// <summary>
        /// Polls every <see cref="SchemaClientOptions.PollInterval"/> (default 2 s, as apiframe advises) until the job is
        /// COMPLETED or FAILED, reporting status and progress percentage as they change, and returns its last state.
        /// </summary>
        public Task<ApiframeJob> WaitAsync(string jobId, IProgress<QueueProgress>? progress, CancellationToken cancellationToken)
        {
            ArgumentException.ThrowIfNullOrEmpty(jobId);
            return _core.WaitWithTimeoutAsync(
                token => QueueWaiter.WaitAsync(
                    poll => GetJobAsync(jobId, poll),
                    job => job.IsTerminal,
                    (job, elapsed) => new QueueProgress(job.Status ?? "(no status)", null, job.Error, elapsed) { JobId = job.Id, Percent = job.Progress },
                    _core.PollInterval(DefaultPollInterval),
                    progress,
                    token),
                "job " + jobId + " did not finish",
                cancellationToken);
        }

        /// <summary>Starts a job and waits for it; returns the completed job.</summary>
        /// <exception cref="QueueJobFailedException">The job ended FAILED; its message carries apiframe's <c>error</c>.</exception>
        public async Task<ApiframeJob> GenerateAndWaitAsync(byte[] body, string? idempotencyKey, IProgress<QueueProgress>? progress, CancellationToken cancellationToken)
        {
            ApiframeJob started = await GenerateAsync(body, idempotencyKey, cancellationToken).ConfigureAwait(false);
            // Stryker disable once Boolean : no caller's context is left to capture: this method has already suspended at an earlier await
            ApiframeJob done = started.IsTerminal ? started : await WaitAsync(started.Id, progress, cancellationToken).ConfigureAwait(false);
            return done.State == ApiframeJobState.Completed
                ? done
                : throw _core.Http.JobFailed(done.Id, done.Status ?? "(no status)", done.Error);
        }

        private string ExpandJob(string jobId)
        {
            int open = _jobPath.IndexOf('{');
            int close = open < 0 ? -1 : _jobPath.IndexOf('}', open);
            return open < 0 || close < 0 ? _jobPath.TrimEnd('/') + "/" + Uri.EscapeDataString(jobId)
                : ModelClientCore.Expand(_jobPath, _jobPath.Substring(open + 1, close - open - 1), jobId);
        }
    }
}

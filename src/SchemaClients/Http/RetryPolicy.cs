using System;
using System.Net;
using System.Net.Http;
using System.Threading.Tasks;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace SchemaClients.Http
{
    /// <summary>When and how often a request is tried again.</summary>
    public sealed class RetryOptions
    {
        /// <summary>Retries after the first attempt (so attempts = this + 1). Default 3; 0 switches retries off.</summary>
        public int MaxRetries { get; init; } = 3;

        /// <summary>The first backoff delay; it doubles each retry, with jitter. Default 0.5 s. Also the wait before an event stream reconnects when the server names none.</summary>
        public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(500);

        /// <summary>No single wait is longer, Retry-After and an event stream's <c>retry:</c> included. Default 30 s.</summary>
        public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);

        /// <summary>Each attempt is given up after this long. Default 100 s.</summary>
        public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(100);

        /// <summary>
        /// Whether billed calls (generate, enqueue, submit: <see cref="RetryMode.BilledCall"/>) are retried like any
        /// other call, after a 5xx, a timeout or a connection lost after sending. Default false: such a retry can run
        /// and bill the job twice. Turn it on only when duplicate jobs cost you less than failed ones.
        /// </summary>
        public bool RetryBilledCalls { get; init; }

        /// <summary>Checks the values; the option's name is in the message of what is wrong.</summary>
        /// <exception cref="ArgumentOutOfRangeException">A value is negative, or a delay or timeout is not positive.</exception>
        public void Validate()
        {
            if (MaxRetries < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(MaxRetries), MaxRetries, "RetryOptions.MaxRetries cannot be negative; 0 switches retries off.");
            }

            if (BaseDelay < TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(BaseDelay), BaseDelay, "RetryOptions.BaseDelay cannot be negative.");
            }

            if (MaxDelay < TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(MaxDelay), MaxDelay, "RetryOptions.MaxDelay cannot be negative.");
            }

            if (AttemptTimeout <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(AttemptTimeout), AttemptTimeout, "RetryOptions.AttemptTimeout must be positive.");
            }
        }
    }

    /// <summary>How a call may be repeated when an attempt fails.</summary>
    public enum RetryMode
    {
        /// <summary>
        /// Repeating the call costs nothing (GET, the cancel PUT, a call with an idempotency key the provider honours):
        /// retried after 408, 429, 5xx, a timeout and any connection failure.
        /// </summary>
        Repeatable,

        /// <summary>
        /// A call that may start billed work (generate, enqueue, submit): retried only when the provider cannot have
        /// started it, that is after a 429 or a failure to connect (DNS, refused, TLS). Never after a 5xx, a timeout
        /// or a connection lost once the request was sent, unless <see cref="RetryOptions.RetryBilledCalls"/> is on.
        /// </summary>
        BilledCall,
    }

    /// <summary>
    /// The retry policy every call follows (<see cref="ProviderHttpClient"/> runs it in place; <see cref="Create"/>
    /// builds the same policy as a Polly pipeline for callers who compose their own). What is retried depends on the call's
    /// <see cref="RetryMode"/>: 429 honouring Retry-After always; 408, 5xx, timeouts and lost connections with
    /// exponential backoff and jitter only for repeatable calls; other 4xx never.
    /// </summary>
    public static class RetryPolicy
    {
        /// <summary>The key under which a call's <see cref="RetryMode"/> travels in the resilience context.</summary>
        public static readonly ResiliencePropertyKey<RetryMode> ModeKey = new("SchemaClients.RetryMode");

        /// <summary>Whether a status is worth trying again for a repeatable call.</summary>
        public static bool IsTransient(HttpStatusCode status) => status == HttpStatusCode.RequestTimeout || (int)status == 429 || (int)status >= 500;

        /// <summary>The mode a method has by its HTTP semantics: POST and PATCH may start work; the others are idempotent (RFC 9110, 9.2.2).</summary>
        public static RetryMode ModeOf(HttpMethod method)
            => method == HttpMethod.Post || method == HttpMethod.Patch ? RetryMode.BilledCall : RetryMode.Repeatable;

        /// <summary>
        /// Whether a failure to send can only have happened before anything reached the server: the name did not
        /// resolve, the connection was refused or not established, TLS failed, or a proxy refused the tunnel.
        /// </summary>
        public static bool NothingWasSent(HttpRequestException exception)
        {
            ArgumentNullException.ThrowIfNull(exception);
            return exception.HttpRequestError is HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError
                or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError;
        }

        /// <summary>Whether an attempt's outcome is tried again under <paramref name="mode"/>.</summary>
        public static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, RetryMode mode, RetryOptions options)
        {
            ArgumentNullException.ThrowIfNull(options);
            bool repeatable = mode == RetryMode.Repeatable || options.RetryBilledCalls;
            if (outcome.Result is { } response)
            {
                return (int)response.StatusCode == 429 || (repeatable && IsTransient(response.StatusCode));
            }

            return outcome.Exception switch
            {
                HttpRequestException e => repeatable || NothingWasSent(e),
                TimeoutRejectedException => repeatable,
                _ => false,
            };
        }

        /// <summary>
        /// Builds the pipeline for the options: a retry strategy (left out when <see cref="RetryOptions.MaxRetries"/>
        /// is 0) around a timeout per attempt. The call's mode is read from <see cref="ModeKey"/> in the context.
        /// </summary>
        /// <param name="options">The retry options; validated here.</param>
        /// <param name="onRetry">Called before each retry with the context, the attempt that failed (0-based) and the delay; may be null.</param>
        public static ResiliencePipeline<HttpResponseMessage> Create(RetryOptions options, Action<ResilienceContext, int, TimeSpan>? onRetry = null)
        {
            ArgumentNullException.ThrowIfNull(options);
            options.Validate();
            var builder = new ResiliencePipelineBuilder<HttpResponseMessage>();
            if (options.MaxRetries > 0)
            {
                builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
                {
                    MaxRetryAttempts = options.MaxRetries,
                    BackoffType = DelayBackoffType.Exponential,
                    // Stryker disable once Boolean : our DelayGenerator (DelayFor, with its own jitter) overrides Polly's jitter
                    UseJitter = true,
                    Delay = options.BaseDelay,
                    MaxDelay = options.MaxDelay,
                    ShouldHandle = args => new ValueTask<bool>(ShouldRetry(args.Outcome, args.Context.Properties.GetValue(ModeKey, RetryMode.Repeatable), options)),
                    DelayGenerator = args => new ValueTask<TimeSpan?>(DelayFor(args.AttemptNumber, args.Outcome, options)),
                    OnRetry = args =>
                    {
                        // Polly's retry disposes the answer of the attempt it retries (the pipeline test shows it), so it is not done here too
                        onRetry?.Invoke(args.Context, args.AttemptNumber, args.RetryDelay);
                        return default;
                    },
                });
            }

            return builder.AddTimeout(options.AttemptTimeout).Build();
        }

        /// <summary>
        /// The wait before retry number <paramref name="retry"/> + 1: the Retry-After the answer asked for, else
        /// <see cref="RetryOptions.BaseDelay"/> doubled per retry with jitter (between half and one and a half times
        /// it, so clients that failed together do not retry together); never more than <see cref="RetryOptions.MaxDelay"/>.
        /// </summary>
        /// <param name="retry">How many retries came before this one (0 for the first).</param>
        /// <param name="outcome">The attempt that failed.</param>
        /// <param name="options">The retry options.</param>
        public static TimeSpan DelayFor(int retry, Outcome<HttpResponseMessage> outcome, RetryOptions options)
        {
            ArgumentNullException.ThrowIfNull(options);
            TimeSpan? asked = outcome.Result is { } response ? RetryAfter(response) : null;
            double wait = asked.HasValue
                ? asked.Value.TotalMilliseconds
                : options.BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(retry, 30)) * (0.5 + Random.Shared.NextDouble());
            return TimeSpan.FromMilliseconds(Math.Min(wait, options.MaxDelay.TotalMilliseconds));
        }

        /// <summary>The wait a response asks for in Retry-After (seconds or a date), if any.</summary>
        public static TimeSpan? RetryAfter(HttpResponseMessage response)
        {
            ArgumentNullException.ThrowIfNull(response);
            var header = response.Headers.RetryAfter;
            if (header?.Delta is { } delta)
            {
                return delta;
            }

            if (header?.Date is { } date)
            {
                TimeSpan wait = date - DateTimeOffset.UtcNow;
                return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
            }

            return null;
        }
    }
}

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
        /// <summary>Retries after the first attempt (so attempts = this + 1). Default 3.</summary>
        public int MaxRetries { get; init; } = 3;

        /// <summary>The first backoff delay; it doubles each retry, with jitter. Default 0.5 s.</summary>
        public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(500);

        /// <summary>No single wait is longer, Retry-After included. Default 30 s.</summary>
        public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);

        /// <summary>Each attempt is given up after this long. Default 100 s.</summary>
        public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(100);
    }

    /// <summary>
    /// The resilience pipeline every call goes through: 429 honouring Retry-After, 408 and 5xx and
    /// connection failures with exponential backoff and jitter, bounded; never other 4xx.
    /// </summary>
    public static class RetryPolicy
    {
        /// <summary>Whether a status is worth trying again.</summary>
        public static bool IsTransient(HttpStatusCode status) => status == HttpStatusCode.RequestTimeout || (int)status == 429 || (int)status >= 500;

        /// <summary>Builds the pipeline for the options.</summary>
        public static ResiliencePipeline<HttpResponseMessage> Create(RetryOptions options)
        {
            return new ResiliencePipelineBuilder<HttpResponseMessage>()
                .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
                {
                    MaxRetryAttempts = Math.Max(0, options.MaxRetries),
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = options.BaseDelay,
                    MaxDelay = options.MaxDelay,
                    ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                        .Handle<HttpRequestException>()
                        .Handle<TimeoutRejectedException>()
                        .HandleResult(response => IsTransient(response.StatusCode)),
                    DelayGenerator = args =>
                    {
                        TimeSpan? retryAfter = args.Outcome.Result is { } response ? RetryAfter(response) : null;
                        return new ValueTask<TimeSpan?>(retryAfter.HasValue ? (retryAfter.Value > options.MaxDelay ? options.MaxDelay : retryAfter.Value) : null);
                    },
                    OnRetry = args =>
                    {
                        args.Outcome.Result?.Dispose(); // the failed response is not read again
                        return default;
                    },
                })
                .AddTimeout(options.AttemptTimeout)
                .Build();
        }

        /// <summary>The wait a response asks for in Retry-After (seconds or a date), if any.</summary>
        public static TimeSpan? RetryAfter(HttpResponseMessage response)
        {
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

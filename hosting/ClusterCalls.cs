using Orleans.Runtime;
using Orleans.Runtime.Messaging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace MemristorGrid.Hosting;

/// <summary>
/// The resilience pipeline around client → cluster calls (all of them idempotent here): a timeout per
/// attempt, retries with backoff on the failures a lost silo or gateway produces, and a circuit breaker
/// so a dead cluster fails fast instead of being hammered.
/// </summary>
public static class ClusterCalls
{
    /// <summary>The pause before the first retry (and before every one with a constant backoff).</summary>
    public static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(250);

    /// <param name="attemptTimeout">How long one attempt may wait for its answer.</param>
    /// <param name="retries">Attempts after the first.</param>
    /// <param name="backoff">Exponential (0.25 s doubling to 5 s) for calls that do work; constant 0.25 s for reads whose every
    /// attempt already waits <paramref name="attemptTimeout"/> (a poll that backed off to 5 s found a re-activated job seconds late).</param>
    public static ResiliencePipeline Create(TimeSpan attemptTimeout, int retries = 12, DelayBackoffType backoff = DelayBackoffType.Exponential) => new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder()
                .Handle<SiloUnavailableException>().Handle<OrleansMessageRejectionException>()
                .Handle<ConnectionFailedException>().Handle<TimeoutException>().Handle<TimeoutRejectedException>(),
            MaxRetryAttempts = retries,
            BackoffType = backoff,
            UseJitter = false,
            Delay = FirstPause,
            MaxDelay = TimeSpan.FromSeconds(5),
        })
        .AddCircuitBreaker(new CircuitBreakerStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<ConnectionFailedException>().Handle<SiloUnavailableException>(),
            FailureRatio = 1.0,
            MinimumThroughput = 8,
            SamplingDuration = TimeSpan.FromSeconds(30),
            BreakDuration = TimeSpan.FromSeconds(2),
        })
        .AddTimeout(attemptTimeout)
        .Build();
}

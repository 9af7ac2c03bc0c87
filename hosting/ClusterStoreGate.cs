using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace MemristorGrid.Hosting;

/// <summary>
/// Holds the silo back until its Redis (membership and grain state) answers, for at most
/// <see cref="ClusterSettings.RedisWait"/>. Pods start in any order: without this a silo that comes up
/// before Redis dies at once and the orchestrator restarts it in a back-off loop. While it waits the
/// process is alive (/healthz 200) and not ready (/ready 503), which is the truth.
/// Registered after the health endpoint and before the silo: hosted services start in order.
/// </summary>
public sealed class ClusterStoreGate(ClusterSettings settings, ILogger<ClusterStoreGate> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (settings.Redis is not { } redis) return;
        var options = settings.RedisOptions();
        options.AbortOnConnectFail = true;
        options.ConnectRetry = 1;
        options.ConnectTimeout = 2000;
        var deadline = DateTime.UtcNow + settings.RedisWait;
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = await ConnectionMultiplexer.ConnectAsync(options);
                await connection.GetDatabase().PingAsync();
                if (attempt > 1) logger.LogWarning("Redis at {Redis} answered after {Attempts} attempts; joining the cluster", redis, attempt);
                return;
            }
            catch (Exception e) when (Refused(e))
            {
                // Waiting cannot fix a password: say so at once.
                throw new ClusterStoreUnavailableException($"Redis at {redis} refused this silo: {(settings.RedisPassword is null
                    ? "it requires a password (set MEMGRID_REDIS_PASSWORD)" : "wrong password (MEMGRID_REDIS_PASSWORD)")}");
            }
            catch (Exception e) when (e is RedisConnectionException or RedisTimeoutException)
            {
                if (DateTime.UtcNow >= deadline)
                    throw new ClusterStoreUnavailableException($"Redis at {redis} did not answer within {settings.RedisWait.TotalSeconds:0} s ({Reason(e)})");
                if (attempt == 1) logger.LogWarning("waiting for Redis at {Redis} (up to {Seconds:0} s)", redis, settings.RedisWait.TotalSeconds);
                await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static bool Refused(Exception e) =>
        e is RedisConnectionException { FailureType: ConnectionFailureType.AuthenticationFailure }
        || (e is RedisServerException && (e.Message.StartsWith("NOAUTH", StringComparison.Ordinal) || e.Message.StartsWith("WRONGPASS", StringComparison.Ordinal)))
        || (e.InnerException is { } inner && Refused(inner));

    private static string Reason(Exception e) => e switch
    {
        RedisConnectionException c => c.FailureType switch
        {
            ConnectionFailureType.UnableToConnect or ConnectionFailureType.UnableToResolvePhysicalConnection => "nothing accepts connections there",
            ConnectionFailureType.AuthenticationFailure => "authentication failed",
            var other => other.ToString(),
        },
        _ => "timed out",
    };
}

/// <summary>The silo's clustering store never answered: a configuration or infrastructure problem, reported in one line.</summary>
public sealed class ClusterStoreUnavailableException(string message) : Exception(message);

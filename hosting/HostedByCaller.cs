using Microsoft.Extensions.Hosting;

namespace MemristorGrid.Hosting;

/// <summary>The lifetime of a host the CLI starts and stops itself (the embedded silo, a cluster client):
/// signals stay with the process. The default console lifetime would take Ctrl-C and SIGTERM to stop the
/// host instead, and the command running on it would never hear of them.</summary>
internal sealed class HostedByCaller : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

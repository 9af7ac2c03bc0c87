using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace MemristorGrid.Hosting;

/// <summary>
/// Liveness and readiness over HTTP for container orchestrators: <c>/healthz</c> answers 200 while the
/// process runs; <c>/ready</c> answers 200 only once this silo is Active in the cluster's membership
/// (it has joined), 503 before and while it shuts down. Registered before the silo so the probes
/// answer during a slow join.
/// </summary>
public sealed class HealthEndpoint(IServiceProvider services, ClusterSettings settings, ILogger<HealthEndpoint> logger) : IHostedService
{
    private HttpListener? _listener;
    private Task? _loop;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (settings.HealthPort <= 0) return Task.CompletedTask;
        _listener = new HttpListener();
        _listener.Prefixes.Add($"http://*:{settings.HealthPort}/");
        _listener.Start();
        _loop = Task.Run(ServeAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public bool IsReady()
    {
        var membership = services.GetService<IClusterMembershipService>();
        var local = services.GetService<ILocalSiloDetails>();
        if (membership is null || local is null) return false;
        return membership.CurrentSnapshot.GetSiloStatus(local.SiloAddress) == SiloStatus.Active;
    }

    private async Task ServeAsync()
    {
        while (_listener is { IsListening: true } listener)
        {
            HttpListenerContext context;
            try { context = await listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            try
            {
                var (status, body) = context.Request.Url?.AbsolutePath switch
                {
                    "/healthz" => (200, "alive"),
                    "/ready" => IsReady() ? (200, "ready") : (503, "not ready: the silo has not joined the cluster"),
                    _ => (404, "not found"),
                };
                context.Response.StatusCode = status;
                var bytes = System.Text.Encoding.UTF8.GetBytes(body + "\n");
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
            catch (Exception e) when (e is HttpListenerException or IOException) { logger.LogDebug(e, "health probe aborted"); }
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _listener?.Close();
        if (_loop is not null) await _loop;
    }
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MemristorGrid.Hosting;

/// <summary>A host holding an Orleans client of the cluster the settings name (through gateways or
/// Redis), with telemetry when configured. Quiet: its users print their own messages.</summary>
public static class ClientHost
{
    public static IHost Build(ClusterSettings settings, string serviceName = "memgrid")
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<Microsoft.Extensions.Hosting.IHostLifetime, HostedByCaller>();
        builder.UseOrleansClient(c => c.AddMemristorGridClient(settings));
        builder.Services.AddMemristorGridTelemetry(settings, serviceName);
        return builder.Build();
    }
}

using System.Net;
using System.Net.Sockets;
using MemristorGrid.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace MemristorGrid.Cluster.Tests;

/// <summary>The CLI's embedded silo starts only what a single-process run needs.</summary>
public sealed class EmbeddedClusterTests
{
    [Fact]
    public async Task The_embedded_silo_listens_on_its_silo_port_and_opens_no_gateway()
    {
        await using var cluster = await EmbeddedCluster.StartAsync();
        var endpoints = cluster.Services.GetRequiredService<IOptions<EndpointOptions>>().Value;
        Assert.Equal(0, endpoints.GatewayPort);
        Assert.Null(endpoints.GatewayListeningEndpoint);
        using var silo = new TcpClient();
        await silo.ConnectAsync(IPAddress.Loopback, endpoints.SiloPort); // the silo's own listener is up
        // And the co-hosted client reaches the silo's grains without a gateway.
        var status = await ClusterJobRunner.StatusAsync(cluster.Client, "no-such-job");
        Assert.Equal(0, status.Lanes);
    }
}

using System.Net;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using Orleans.Dashboard;

namespace MemristorGrid.Hosting.Web;

/// <summary>
/// The one web host of a silo (and of <c>memgrid</c> with <c>--metrics-port</c>): Kestrel on the pod's
/// address or loopback, serving
/// <list type="bullet">
/// <item><c>/healthz</c> and <c>/ready</c> for the kubelet, anonymous (they say only "alive" / "ready");</item>
/// <item><c>/metrics</c> (Prometheus), <c>/dashboard</c> (the Orleans Dashboard), <c>/jobs</c> (the live job
/// page) and <c>/api/jobs</c> behind <see cref="WebAccess"/>'s token — every endpoint not marked anonymous
/// requires it (the fallback policy).</item>
/// </list>
/// Any Host header is accepted: a scrape through a Service name or <c>kubectl port-forward</c> names
/// another host than the address bound.
/// </summary>
public static class WebSurface
{
    /// <summary>The web host on <see cref="ClusterSettings.WebPorts"/>, if any, with the token from the environment. It serves a
    /// silo (<see cref="HostingExtensions.UseMemristorGridSilo"/> adds the dashboard's silo side for the same ports).</summary>
    public static IHostBuilder AddWebSurface(this IHostBuilder host, ClusterSettings settings)
    {
        var ports = settings.WebPorts();
        return ports.Count == 0 ? host : host.AddWebSurface(settings, ports, WebAccess.FromEnvironment());
    }

    private static IHostBuilder AddWebSurface(this IHostBuilder host, ClusterSettings settings, IReadOnlyList<int> ports, WebAccess access) =>
        host.ConfigureWebHost(web => web
            .UseKestrel(k =>
            {
                foreach (int port in ports.Distinct()) k.Listen(settings.ListenAddress(), port);
                k.AddServerHeader = false;
            })
            // Authentication brings in data protection, whose hosted service loads a key ring at start and warns that it is
            // unencrypted; nothing here protects data with it (the session cookie is an HMAC of the token).
            .ConfigureLogging(logging => logging.AddFilter("Microsoft.AspNetCore.DataProtection", Microsoft.Extensions.Logging.LogLevel.Error))
            .ConfigureServices(services =>
            {
                services.AddSingleton(access);
                services.AddSingleton(new WebSettings(settings));
                // Keys in memory: none written to a read-only root file system.
                services.AddDataProtection().UseEphemeralDataProtectionProvider();
                services.AddSingleton<LiveJobs>();
                services.AddRouting();
                services.AddAuthentication(TokenAuthentication.Name).AddScheme<AuthenticationSchemeOptions, TokenAuthentication>(TokenAuthentication.Name, null);
                services.AddAuthorization(o => o.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
            })
            .Configure(app =>
            {
                app.UseRouting();
                app.UseAuthentication();
                app.UseAuthorization();
                app.UseEndpoints(Map);
            }));

    /// <summary>The meter provider's part: a scrape endpoint's exporter (mapped at <c>/metrics</c> below).</summary>
    public static MeterProviderBuilder AddScrapeExporter(this MeterProviderBuilder metrics) => metrics.AddPrometheusExporter();

    private static void Map(IEndpointRouteBuilder endpoints)
    {
        var services = endpoints.ServiceProvider;
        endpoints.MapGet("/healthz", () => Results.Text("alive\n")).AllowAnonymous();
        endpoints.MapGet("/ready", () => Readiness.IsReady(services)
            ? Results.Text("ready\n") : Results.Text("not ready: the silo has not joined the cluster\n", statusCode: 503)).AllowAnonymous();
        endpoints.MapPrometheusScrapingEndpoint("/metrics");
        LoginPage.Map(endpoints);
        JobsPage.Map(endpoints);
        endpoints.MapOrleansDashboard("/dashboard");
    }

    /// <summary>Where the pages are, for the line a process prints when it starts.</summary>
    public static string? Announcement(IServiceProvider services)
    {
        if (services.GetService<WebAccess>() is not { } access) return null;
        var settings = services.GetRequiredService<WebSettings>().Settings;
        var address = settings.ListenAddress();
        string host = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
        string url = $"http://{host}:{settings.WebPorts()[0]}";
        return $"web: {url}/jobs (live jobs), {url}/dashboard (Orleans), {url}/metrics; "
            + (access.Source is { } source ? $"token from {source}" : $"token for this process: {access.Token} (set {WebAccess.TokenVariable} to choose one)");
    }

    /// <summary>The settings the web host was built with (its ports and address), for the start-up line.</summary>
    private sealed record WebSettings(ClusterSettings Settings);
}

using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace MemristorGrid.Hosting.Web;

/// <summary><c>/jobs</c>, the live job page (progress, samples/s, energy per sample, per-tile heat, refreshed every
/// second from <c>/api/jobs</c>), for anyone without Grafana. The page is a static file; the numbers are <see cref="LiveJobs"/>'.</summary>
internal static class JobsPage
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private static readonly Lazy<string> Html = new(() =>
    {
        using var stream = typeof(JobsPage).Assembly.GetManifestResourceStream("MemristorGrid.Hosting.Web.jobs.html")
            ?? throw new InvalidOperationException("jobs.html is not embedded");
        return new StreamReader(stream).ReadToEnd();
    });

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/jobs", () => Results.Content(Html.Value, "text/html; charset=utf-8"));
        endpoints.MapGet("/api/jobs", async (LiveJobs live) => Results.Json(await live.ReadAsync(), Json));
    }
}

using Microsoft.Extensions.Hosting;

// The silo host. Localhost clustering for now; Redis and Kubernetes clustering arrive with the
// actor-system issue. Ctrl+C / SIGTERM stop the silo gracefully.
var builder = Host.CreateApplicationBuilder(args);
builder.UseOrleans(silo => silo.UseLocalhostClustering());
await builder.Build().RunAsync();

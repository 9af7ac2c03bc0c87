using System.CommandLine;
using MemristorGrid.Hosting;

// The silo host: the same command line as `memgrid silo` (hosting/SiloCommandLine.cs). Settings come
// from the options, else from the environment a pod gets (MEMGRID_*, POD_IP, OTEL_EXPORTER_OTLP_*).
// /healthz and /ready (ready once the silo joined the cluster) serve probes; SIGTERM stops it
// gracefully (exit 0). A silo whose membership row vanished (Redis restarted empty): one line, exit 75,
// for its orchestrator to start it again. Bad options: one line, exit 2; a Redis that never answers: one line, exit 1; any other
// start-up failure: one line, exit 70 (MEMGRID_DEBUG=1 adds the stack trace).
var root = SiloCommandLine.Configure(new RootCommand("MemristorGrid silo. " + SiloCommandLine.Description));
var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    foreach (var e in parse.Errors) Console.Error.WriteLine($"error: {e.Message}");
    Console.Error.WriteLine("Run 'MemristorGrid.Silo --help' for usage.");
    return 2;
}
try
{
    // The host's console lifetime owns SIGTERM (a graceful leave of up to SiloHost.ShutdownTimeout);
    // System.CommandLine's own handler would end the process 2 s into it with exit 143.
    return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });
}
catch (ClusterStoreUnavailableException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
catch (MemristorGrid.Engine.UserInputException e)
{
    // A setting from the environment (MEMGRID_*_PORT, the web token) that cannot be used: a usage error, as a bad option is.
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}
catch (Exception e)
{
    // A port in use, an unusable endpoint: the messages name it; the stack trace helps only developers.
    Console.Error.WriteLine($"error: the silo could not start: {Diagnostics.Messages(e)}");
    if (Diagnostics.ShowStackTraces) Console.Error.WriteLine(e);
    return 70;
}

using System.Diagnostics;
using MemristorGrid.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MemristorGrid.Cluster.Tests;

/// <summary>Real processes a test starts — a redis-server, silo processes — all killed at disposal.</summary>
internal sealed class Processes : IDisposable
{
    private readonly List<Process> _started = [];
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Process, System.Collections.Concurrent.ConcurrentQueue<string>> _logs = new();

    /// <summary>The last lines a process printed. Once it has exited, all of them: its last lines may still
    /// be on their way to the output handlers when <see cref="Process.HasExited"/> turns true (a test once
    /// missed a silo's last line that way), and only the parameterless WaitForExit waits for them.</summary>
    public string Tail(Process p)
    {
        if (p.HasExited) Task.Run(() => p.WaitForExit()).Wait(TimeSpan.FromSeconds(10));
        return _logs.TryGetValue(p, out var log) ? string.Join("\n", log) : "";
    }
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "memgrid-procs-" + Guid.NewGuid().ToString("N"));

    /// <summary>The web token of the processes started here; <see cref="Authorized"/> sends it.</summary>
    public const string WebToken = "test-token-0123456789abcdef";

    /// <summary>An HTTP client that sends <see cref="WebToken"/> as a bearer token.</summary>
    public static HttpClient Authorized(TimeSpan timeout)
    {
        var http = new HttpClient { Timeout = timeout };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", WebToken);
        return http;
    }

    public Process Start(string file, string args, string missing, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory is not null) info.WorkingDirectory = workingDirectory;
        // Every web host the tests start opens with this token (a test may set another).
        info.Environment[Hosting.Web.WebAccess.TokenVariable] = WebToken;
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;
        Process p;
        try { p = Process.Start(info) ?? throw new InvalidOperationException(missing); }
        catch (System.ComponentModel.Win32Exception) { throw new InvalidOperationException(missing); }
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        _logs[p] = log;
        void Keep(string? line) { if (line is null) return; log.Enqueue(line); while (log.Count > 2000) log.TryDequeue(out _); }
        p.OutputDataReceived += (_, e) => Keep(e.Data);
        p.ErrorDataReceived += (_, e) => Keep(e.Data);
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        _started.Add(p);
        return p;
    }

    /// <summary>A throw-away redis-server on a free loopback port; returns its connection string.</summary>
    public async Task<string> StartRedisAsync()
    {
        for (int attempt = 1; ; attempt++)
        {
            var (redis, connection) = await StartRedisAsync(EmbeddedCluster.FreePort());
            if (!redis.HasExited) return connection;
            if (attempt == 3) throw new InvalidOperationException($"redis-server exited:\n{Tail(redis)}");
        }
    }

    /// <summary>A redis-server on <paramref name="port"/>; the process has exited if it could not bind it.</summary>
    public async Task<(Process Process, string Connection)> StartRedisAsync(int port, string? password = null)
    {
        Directory.CreateDirectory(_dir);
        var redis = Start("redis-server", $"--port {port} --bind 127.0.0.1 --save \"\" --appendonly no --dir {_dir}{(password is null ? "" : $" --requirepass {password}")}",
            "redis-server not found: install it (apt-get install -y redis-server); .ci/run does");
        await WaitFor(() => redis.HasExited || CanConnect(port), "redis-server");
        return (redis, $"127.0.0.1:{port}");
    }

    /// <summary>A silo process (the silo/ project) clustered through <paramref name="redis"/>.</summary>
    public (Process Process, int SiloPort, int HealthPort) StartSilo(string redis, string extraArgs = "", IReadOnlyDictionary<string, string>? environment = null,
        string? workingDirectory = null)
    {
        var (p, siloPort, _, healthPort) = StartSiloProcess($"--redis {redis} {extraArgs}", environment, workingDirectory);
        return (p, siloPort, healthPort);
    }

    /// <summary><paramref name="count"/> silo processes clustered through <paramref name="redis"/>, returned once
    /// all are active (one that lost a port race is started again, with <paramref name="extraArgs"/> asked again
    /// for its index, so ports in them are fresh too).</summary>
    public async Task<List<(Process Process, int SiloPort, int HealthPort)>> StartSilosAsync(string redis, int count, Func<int, string>? extraArgs = null,
        string? password = null, ClusterTls? tls = null, IReadOnlyDictionary<string, string>? settings = null, string? workingDirectory = null)
    {
        var environment = new Dictionary<string, string>(settings ?? new Dictionary<string, string>());
        if (password is not null) environment["MEMGRID_REDIS_PASSWORD"] = password;
        if (tls is not null) (environment["MEMGRID_TLS_CERT"], environment["MEMGRID_TLS_KEY"], environment["MEMGRID_TLS_CA"]) = (tls.Certificate, tls.Key, tls.Authority);
        var silos = Enumerable.Range(0, count).Select(i => StartSilo(redis, extraArgs?.Invoke(i) ?? "", environment, workingDirectory)).ToList();
        // Silos compile fully optimised at start-up and share two cores with the other test assemblies: allow minutes.
        using var client = ClientHost.Build(new ClusterSettings { Redis = redis, RedisPassword = password, Tls = tls, ConnectTimeout = TimeSpan.FromSeconds(120) });
        await client.StartAsync();
        var management = client.Services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0);
        try
        {
            await WaitFor(() =>
            {
                for (int i = 0; i < silos.Count; i++)
                    if (LostAPortRace(silos[i].Process) || AskedToBeRestarted(silos[i].Process))
                        silos[i] = StartSilo(redis, extraArgs?.Invoke(i) ?? "", environment, workingDirectory);
                return management.GetHosts(onlyActive: true).GetAwaiter().GetResult().Count == count;
            }, $"{count} active silos", 150);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(e.Message + string.Concat(silos.Select((s, i) =>
                $"\n--- silo {i} ({(s.Process.HasExited ? $"exited {s.Process.ExitCode}" : "running")}):\n{Tail(s.Process)}")), e);
        }
        await client.StopAsync();
        return silos;
    }

    /// <summary>A silo process with localhost clustering (its own primary), reachable through its gateway.</summary>
    public (Process Process, int GatewayPort) StartLocalSilo(string extraArgs, IReadOnlyDictionary<string, string>? environment = null)
    {
        var (p, _, gatewayPort, _) = StartSiloProcess(extraArgs, environment);
        return (p, gatewayPort);
    }

    /// <summary>The silo/ executable on three fresh ports (silo, gateway, health), with <paramref name="args"/> added.</summary>
    private (Process Process, int SiloPort, int GatewayPort, int HealthPort) StartSiloProcess(string args, IReadOnlyDictionary<string, string>? environment, string? workingDirectory = null)
    {
        int[] ports = EmbeddedCluster.FreePorts(3);
        string dll = Path.Combine(AppContext.BaseDirectory, "MemristorGrid.Silo.dll");
        var p = Start("dotnet", $"\"{dll}\" --port {ports[0]} --gateway-port {ports[1]} --health-port {ports[2]} {args}", "dotnet not found", environment, workingDirectory);
        return (p, ports[0], ports[1], ports[2]);
    }

    /// <summary>
    /// <see cref="StartLocalSilo"/>, returning once its gateway accepts connections; a silo that lost a
    /// port race is started again with fresh ports (<paramref name="extraArgs"/> is asked again, so
    /// ports in it are fresh too).
    /// </summary>
    public async Task<(Process Process, int GatewayPort)> StartLocalSiloAsync(Func<string> extraArgs, IReadOnlyDictionary<string, string>? environment = null)
    {
        for (int attempt = 1; ; attempt++)
        {
            var (silo, gateway) = StartLocalSilo(extraArgs(), environment);
            await WaitFor(() => silo.HasExited || CanConnect(gateway), "the silo's gateway");
            if (!silo.HasExited) return (silo, gateway);
            if (attempt == 3 || !LostAPortRace(silo)) throw new InvalidOperationException($"the silo exited:\n{Tail(silo)}");
        }
    }

    /// <summary>
    /// Whether <paramref name="p"/> died because a port it was given got taken before it bound it (free
    /// ports are found by binding and releasing, and tests run side by side): then start it again. Orleans
    /// says "Address already in use", the silo "--health-port N is already in use", or, when a port a test
    /// picked for an extra option came round again among the silo's own, "… each needs its own port".
    /// </summary>
    public bool LostAPortRace(Process p) =>
        p.HasExited && Tail(p) is var output && (output.Contains("already in use", StringComparison.OrdinalIgnoreCase)
                                                 || output.Contains("each needs its own port", StringComparison.Ordinal));

    /// <summary>
    /// Whether <paramref name="p"/> exited with 75, the silo's "start me again" code: the cluster declared it
    /// dead while it was starved of CPU during start-up (two cores shared with other test assemblies), which
    /// its orchestrator answers by starting it again, as Kubernetes would.
    /// </summary>
    public static bool AskedToBeRestarted(Process p) => p.HasExited && p.ExitCode == 75;

    public static bool CanConnect(int port)
    {
        try { using var c = new System.Net.Sockets.TcpClient("127.0.0.1", port); return true; }
        catch (System.Net.Sockets.SocketException) { return false; }
    }

    public static async Task WaitFor(Func<bool> ready, string what, int seconds = 30, Func<string>? state = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!ready())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{what} did not come up in {seconds} s{(state is null ? "" : ": " + state())}");
            await Task.Delay(100);
        }
    }

    public void Dispose()
    {
        foreach (var p in _started)
        {
            try { if (!p.HasExited) p.Kill(entireProcessTree: true); p.WaitForExit(5000); }
            catch (InvalidOperationException) { }
            p.Dispose();
        }
        try { if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}

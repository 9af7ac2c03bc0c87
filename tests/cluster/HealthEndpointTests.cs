using MemristorGrid.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MemristorGrid.Cluster.Tests;

/// <summary>The silo process's probes and start-up: alive at once, ready only once it has joined the
/// cluster; a silo started before its Redis waits for it; bad settings end it with one line.</summary>
public sealed class HealthEndpointTests : IDisposable
{
    private readonly Processes _processes = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(2) };

    [Fact]
    public async Task Readiness_turns_on_only_after_the_silo_joined_the_cluster()
    {
        // The silo starts before its Redis, as pods may: it cannot join, so the "alive, not ready" window
        // is certain rather than a race against a fast join.
        for (int attempt = 1; ; attempt++)
        {
            int redisPort = EmbeddedCluster.FreePort();
            var silo = _processes.StartSilo($"127.0.0.1:{redisPort}");
            await Until(async () => silo.Process.HasExited || await Status(silo.HealthPort, "/healthz") == 200, "the liveness probe to answer");
            if (_processes.LostAPortRace(silo.Process) && attempt < 3) continue;
            Assert.False(silo.Process.HasExited, $"the silo process exited:\n{_processes.Tail(silo.Process)}");

            for (var hold = DateTime.UtcNow.AddSeconds(1.5); DateTime.UtcNow < hold; await Task.Delay(100))
            {
                Assert.Equal(200, await Status(silo.HealthPort, "/healthz"));
                Assert.Equal(503, await Status(silo.HealthPort, "/ready"));
            }

            var (redisProcess, redis) = await _processes.StartRedisAsync(redisPort);
            if (redisProcess.HasExited && attempt < 3)
            {
                // Someone else took the port: this silo must not join whatever listens there now.
                silo.Process.Kill(entireProcessTree: true);
                continue;
            }
            await Until(async () => silo.Process.HasExited || await Status(silo.HealthPort, "/ready") == 200, "the silo to become ready once Redis answers");
            Assert.False(silo.Process.HasExited, $"the silo process exited:\n{_processes.Tail(silo.Process)}");

            // Ready means joined: a client that finds the cluster through Redis sees this silo active.
            using var client = ClientHost.Build(new ClusterSettings { Redis = redis });
            await client.StartAsync();
            var hosts = await client.Services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
            Assert.Contains(hosts.Keys, s => s.ToString().Contains($":{silo.SiloPort}", StringComparison.Ordinal));
            Assert.Equal(404, await Status(silo.HealthPort, "/nothing"));
            // Outside a pod the probes listen on loopback only: the machine's other addresses refuse them.
            foreach (var address in System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
                         .SelectMany(n => n.GetIPProperties().UnicastAddresses).Select(a => a.Address).Where(a => !System.Net.IPAddress.IsLoopback(a) && !a.IsIPv6LinkLocal))
            {
                using var probe = new System.Net.Sockets.TcpClient(address.AddressFamily);
                Assert.ThrowsAny<System.Net.Sockets.SocketException>(() => probe.Connect(address, silo.HealthPort));
            }
            await client.StopAsync();
            return;
        }
    }

    [Fact]
    public async Task A_silo_whose_redis_never_answers_gives_up_with_one_line()
    {
        var silo = _processes.StartSilo($"127.0.0.1:{EmbeddedCluster.FreePort()}", "--redis-wait 1");
        Assert.True(silo.Process.WaitForExit(60_000), "the silo should give up");
        silo.Process.WaitForExit();
        string output = _processes.Tail(silo.Process);
        Assert.Equal(1, silo.Process.ExitCode);
        Assert.Matches(@"error: Redis at 127\.0\.0\.1:\d+ did not answer within 1 s", output);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--port abc", "--port must be a number in [1, 65535], got 'abc'")]
    [InlineData("--health-port 70000", "--health-port must be a number in [0, 65535]")]
    [InlineData("--colour blue", "Unrecognized command or argument '--colour'")]
    [InlineData("--port", "Required argument missing for option: '--port'")]
    public void Bad_silo_options_are_refused_with_one_line(string args, string message)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "MemristorGrid.Silo.dll");
        var p = _processes.Start("dotnet", $"\"{dll}\" {args}", "dotnet not found");
        Assert.True(p.WaitForExit(60_000));
        Assert.Equal(2, p.ExitCode);
        Assert.Contains(message, _processes.Tail(p), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", _processes.Tail(p), StringComparison.Ordinal);
    }

    /// <summary>Probes that arrive while the endpoint starts and stops (as a kubelet's do) get an answer or a
    /// refused connection; a request that is not HTTP gets 400. (The HttpListener race this server replaced
    /// crashed a silo once in the scaling benchmark; this loop did not reproduce it in three runs of the old code.)</summary>
    [Fact]
    public async Task Probes_during_start_and_stop_are_answered_and_garbage_is_refused()
    {
        int port = EmbeddedCluster.FreePort();
        var services = new ServiceCollection().BuildServiceProvider();
        using var stop = new CancellationTokenSource();
        int answered = 0;
        var hammer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
                if (await Status(port, "/healthz") == 200) Interlocked.Increment(ref answered);
        });
        for (int cycle = 0; cycle < 20; cycle++)
        {
            var endpoint = new HealthEndpoint(services, new ClusterSettings { HealthPort = port }, Microsoft.Extensions.Logging.Abstractions.NullLogger<HealthEndpoint>.Instance);
            await endpoint.StartAsync(CancellationToken.None);
            Assert.Equal(503, await Status(port, "/ready")); // no silo in this container: never ready
            await Task.Delay(20);
            await endpoint.StopAsync(CancellationToken.None);
        }
        var last = new HealthEndpoint(services, new ClusterSettings { HealthPort = port }, Microsoft.Extensions.Logging.Abstractions.NullLogger<HealthEndpoint>.Instance);
        await last.StartAsync(CancellationToken.None);
        stop.Cancel();
        await hammer;
        Assert.True(answered > 0);
        using (var raw = new System.Net.Sockets.TcpClient("127.0.0.1", port))
        {
            var stream = raw.GetStream();
            await stream.WriteAsync("hello\r\n\r\n"u8.ToArray());
            var reply = await new StreamReader(stream).ReadToEndAsync();
            Assert.StartsWith("HTTP/1.1 400 Bad Request", reply);
        }
        Assert.Equal(404, await Status(port, "/metrics"));
        await last.StopAsync(CancellationToken.None);
    }

    private async Task<int> Status(int port, string path)
    {
        try { return (int)(await _http.GetAsync($"http://127.0.0.1:{port}{path}")).StatusCode; }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException or System.Net.Sockets.SocketException) { return 0; } // no answer (e.g. stopped mid-request)
    }

    private static async Task Until(Func<Task<bool>> condition, string what)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(60); !await condition(); await Task.Delay(50))
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
    }

    public void Dispose()
    {
        _http.Dispose();
        _processes.Dispose();
    }
}

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
            Assert.Equal(401, await Status(silo.HealthPort, "/nothing")); // anonymous: not even whether a page exists
            await OnlyTheProbesAreAnonymous(silo.HealthPort);
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

    /// <summary>
    /// The web host answers the probes to anyone and everything else only with the token: anonymous or wrong-token
    /// requests for metrics, the job API and the dashboard get 401, a browser is sent to the login form; with the
    /// token, /metrics answers whatever Host header the request names (a Service name, a port-forward). A request
    /// that is not HTTP gets 400.
    /// </summary>
    private async Task OnlyTheProbesAreAnonymous(int port)
    {
        string url = $"http://127.0.0.1:{port}";
        foreach (var path in new[] { "/metrics", "/api/jobs", "/jobs", "/dashboard" })
            Assert.Equal(401, await Status(port, path));
        using var wrong = new HttpClient();
        wrong.DefaultRequestHeaders.Authorization = new("Bearer", "not-the-token-0123456789");
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await wrong.GetAsync($"{url}/metrics")).StatusCode);

        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var page = new HttpRequestMessage(HttpMethod.Get, $"{url}/jobs");
        page.Headers.Accept.ParseAdd("text/html");
        var redirect = await browser.SendAsync(page);
        Assert.Equal(System.Net.HttpStatusCode.Redirect, redirect.StatusCode);
        Assert.Equal("/login?return=%2Fjobs", redirect.Headers.Location?.OriginalString);

        using var authorized = Processes.Authorized(TimeSpan.FromSeconds(10));
        foreach (var host in new[] { "silo.memristorgrid.svc.cluster.local", "localhost:9464" })
        {
            var scrape = new HttpRequestMessage(HttpMethod.Get, $"{url}/metrics");
            scrape.Headers.Host = host;
            var reply = await authorized.SendAsync(scrape);
            Assert.Equal(System.Net.HttpStatusCode.OK, reply.StatusCode);
            Assert.Contains("# TYPE ", await reply.Content.ReadAsStringAsync(), StringComparison.Ordinal); // Orleans' own series exist before any job
        }
        Assert.Equal(System.Net.HttpStatusCode.OK, (await authorized.GetAsync($"{url}/api/jobs")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await authorized.GetAsync($"{url}/nothing")).StatusCode);
        // Basic with the token as password, as a browser's prompt or curl -u sends it.
        using var basic = new HttpClient();
        basic.DefaultRequestHeaders.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("anyone:" + Processes.WebToken)));
        Assert.Equal(System.Net.HttpStatusCode.OK, (await basic.GetAsync($"{url}/jobs")).StatusCode);

        using var raw = new System.Net.Sockets.TcpClient("127.0.0.1", port);
        var stream = raw.GetStream();
        await stream.WriteAsync("hello\r\n\r\n"u8.ToArray());
        Assert.StartsWith("HTTP/1.1 400", await new StreamReader(stream).ReadLineAsync() ?? "");
    }

    /// <summary>A setting from the environment that is no port is named and refused (exit 2), not replaced by the default
    /// or failed deep in the start; so is a web token too short to be a secret.</summary>
    [Theory]
    [InlineData("MEMGRID_SILO_PORT", "abc", "MEMGRID_SILO_PORT must be a port in [1, 65535], got 'abc'")]
    [InlineData("MEMGRID_HEALTH_PORT", "99999", "MEMGRID_HEALTH_PORT must be a port in [0, 65535], got '99999'")]
    [InlineData("MEMGRID_GATEWAY_PORT", "30000\u001b[31m", "MEMGRID_GATEWAY_PORT must be a port in [1, 65535], got '30000?[31m'")]
    [InlineData("MEMGRID_WEB_TOKEN", "short", "the web token must be at least 16 characters")]
    [InlineData("MEMGRID_FAILURE_DETECTION_SECONDS", "0.1", "MEMGRID_FAILURE_DETECTION_SECONDS must be a number of seconds in [1, 120], got '0.1'")]
    [InlineData("MEMGRID_FAILURE_DETECTION_SECONDS", "NaN", "MEMGRID_FAILURE_DETECTION_SECONDS must be a number of seconds in [1, 120], got 'NaN'")]
    public void Bad_silo_settings_from_the_environment_are_refused_with_one_line(string variable, string value, string message)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "MemristorGrid.Silo.dll");
        int[] ports = EmbeddedCluster.FreePorts(3);
        var p = _processes.Start("dotnet", $"\"{dll}\" --port {ports[0]} --gateway-port {ports[1]} --health-port {ports[2]}", "dotnet not found",
            new Dictionary<string, string> { [variable] = value });
        Assert.True(p.WaitForExit(60_000));
        p.WaitForExit();
        string output = _processes.Tail(p);
        Assert.True(p.ExitCode == 2, $"exit {p.ExitCode}:\n{output}");
        Assert.Contains(message, output, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
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

using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace MemristorGrid.Hosting;

/// <summary>
/// Liveness and readiness over HTTP for container orchestrators: <c>/healthz</c> answers 200 while the
/// process runs; <c>/ready</c> answers 200 only once this silo is Active in the cluster's membership
/// (it has joined), 503 before, while it shuts down, and once its row has vanished from the membership
/// table (<see cref="MembershipWatchdog"/>). Registered before the silo so the probes
/// answer during a slow join.
/// </summary>
/// <remarks>Served by a plain <see cref="TcpListener"/>, not <c>HttpListener</c>: the managed HttpListener
/// on Linux can crash the process when a connection arrives while it starts (dotnet/corefx#35191; seen
/// here once a probe polled a starting silo), and probes poll exactly then.</remarks>
public sealed class HealthEndpoint(IServiceProvider services, ClusterSettings settings, ILogger<HealthEndpoint> logger) : IHostedService
{
    private TcpListener? _listener;
    private Task? _loop;
    private readonly CancellationTokenSource _stop = new();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (settings.HealthPort <= 0) return Task.CompletedTask;
        // The pod's own address (where the kubelet probes), else loopback: never every interface.
        _listener = new TcpListener(settings.ListenAddress(), settings.HealthPort);
        _listener.Start();
        _loop = Task.Run(ServeAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public bool IsReady()
    {
        var membership = services.GetService<IClusterMembershipService>();
        var local = services.GetService<ILocalSiloDetails>();
        if (membership is null || local is null || services.GetService<MembershipWatchdog>() is { MembershipLost: true }) return false;
        return membership.CurrentSnapshot.GetSiloStatus(local.SiloAddress) == SiloStatus.Active;
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient connection;
            try { connection = await _listener!.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { return; }
            _ = AnswerAsync(connection);
        }
    }

    /// <summary>One HTTP/1.1 request: GET /healthz or /ready; the connection is closed after the answer.</summary>
    private async Task AnswerAsync(TcpClient connection)
    {
        using var _ = connection;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            var stream = connection.GetStream();
            string? path = await RequestPathAsync(stream, timeout.Token);
            var (status, reason, body) = path switch
            {
                null => (400, "Bad Request", "bad request"),
                "/healthz" => (200, "OK", "alive"),
                "/ready" => IsReady() ? (200, "OK", "ready") : (503, "Service Unavailable", "not ready: the silo has not joined the cluster"),
                _ => (404, "Not Found", "not found"),
            };
            byte[] content = Encoding.UTF8.GetBytes(body + "\n");
            byte[] head = Encoding.ASCII.GetBytes($"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {content.Length}\r\nConnection: close\r\n\r\n");
            await stream.WriteAsync(head, timeout.Token);
            await stream.WriteAsync(content, timeout.Token);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            logger.LogDebug(e, "health probe aborted");
        }
    }

    /// <summary>The path of the request line once the headers have arrived; null for anything that is not a request (or over 8 kB).</summary>
    private static async Task<string?> RequestPathAsync(NetworkStream stream, CancellationToken cancel)
    {
        var buffer = new byte[8192];
        int length = 0;
        while (length < buffer.Length)
        {
            int read = await stream.ReadAsync(buffer.AsMemory(length), cancel);
            if (read == 0) return null;
            length += read;
            if (buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8) >= 0) break;
        }
        string requestLine = Encoding.ASCII.GetString(buffer, 0, Math.Max(0, buffer.AsSpan(0, length).IndexOf("\r\n"u8)));
        var parts = requestLine.Split(' ');
        if (parts.Length != 3 || !parts[2].StartsWith("HTTP/", StringComparison.Ordinal)) return null;
        string target = parts[1];
        int query = target.IndexOfAny(['?', '#']);
        return query >= 0 ? target[..query] : target;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stop.Cancel();
        _listener?.Stop();
        if (_loop is not null) await _loop;
        _stop.Dispose();
    }
}

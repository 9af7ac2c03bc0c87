using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Hosting;

namespace MemristorGrid.Hosting.Telemetry;

/// <summary>
/// Sends the configured OTLP endpoint one empty trace export at start, in the configured protocol, and prints one
/// <c>warning:</c> line on standard error when it is refused: nothing listens, it answers another protocol (an
/// OTLP/HTTP receiver asked for gRPC, or the reverse: the exporter would drop every batch in silence), or it
/// answers an error. The exporter itself only reports failures to its EventSource, which nobody sees.
/// The check runs beside the start-up (it does not delay a job) and once.
/// </summary>
public sealed class OtlpEndpointCheck(ClusterSettings settings) : IHostedService
{
    private const string GrpcTraceExport = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
    private Task? _check;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (settings.OtlpEndpoint is { } endpoint)
            _check = Task.Run(async () => { if (await ProblemAsync(endpoint, settings.OtlpProtocol) is { } problem) Console.Error.WriteLine($"warning: {problem}"); }, CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_check is not null) await _check.WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    /// <summary>What is wrong with exporting to <paramref name="endpoint"/> in <paramref name="protocol"/>; null when an empty export is accepted.</summary>
    public static async Task<string?> ProblemAsync(string endpoint, string protocol)
    {
        bool grpc = protocol != "http/protobuf";
        string name = grpc ? "OTLP/gRPC" : "OTLP/HTTP (http/protobuf)";
        string other = grpc ? "--otlp-protocol http/protobuf (port 4318)" : "--otlp-protocol grpc (port 4317)";
        using var http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(3) }) { Timeout = TimeSpan.FromSeconds(5) };
        // gRPC: one frame (uncompressed, an empty ExportTraceServiceRequest) over HTTP/2 with prior knowledge; HTTP: an empty body.
        var content = new ByteArrayContent(grpc ? new byte[5] : []);
        var request = grpc
            ? new HttpRequestMessage(HttpMethod.Post, endpoint.TrimEnd('/') + GrpcTraceExport)
            { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact, Content = content }
            : new HttpRequestMessage(HttpMethod.Post, HostingExtensions.HttpSignalEndpoint(endpoint, "traces")) { Content = content };
        content.Headers.ContentType = new MediaTypeHeaderValue(grpc ? "application/grpc" : "application/x-protobuf");
        if (grpc) request.Headers.TryAddWithoutValidation("te", "trailers");
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead);
            if (grpc)
            {
                string? status = response.TrailingHeaders.TryGetValues("grpc-status", out var t) ? t.FirstOrDefault()
                    : response.Headers.TryGetValues("grpc-status", out var h) ? h.FirstOrDefault() : null;
                if (response.IsSuccessStatusCode && status == "0") return null;
                return $"the OTLP endpoint {endpoint} refused an {name} export (HTTP {(int)response.StatusCode}, grpc-status {status ?? "none"}); "
                    + $"telemetry will not arrive. If it is an OTLP/HTTP receiver, use {other}";
            }
            if (response.IsSuccessStatusCode) return null;
            return $"the OTLP endpoint {endpoint} refused an {name} export to /v1/traces (HTTP {(int)response.StatusCode}); telemetry will not arrive. "
                + $"If it is an OTLP/gRPC receiver, use {other}";
        }
        catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.ConnectionError && e.InnerException is System.Net.Sockets.SocketException)
        {
            return $"nothing accepts connections at the OTLP endpoint {endpoint}; telemetry will not arrive";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            return $"the OTLP endpoint {endpoint} did not answer an {name} export ({e.GetBaseException().Message}); telemetry will not arrive. "
                + $"If it is an {(grpc ? "OTLP/HTTP" : "OTLP/gRPC")} receiver, use {other}";
        }
    }
}

using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MemristorGrid.Cluster.Tests;

/// <summary>
/// Debian's headless Chromium driven over the Chrome DevTools Protocol (a WebSocket; no driver package): navigate,
/// evaluate JavaScript in the page, take a screenshot. A fresh profile directory per browser, removed on dispose.
/// </summary>
public sealed class HeadlessBrowser : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _profile;
    private readonly ClientWebSocket _socket = new();
    private int _nextId;

    private HeadlessBrowser(Process process, string profile) => (_process, _profile) = (process, profile);

    public static async Task<HeadlessBrowser> StartAsync()
    {
        string profile = Directory.CreateTempSubdirectory("memgrid-chromium-").FullName;
        var info = new ProcessStartInfo("chromium",
            $"--headless=new --no-sandbox --disable-gpu --no-first-run --disable-extensions --window-size=1400,900 --remote-debugging-port=0 --user-data-dir=\"{profile}\" about:blank")
        { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        Process process;
        try { process = Process.Start(info)!; }
        catch (System.ComponentModel.Win32Exception) { throw new InvalidOperationException("chromium not found: install it (apt-get install -y chromium); .ci/run does"); }
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var browser = new HeadlessBrowser(process, profile);
        // Chromium writes the port it chose to DevToolsActivePort in the profile once it listens.
        string portFile = Path.Combine(profile, "DevToolsActivePort");
        for (var deadline = DateTime.UtcNow.AddSeconds(60); !File.Exists(portFile) || new FileInfo(portFile).Length == 0; await Task.Delay(100))
            if (DateTime.UtcNow > deadline || process.HasExited) throw new InvalidOperationException("chromium did not open its DevTools port");
        int port = int.Parse(File.ReadAllLines(portFile)[0]);
        using var http = new HttpClient();
        var targets = JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/json/list"))!.AsArray();
        var page = targets.First(t => (string?)t!["type"] == "page")!;
        await browser._socket.ConnectAsync(new Uri((string)page["webSocketDebuggerUrl"]!), CancellationToken.None);
        await browser.SendAsync("Page.enable");
        return browser;
    }

    public Task NavigateAsync(string url) => SendAsync("Page.navigate", new JsonObject { ["url"] = url });

    /// <summary>The value of a JavaScript expression in the page (promises awaited).</summary>
    public async Task<JsonNode?> EvaluateAsync(string expression)
    {
        var reply = await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true, ["awaitPromise"] = true });
        if (reply["exceptionDetails"] is { } error) throw new InvalidOperationException($"page script failed: {error.ToJsonString()}");
        return reply["result"]?["value"];
    }

    /// <summary>Evaluates <paramref name="condition"/> until it is true.</summary>
    public async Task WaitForAsync(string condition, string what, double seconds = 60)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(seconds); ; await Task.Delay(200))
        {
            try { if (await EvaluateAsync(condition) is JsonValue v && v.TryGetValue(out bool ok) && ok) return; }
            catch (InvalidOperationException) when (DateTime.UtcNow < deadline) { } // the page was navigating
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the page never showed {what}; it reads: {await EvaluateAsync("document.body ? document.body.innerText : ''")}");
        }
    }

    public async Task<byte[]> ScreenshotAsync()
    {
        var reply = await SendAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png", ["captureBeyondViewport"] = true });
        return Convert.FromBase64String((string)reply["data"]!);
    }

    private async Task<JsonNode> SendAsync(string method, JsonObject? parameters = null)
    {
        int id = Interlocked.Increment(ref _nextId);
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new JsonObject() };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, timeout.Token);
        var buffer = new byte[1 << 16];
        while (true)
        {
            using var text = new MemoryStream();
            WebSocketReceiveResult part;
            do
            {
                part = await _socket.ReceiveAsync(buffer, timeout.Token);
                text.Write(buffer, 0, part.Count);
            } while (!part.EndOfMessage);
            var reply = JsonNode.Parse(text.ToArray())!;
            if ((int?)reply["id"] != id) continue; // an event, or the answer to another call
            if (reply["error"] is { } error) throw new InvalidOperationException($"{method}: {error.ToJsonString()}");
            return reply["result"]!;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try { await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None); } catch (WebSocketException) { }
        _socket.Dispose();
        try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        await _process.WaitForExitAsync();
        try { Directory.Delete(_profile, recursive: true); } catch (IOException) { }
    }
}

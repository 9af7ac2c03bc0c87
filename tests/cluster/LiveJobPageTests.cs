using System.Globalization;
using System.Text.Json.Nodes;
using MemristorGrid.Hosting;

namespace MemristorGrid.Cluster.Tests;

/// <summary>
/// The live job page as an operator sees it, in Debian's headless Chromium: a silo process serves it, a
/// <c>memgrid run</c> process runs a job on that silo, the browser is sent to the login form, logs in with the
/// token, and reads the job's row while it runs; the screenshot is kept. The page's energy per sample (finished
/// lanes so far) must agree with the finished job's report.json, and its sample count with the command.
/// </summary>
public sealed class LiveJobPageTests : IDisposable
{
    private readonly Processes _processes = new();

    /// <summary>Where the screenshot of the running job's page is written (kept for a person to open).</summary>
    public static string ScreenshotPath => Path.Combine(AppContext.BaseDirectory, "screenshots", "live-jobs.png");

    public static string DashboardScreenshotPath => Path.Combine(AppContext.BaseDirectory, "screenshots", "orleans-dashboard.png");

    [Fact]
    public async Task A_logged_in_browser_sees_a_running_job_with_its_numbers()
    {
        int webPort = 0;
        var (_, gateway) = await _processes.StartLocalSiloAsync(() => $"--metrics-port {webPort = EmbeddedCluster.FreePort()}");
        string outDir = Directory.CreateTempSubdirectory("memgrid-live-").FullName;
        const int samples = 100_000;
        var run = _processes.Start("dotnet", $"\"{Path.Combine(AppContext.BaseDirectory, "memgrid.dll")}\" run --model \"{Repo.ModelPath("ring.onnx")}\" "
            + $"--profile rram-180nm --samples {samples} --lane-size 500 --seed 5 --gateway 127.0.0.1:{gateway} --out \"{outDir}\"", "dotnet not found");

        await using var browser = await HeadlessBrowser.StartAsync();
        string site = $"http://127.0.0.1:{webPort}";
        await browser.NavigateAsync($"{site}/jobs");
        // Anonymous: the page is not shown, the login form is.
        await browser.WaitForAsync("location.pathname === '/login' && !!document.getElementById('token')", "the login form");
        Assert.Equal(0, (int)(await browser.EvaluateAsync("document.querySelectorAll('#jobs').length"))!);
        await browser.EvaluateAsync("document.getElementById('token').value = 'not-the-token-0123'; document.querySelector('form').submit(); true");
        await browser.WaitForAsync("!!document.getElementById('error')", "the refusal of a wrong token");
        await browser.EvaluateAsync($"document.getElementById('token').value = '{Processes.WebToken}'; document.querySelector('form').submit(); true");
        await browser.WaitForAsync("location.pathname === '/jobs'", "the jobs page after logging in");

        // Running, with finished lanes: energy per sample is known, progress below 100 %.
        await browser.WaitForAsync("(() => { const r = document.querySelector('#jobs tr[data-job]'); return !!r && !r.classList.contains('done') "
            + "&& r.querySelector('.energy').textContent.trim() !== '–' && document.querySelectorAll('.tile').length > 0; })()", "a running job with finished lanes", 120);
        var row = (await browser.EvaluateAsync("(() => { const r = document.querySelector('#jobs tr[data-job]'); return { job: r.dataset.job, "
            + "samples: r.querySelector('.samples').textContent, energy: r.querySelector('.energy').textContent, rate: r.querySelector('.rate').textContent, "
            + "tiles: document.querySelectorAll('.tile').length, heat: document.querySelector('#heat h2').textContent }; })()"))!.AsObject();
        byte[] png = await browser.ScreenshotAsync();
        Directory.CreateDirectory(Path.GetDirectoryName(ScreenshotPath)!);
        await File.WriteAllBytesAsync(ScreenshotPath, png);
        Assert.True(png.Length > 10_000, "the screenshot is blank");
        Assert.False(run.HasExited, "the job ended before the page was read: make it longer");

        // The Orleans Dashboard on the same host and session: it lists this silo's grains, the job's among them.
        await browser.NavigateAsync($"{site}/dashboard");
        await browser.WaitForAsync("location.pathname.startsWith('/dashboard') && document.body.innerText.includes('GenerationJobGrain')", "the Orleans Dashboard with the job grain", 90);
        await File.WriteAllBytesAsync(DashboardScreenshotPath, await browser.ScreenshotAsync());

        Assert.True(run.WaitForExit(300_000), "the job did not finish");
        run.WaitForExit();
        Assert.True(run.ExitCode == 0, _processes.Tail(run));
        var report = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "report.json")))!;
        Assert.EndsWith($" / {samples.ToString("N0", CultureInfo.InvariantCulture)}", (string)row["samples"]!);
        Assert.StartsWith("job-", (string)row["job"]!);
        Assert.Contains((string)row["job"]!, (string)row["heat"]!);
        Assert.True(double.Parse((string)row["rate"]!, CultureInfo.InvariantCulture) > 0);
        // ring on rram-180nm: 3 layers on one chip; every tile drawn.
        Assert.Equal(CountTiles(report), (int)row["tiles"]!);
        // The finished lanes' energy per sample, as the page printed it (3 significant digits), against the whole job's:
        // lanes differ only in their samples, so they agree within a few per cent.
        double page = Joules((string)row["energy"]!), final = (double)report["energy_per_sample_joules"]!;
        Assert.InRange(page / final, 0.97, 1.03);
        Directory.Delete(outDir, recursive: true);
    }

    /// <summary><c>memgrid run --metrics-port</c>: the embedded silo serves the same web host while the command runs — its
    /// own job on /api/jobs with the token, nothing without it — and says where, on standard error.</summary>
    [Fact]
    public async Task Memgrid_run_with_a_metrics_port_serves_its_own_job()
    {
        int port = EmbeddedCluster.FreePort();
        string outDir = Directory.CreateTempSubdirectory("memgrid-live-cli-").FullName;
        var run = _processes.Start("dotnet", $"\"{Path.Combine(AppContext.BaseDirectory, "memgrid.dll")}\" run --model \"{Repo.ModelPath("ring.onnx")}\" "
            + $"--samples 60000 --lane-size 500 --metrics-port {port} --out \"{Path.Combine(outDir, "run")}\"", "dotnet not found");
        using var http = Processes.Authorized(TimeSpan.FromSeconds(10));
        using var anonymous = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        JsonNode? job = null;
        for (var deadline = DateTime.UtcNow.AddSeconds(120); job is null && !run.HasExited && DateTime.UtcNow < deadline; await Task.Delay(200))
        {
            try { job = JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/api/jobs"))!["jobs"]!.AsArray().FirstOrDefault(); }
            catch (HttpRequestException) { } // the embedded silo starts with the first job
        }
        Assert.True(job is not null, $"no job on the embedded silo's page:\n{_processes.Tail(run)}");
        Assert.Equal(60_000, (int)job!["samples"]!);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"http://127.0.0.1:{port}/api/jobs")).StatusCode);
        Assert.True(run.WaitForExit(300_000), "the run did not finish");
        run.WaitForExit();
        Assert.True(run.ExitCode == 0, _processes.Tail(run));
        Assert.Contains($"web: http://127.0.0.1:{port}/jobs", _processes.Tail(run), StringComparison.Ordinal);
        Directory.Delete(outDir, recursive: true);
    }

    private static int CountTiles(JsonNode report) => report["tiles"]!.AsArray().Count;

    /// <summary>"2.25 µJ" → 2.25e-6.</summary>
    private static double Joules(string text)
    {
        var parts = text.Trim().Split(' ');
        double scale = parts[1][0] switch { 'f' => 1e-15, 'p' => 1e-12, 'n' => 1e-9, 'µ' => 1e-6, 'm' => 1e-3, _ => 1 };
        return double.Parse(parts[0], CultureInfo.InvariantCulture) * scale;
    }

    public void Dispose() => _processes.Dispose();
}

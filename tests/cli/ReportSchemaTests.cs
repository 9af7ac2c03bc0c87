using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace MemristorGrid.Cli.Tests;

/// <summary>
/// What a report promises its readers: the same keys from release to release (a key may be added, a rename needs a note
/// in docs/architecture.md), and provenance in every report: the tool's version and commit, the models' SHA-256, the
/// resolved profile written beside it, the seed and the command line.
/// </summary>
public class ReportSchemaTests
{
    private static readonly string Golden = Path.Combine(CliRunner.RepoRoot(), "tests", "golden", "report-keys.txt");

    /// <summary>Maps whose keys are data (class names, model file names): their entries are listed as "*".</summary>
    private static readonly HashSet<string> DataKeyed = ["provenance.models", "energy_basis.sourced_components", "per_class", "class_accuracy_per_class", "images.per_class", "counters"];

    /// <summary>Keys only a conditional (and latent) run has (mode_coverage: any run judged against a labelled reference).</summary>
    private static readonly string[] ConditionalOnly = ["labels", "class_accuracy", "per_class", "images", "mode_coverage"];

    /// <summary>Every key path of a JSON document: "a.b" for nested objects, "a[].b" inside arrays, "a.*" for a data-keyed map's entries.</summary>
    public static SortedSet<string> KeyPaths(JsonNode? node)
    {
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        void Walk(JsonNode? n, string path)
        {
            if (n is JsonObject o)
                foreach (var (k, v) in o)
                {
                    string p = path.Length == 0 ? k : $"{path}.{(DataKeyed.Contains(path) ? "*" : k)}";
                    keys.Add(p);
                    Walk(v, p);
                }
            else if (n is JsonArray a)
                foreach (var item in a) Walk(item, $"{path}[]");
        }
        Walk(node, "");
        return keys;
    }

    [Theory]
    [InlineData("ring.onnx", "400")]
    [InlineData("digits3.onnx", "60")] // conditional and latent: labels, per-class figures and decoded images
    public void Report_json_keeps_the_recorded_keys(string model, string samples)
    {
        string dir = CliRunner.TempDir();
        var r = CliRunner.Run("run", "--model", Models.Shipped(model), "--profile", "rram-180nm", "--samples", samples, "--simulator", "reference", "--out", dir);
        Assert.True(r.ExitCode == 0, r.Err);
        var actual = KeyPaths(JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "report.json"))));
        var expected = File.ReadAllLines(Golden).Where(l => l.Length > 0 && !l.StartsWith('#')).ToHashSet();
        var added = actual.Except(expected).ToList();
        Assert.True(added.Count == 0, $"report.json has new keys: add them to {Golden}: {string.Join(", ", added)}");
        bool conditional = actual.Contains("labels");
        var missing = expected.Except(actual).Where(k => conditional || !ConditionalOnly.Any(c => k == c || k.StartsWith(c + ".", StringComparison.Ordinal) || k.StartsWith(c + "_", StringComparison.Ordinal))).ToList();
        Assert.True(missing.Count == 0, $"report.json lost keys (a rename needs a note in docs/architecture.md and in {Golden}): {string.Join(", ", missing)}");
    }

    [Fact]
    public void Run_baseline_and_compare_reports_carry_their_provenance()
    {
        string ring = Models.Shipped("ring.onnx");
        var models = new Dictionary<string, string> { ["ring.onnx"] = ring };
        string run = CliRunner.TempDir(), baseline = CliRunner.TempDir(), compare = CliRunner.TempDir();
        var r = CliRunner.Run("run", "--model", ring, "--profile", "ideal", "--samples", "200", "--seed", "7", "--simulator", "reference", "--out", run);
        Assert.True(r.ExitCode == 0, r.Err);
        ReportAssert.Provenance(run, "report.json", models, 7, "ideal", "run", "--seed", "7", "--out", run);
        r = CliRunner.Run("baseline", "--model", ring, "--samples", "200", "--steps", "50", "--seed", "8", "--out", baseline);
        Assert.True(r.ExitCode == 0, r.Err);
        ReportAssert.Provenance(baseline, "report.json", models, 8, profile: null, "baseline", "--steps", "50");
        r = CliRunner.Run("compare", "--model", ring, "--profile", "rram-180nm", "--samples", "100", "--steps", "50", "--simulator", "reference", "--out", compare);
        Assert.True(r.ExitCode == 0, r.Err);
        ReportAssert.Provenance(compare, "compare.json", models, 1, "rram-180nm", "compare");
        ReportAssert.Provenance(Path.Combine(compare, "analog"), "report.json", models, 1, "rram-180nm", "compare");
    }
}

/// <summary>Checks on what reports hold, shared by the commands' tests.</summary>
internal static class ReportAssert
{
    /// <summary>The report's provenance names this build, the models' bytes, the profile file beside it, the seed and the command.</summary>
    public static void Provenance(string dir, string file, IReadOnlyDictionary<string, string> models, ulong seed, string? profile, params string[] commandLine)
    {
        var p = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, file)))!["provenance"];
        Assert.True(p is not null, $"{file} has no provenance");
        Assert.Equal(typeof(MemristorGrid.Client.Cli).Assembly.GetName().Version!.ToString(3), (string?)p["tool_version"]);
        if (GitHead() is { } head) Assert.Equal(head, (string?)p["commit"]);
        foreach (var (name, path) in models)
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))), (string?)p["models"]![name]);
        Assert.Equal(models.Count, p["models"]!.AsObject().Count);
        Assert.Equal(seed, (ulong)p["seed"]!);
        var line = p["command_line"]!.AsArray().Select(t => (string)t!).ToList();
        Assert.Equal("memgrid", line[0]);
        foreach (var token in commandLine) Assert.Contains(token, line);
        if (profile is null) { Assert.Null(p["profile_file"]); return; }
        Assert.Equal(profile, (string?)p["profile"]);
        string profilePath = Path.Combine(dir, (string)p["profile_file"]!);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(profilePath))), (string?)p["profile_sha256"]);
        Assert.Equal(profile, (string?)JsonNode.Parse(File.ReadAllText(profilePath))!["name"]);
    }

    /// <summary>The commit this checkout is at, or null outside a git checkout (the build then records none either).</summary>
    private static string? GitHead()
    {
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", ["-C", CliRunner.RepoRoot(), "rev-parse", "HEAD"]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            string head = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return git.ExitCode == 0 ? head : null;
        }
        catch (System.ComponentModel.Win32Exception) { return null; }
    }
}

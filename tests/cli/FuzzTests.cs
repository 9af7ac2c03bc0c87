using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using MemristorGrid.Engine.Randomness;
using Onnx;

namespace MemristorGrid.Cli.Tests;

/// <summary>
/// A seeded fuzzer over the three kinds of file a user hands memgrid: ONNX models, profile JSON and CSV data.
/// Each case mutates a good file (bytes flipped, cut, repeated or spliced; a JSON value replaced by an extreme,
/// a wrong type or nothing) and runs the commands that read it. Whatever the mutation, memgrid must either
/// accept the file or refuse it with one clear <c>error:</c> line — never an internal error, a stack trace, a
/// control character, a hang, or an output folder left behind. The draws come from the project's counter-based
/// generator, so a failing case is named by its seed and case number and replays exactly; its file is kept.
/// FUZZ_LOG=FILE appends every command's exit code and first line, to see what the mutations reach.
/// </summary>
public class FuzzTests
{
    private const ulong Seed = 20261206;
    private static readonly TimeSpan CaseLimit = TimeSpan.FromSeconds(60);

    /// <summary>The counter-based generator as a stream of draws for one case.</summary>
    private sealed class Draws(ulong seed, ulong stream)
    {
        private readonly CounterRng _rng = new(seed, stream);
        private ulong _counter;

        public int Below(int n) => (int)(_rng.NextUInt(_counter++) % (uint)n);
        public T Pick<T>(IReadOnlyList<T> items) => items[Below(items.Count)];
    }

    public static TheoryData<int> Cases(int count) { var d = new TheoryData<int>(); for (int i = 0; i < count; i++) d.Add(i); return d; }
    public static TheoryData<int> Batches => Cases(6);

    private static readonly Lazy<byte[]> Ring = new(() => File.ReadAllBytes(Path.Combine(CliRunner.RepoRoot(), "models", "ring.onnx")));
    private static readonly Lazy<byte[]> Digits = new(() => File.ReadAllBytes(Path.Combine(CliRunner.RepoRoot(), "models", "digits3.onnx")));

    /// <summary>Byte mutations: what a bad download, a truncated copy or a hand edit does to a binary or text file.</summary>
    private static byte[] MutateBytes(byte[] original, Draws draw, List<string> log)
    {
        var bytes = new List<byte>(original);
        int operations = 1 + draw.Below(4);
        for (int o = 0; o < operations && bytes.Count > 0; o++)
        {
            int at = draw.Below(bytes.Count);
            switch (draw.Below(6))
            {
                case 0: bytes[at] ^= (byte)(1 << draw.Below(8)); log.Add($"flip bit at {at}"); break;
                case 1: { byte v = draw.Pick(new byte[] { 0x00, 0xFF, 0x7F, 0x80, 0x01 }); bytes[at] = v; log.Add($"byte {at} = 0x{v:X2}"); break; }
                case 2: bytes.RemoveRange(at, bytes.Count - at); log.Add($"cut at {at}"); break;
                case 3: { int n = Math.Min(1 + draw.Below(64), bytes.Count - at); bytes.RemoveRange(at, n); log.Add($"delete {n} at {at}"); break; }
                case 4: { int n = Math.Min(1 + draw.Below(64), bytes.Count - at); bytes.InsertRange(at, bytes.GetRange(at, n)); log.Add($"repeat {n} at {at}"); break; }
                default: { int n = 1 + draw.Below(8); var junk = Enumerable.Range(0, n).Select(_ => (byte)draw.Below(256)).ToArray(); bytes.InsertRange(at, junk); log.Add($"insert {n} at {at}"); break; }
            }
        }
        return [.. bytes];
    }

    private static readonly string[] MetadataValues = ["1e308", "-1", "0", "NaN", "Infinity", "", "x", "csv:/etc/passwd", "latent:../../../etc/passwd", "ring,hku", "1,2,3,4,5,6,7,8,9"];
    private static readonly long[] Dims = [0, -1, 1, 3, 1_000_000, 2_147_483_648, long.MaxValue];
    private static readonly float[] Floats = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1e38f, -0f, 1e-45f];
    private static readonly string[] Ops = ["Conv", "OneHot", "Foo", "Gemm", "MatMul", "Relu", "Add", "Softmax", "Identity", ""];

    /// <summary>Model mutations that keep the protobuf readable, so the importer's own checks are what is tested: a tensor's
    /// shape, type or values, a node's operator, inputs or attributes, the graph's inputs, the metadata, the opset.</summary>
    private static byte[] MutateModel(byte[] original, Draws draw, List<string> log)
    {
        if (draw.Below(5) == 0) return MutateBytes(original, draw, log);
        var model = ModelProto.Parser.ParseFrom(original);
        var graph = model.Graph;
        int operations = 1 + draw.Below(3);
        for (int o = 0; o < operations; o++)
        {
            switch (draw.Below(10))
            {
                case 0:
                {
                    var t = draw.Pick(graph.Initializer);
                    if (t.Dims.Count == 0) { t.Dims.Add(draw.Pick(Dims)); log.Add($"{t.Name}: dim added"); break; }
                    int d = draw.Below(t.Dims.Count); t.Dims[d] = draw.Pick(Dims); log.Add($"{t.Name}: dim {d} = {t.Dims[d]}"); break;
                }
                case 1:
                {
                    var t = draw.Pick(graph.Initializer);
                    var raw = t.RawData.ToByteArray();
                    if (raw.Length < 4) break;
                    int at = draw.Below(raw.Length / 4) * 4; float v = draw.Pick(Floats);
                    BitConverter.TryWriteBytes(raw.AsSpan(at), v); t.RawData = ByteString.CopyFrom(raw); log.Add($"{t.Name}: value {at / 4} = {v}"); break;
                }
                case 2:
                {
                    var t = draw.Pick(graph.Initializer);
                    t.DataType = draw.Pick(new[] { 0, 7, 10, 11, 99 }); log.Add($"{t.Name}: data type {t.DataType}"); break;
                }
                case 3:
                {
                    var t = draw.Pick(graph.Initializer);
                    graph.Initializer.Add(t.Clone()); log.Add($"{t.Name}: duplicated"); break;
                }
                case 4:
                {
                    var n = draw.Pick(graph.Node);
                    n.OpType = draw.Pick(Ops); log.Add($"node {n.Name}: op {n.OpType}"); break;
                }
                case 5:
                {
                    int i = draw.Below(graph.Node.Count); log.Add($"node {graph.Node[i].Name} removed"); graph.Node.RemoveAt(i); break;
                }
                case 6:
                {
                    var n = draw.Pick(graph.Node);
                    if (n.Input.Count > 0 && draw.Below(2) == 0) { n.Input[draw.Below(n.Input.Count)] = draw.Pick(graph.Node).Output[0]; log.Add($"node {n.Name}: input rewired"); }
                    else { n.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = draw.Pick(Dims) }); log.Add($"node {n.Name}: axis attribute"); }
                    break;
                }
                case 7:
                {
                    var input = draw.Pick(graph.Input);
                    var dims = input.Type?.TensorType?.Shape?.Dim;
                    if (dims is { Count: > 0 }) { var dim = dims[draw.Below(dims.Count)]; dim.DimValue = draw.Pick(Dims); log.Add($"input {input.Name}: dim {dim.DimValue}"); }
                    else if (input.Type?.TensorType is { } tt) { tt.ElemType = draw.Pick(new[] { 0, 6, 11 }); log.Add($"input {input.Name}: type {tt.ElemType}"); }
                    break;
                }
                case 8:
                {
                    var p = draw.Pick(model.MetadataProps);
                    p.Value = draw.Pick(MetadataValues); log.Add($"metadata {p.Key} = {p.Value}"); break;
                }
                default:
                {
                    if (draw.Below(2) == 0) { model.OpsetImport[0].Version = draw.Pick(new long[] { 0, 1, 7, 99, -1 }); log.Add($"opset {model.OpsetImport[0].Version}"); }
                    else { model.IrVersion = draw.Pick(new long[] { 0, 3, 99 }); log.Add($"ir version {model.IrVersion}"); }
                    break;
                }
            }
        }
        return model.ToByteArray();
    }

    private static readonly JsonNode?[] Extremes =
    [
        JsonValue.Create(1e308), JsonValue.Create(-1e308), JsonValue.Create(0), JsonValue.Create(-1), JsonValue.Create(1e-320), JsonValue.Create(2147483648L),
        JsonValue.Create(1e15), JsonValue.Create(0.5), JsonValue.Create("x"), JsonValue.Create(""), null, JsonValue.Create(true), new JsonArray(), new JsonObject(),
        new JsonArray(JsonValue.Create(1e308)),
    ];

    /// <summary>JSON mutations: a value replaced by an extreme or a wrong type, a key removed or added, the text cut.</summary>
    private static byte[] MutateProfile(string text, Draws draw, List<string> log)
    {
        var root = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })!;
        var places = new List<(JsonNode Parent, string? Key, int Index)>();
        void Walk(JsonNode node)
        {
            if (node is JsonObject o) foreach (var (k, v) in o.ToList()) { places.Add((o, k, -1)); if (v is not null) Walk(v); }
            else if (node is JsonArray a) for (int i = 0; i < a.Count; i++) { places.Add((a, null, i)); if (a[i] is { } v) Walk(v); }
        }
        Walk(root);
        // Most leaves are energy figures' sources; the device, circuit and converter parameters are where extremes matter.
        var parameters = places.Where(p => !p.Parent.GetPath().Contains("energy_figures", StringComparison.Ordinal)
            && (p.Key is null ? p.Parent.AsArray()[p.Index] : p.Parent.AsObject()[p.Key]) is JsonValue).ToList();
        int operations = 1 + draw.Below(3);
        for (int o = 0; o < operations; o++)
        {
            var (parent, key, index) = draw.Pick(draw.Below(4) == 0 ? places : parameters);
            if (parent.Root != root) continue; // removed by an earlier operation
            string where = parent.GetPath() + (key is not null ? "." + key : $"[{index}]");
            switch (draw.Below(8))
            {
                case < 6:
                    var value = draw.Pick(Extremes)?.DeepClone();
                    if (key is not null) parent.AsObject()[key] = value; else parent.AsArray()[index] = value;
                    log.Add($"{where} = {value?.ToJsonString() ?? "null"}");
                    break;
                case 6:
                    if (key is not null) parent.AsObject().Remove(key); else parent.AsArray().RemoveAt(index);
                    log.Add($"remove {where}");
                    break;
                default:
                    if (parent is JsonObject obj && !obj.ContainsKey("fuzz_unknown_key")) { obj["fuzz_unknown_key"] = 1; log.Add($"add unknown key in {parent.GetPath()}"); }
                    break;
            }
        }
        var bytes = Encoding.UTF8.GetBytes(root.ToJsonString());
        if (draw.Below(10) == 0) { int cut = draw.Below(bytes.Length); log.Add($"text cut at {cut}"); bytes = bytes[..cut]; }
        return bytes;
    }

    private static string GoodCsv()
    {
        var sb = new StringBuilder("x1,x2\n");
        var draw = new Draws(Seed, 999);
        for (int i = 0; i < 64; i++) sb.Append($"{draw.Below(2000) / 1000.0 - 1:F3},{draw.Below(2000) / 1000.0 - 1:F3}\n");
        return sb.ToString();
    }

    /// <summary>Runs one command on the mutated file; returns a failure description, or null when memgrid behaved.</summary>
    private static string? Check(string[] args, string output)
    {
        var run = Task.Run(() => CliRunner.Run(args));
        if (!run.Wait(CaseLimit)) return $"no answer in {CaseLimit.TotalSeconds} s";
        var r = run.Result;
        if (Environment.GetEnvironmentVariable("FUZZ_LOG") is { } logFile) File.AppendAllText(logFile, $"{args[0]} {r.ExitCode} {r.Err.Split('\n')[0]}\n");
        if (r.ExitCode == 0) return null;
        var lines = r.Err.TrimEnd('\n').Split('\n');
        if (r.ExitCode == 70 || r.Err.Contains("internal error", StringComparison.Ordinal)) return $"internal error (exit {r.ExitCode}): {lines[0]}";
        if (!r.Err.StartsWith("error: ", StringComparison.Ordinal)) return $"exit {r.ExitCode} without an error line: {r.Err}";
        if (r.Err.Contains("   at ", StringComparison.Ordinal)) return $"stack trace: {lines[0]}";
        if (lines.Any(l => l.Any(char.IsControl))) return $"control character in the message: {lines[0]}";
        if (Directory.Exists(output) || File.Exists(output)) return $"exit {r.ExitCode} left {output} behind";
        return null;
    }

    private static void Fuzz(string kind, ulong stream, int batch, int cases, Func<Draws, List<string>, byte[]> mutate, string fileName, string outputName,
        Func<string, string, string[][]> commands)
    {
        var failures = new List<string>();
        for (int c = batch * cases; c < (batch + 1) * cases; c++)
        {
            var draw = new Draws(Seed, stream << 32 | (uint)c);
            var log = new List<string>();
            byte[] file = mutate(draw, log);
            string dir = CliRunner.TempDir(), path = Path.Combine(dir, fileName), output = Path.Combine(dir, outputName);
            File.WriteAllBytes(path, file);
            foreach (var args in commands(path, output))
            {
                if (Check(args, output) is { } failure) { failures.Add($"{kind} case {c} ({string.Join("; ", log)}), memgrid {string.Join(' ', args.Take(1))}: {failure} — file kept at {path}"); break; }
                if (Directory.Exists(output)) Directory.Delete(output, true);
                if (File.Exists(output)) File.Delete(output);
            }
            if (failures.Count == 0 || !failures[^1].Contains(path, StringComparison.Ordinal)) Directory.Delete(dir, true);
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static string ProfileText(string name) => File.ReadAllText(Path.Combine(CliRunner.RepoRoot(), "profiles", name));

    [Theory]
    [MemberData(nameof(Batches))]
    public void A_mutated_onnx_model_is_read_or_refused_clearly(int batch) =>
        Fuzz("onnx", 1, batch, 25, (draw, log) => MutateModel(draw.Below(3) > 0 ? Ring.Value : Digits.Value, draw, log), "model.onnx", "out", (model, output) =>
        {
            // A latent model reads its VAE from its own folder (memgrid.task = latent:digits3-vae.onnx).
            string folder = Path.GetDirectoryName(model)!, models = Path.Combine(CliRunner.RepoRoot(), "models");
            foreach (var vae in Directory.GetFiles(models, "digits3-vae*.onnx")) File.Copy(vae, Path.Combine(folder, Path.GetFileName(vae)), true);
            return
        [
            ["inspect", "--model", model, "--profile", "ideal"],
            ["run", "--model", model, "--profile", "rram-180nm", "--samples", "8", "--simulator", "reference", "--out", output],
        ];
        });

    [Theory]
    [MemberData(nameof(Batches))]
    public void A_mutated_profile_is_read_or_refused_clearly(int batch) =>
        Fuzz("profile", 2, batch, 25, (draw, log) => MutateProfile(ProfileText(draw.Below(2) == 0 ? "rram-180nm.json" : "ideal.json"), draw, log), "profile.json", "out", (profile, output) =>
        [
            ["profile", "check", profile],
            ["run", "--model", Path.Combine(CliRunner.RepoRoot(), "models", "ring.onnx"), "--profile", profile, "--samples", "8", "--simulator", "reference", "--out", output],
        ]);

    [Theory]
    [MemberData(nameof(Batches))]
    public void A_mutated_csv_is_read_or_refused_clearly(int batch) =>
        Fuzz("csv", 3, batch, 25, (draw, log) => MutateBytes(Encoding.UTF8.GetBytes(GoodCsv()), draw, log), "data.csv", "out.onnx", (csv, output) =>
        [
            ["train", "--task", "csv:" + csv, "--epochs", "1", "--hidden", "4", "--out", output],
        ]);
}

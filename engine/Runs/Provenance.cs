using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using MemristorGrid.Engine.Profiles;

namespace MemristorGrid.Engine.Runs;

/// <summary>
/// What produced a report, so a <c>report.json</c>, <c>sweep.json</c> or <c>reproduction.json</c> found later
/// can say: the tool's version and commit, the models' SHA-256, the resolved profile (written beside the report
/// as <see cref="ProfileFile"/>, with its SHA-256 here), the seed and the command line.
/// </summary>
/// <param name="Commit">The git commit the tool was built from; null when it was not built from a git checkout.</param>
/// <param name="Models">File name → SHA-256 of the bytes the machine programmed.</param>
/// <param name="Profile">The hardware profile's name; null for a digital run.</param>
/// <param name="ProfileFile">The resolved profile's file beside the report (relative to it).</param>
/// <param name="ProfileSha256">SHA-256 of that file's bytes.</param>
public sealed record Provenance(string ToolVersion, string? Commit, IReadOnlyDictionary<string, string> Models, string? Profile, string? ProfileFile,
    string? ProfileSha256, ulong Seed, IReadOnlyList<string> CommandLine)
{
    public const string ProfileFileName = "profile.json";

    /// <summary>The tool's version, and its commit when built from git (the SDK's informational version is VERSION+COMMIT).</summary>
    public static (string Version, string? Commit) Tool()
    {
        string informational = typeof(Provenance).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        int plus = informational.IndexOf('+');
        return plus < 0 ? (informational, null) : (informational[..plus], informational[(plus + 1)..]);
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>The resolved profile as written beside a report: its canonical JSON.</summary>
    public static byte[] ProfileBytes(HardwareProfile profile) => Encoding.UTF8.GetBytes(profile.ToJson() + "\n");

    public static Provenance Of(IEnumerable<(string Name, byte[] Bytes)> models, HardwareProfile? profile, ulong seed, IReadOnlyList<string> commandLine)
    {
        var (version, commit) = Tool();
        var hashes = new Dictionary<string, string>();
        foreach (var (name, bytes) in models) hashes[name] = Sha256(bytes);
        return new Provenance(version, commit, hashes, profile?.Name, profile is null ? null : ProfileFileName,
            profile is null ? null : Sha256(ProfileBytes(profile)), seed, commandLine);
    }

    public static Provenance Of(RunRequest request) =>
        Of([(request.ModelName, request.ModelBytes), .. LatentFiles(request.Network.Metadata)], request.StatedProfile, request.Options.Seed, request.CommandLine);

    /// <summary>A latent model's VAE files that decode and judge its samples (the decoder and the metrics classifier).</summary>
    public static IEnumerable<(string Name, byte[] Bytes)> LatentFiles(Networks.DiffusionMetadata metadata)
    {
        if (ImageDecoding.VaePathOf(metadata) is not { } vae) yield break;
        foreach (string path in new[] { vae, Latent.VaeModel.ClassifierPath(vae) })
            if (File.Exists(path)) yield return (Path.GetFileName(path), File.ReadAllBytes(path));
    }
}

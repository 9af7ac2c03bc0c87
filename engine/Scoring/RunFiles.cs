using System.Security.Cryptography;
using MemristorGrid.Engine.Data;
using MemristorGrid.Engine.Latent;
using MemristorGrid.Engine.Networks;

namespace MemristorGrid.Engine.Scoring;

/// <summary>A file a run's scoring reads, named relative to the model's folder.</summary>
public sealed record RunFile(string Name, byte[] Bytes);

/// <summary>
/// A model and the files its metadata names (a latent task's VAE with its encoder and classifier, an image judge, a CSV
/// task): what another machine needs to score the model's runs as the client would. Every such file lies inside the model's
/// folder (memgrid refuses paths out of it), so the set is rebuilt anywhere as a folder of the same shape.
/// </summary>
public sealed record RunFiles(string ModelName, byte[] ModelBytes, IReadOnlyList<RunFile> Files)
{
    /// <summary>The files of the model at <paramref name="modelPath"/> (its metadata already read into <paramref name="metadata"/>).</summary>
    public static RunFiles Of(string modelPath, byte[] modelBytes, DiffusionMetadata metadata)
    {
        string folder = Path.GetDirectoryName(Path.GetFullPath(modelPath))!;
        var paths = new SortedSet<string>(StringComparer.Ordinal);
        void AddVae(string vae) { foreach (var file in VaeModel.FilesOf(vae)) paths.Add(Path.GetFullPath(file)); }
        if (metadata.Task.Length > 0 && metadata.TaskFileOutsideModelFolder is null)
        {
            var task = TaskSpec.Parse(metadata.Task);
            if (task.IsLatent && File.Exists(task.VaePath)) AddVae(task.VaePath!);
            if (task.IsCsv && File.Exists(task.CsvPath)) paths.Add(Path.GetFullPath(task.CsvPath!));
        }
        if (metadata.ImageJudge.Length > 0 && metadata.ImageJudgeOutsideModelFolder is null && File.Exists(metadata.ImageJudge)) AddVae(metadata.ImageJudge);
        var files = paths.Select(p => new RunFile(Path.GetRelativePath(folder, p), File.ReadAllBytes(p))).ToArray();
        return new RunFiles(Path.GetFileName(modelPath), modelBytes, files);
    }

    /// <summary>The content address of the set: the same model and files name the same scorer on every silo.</summary>
    public string ContentId()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string name, byte[] bytes)
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(name));
            hash.AppendData(BitConverter.GetBytes((long)bytes.Length));
            hash.AppendData(bytes);
        }
        Add(ModelName, ModelBytes);
        foreach (var f in Files) Add(f.Name, f.Bytes);
        return "score-" + Convert.ToHexStringLower(hash.GetHashAndReset())[..24];
    }

    /// <summary>Writes the model and its files into <paramref name="folder"/> (which must not exist yet) in the shape they had beside
    /// the model; returns the model's path there. Refuses a name that would leave the folder.</summary>
    public string WriteInto(string folder)
    {
        Directory.CreateDirectory(folder);
        string root = Path.GetFullPath(folder) + Path.DirectorySeparatorChar;
        string Place(string name)
        {
            string path = Path.GetFullPath(Path.Combine(root, name));
            if (Path.IsPathRooted(name) || !path.StartsWith(root, StringComparison.Ordinal))
                throw new UserInputException($"the run's file {name} lies outside its model's folder");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            return path;
        }
        foreach (var f in Files) File.WriteAllBytes(Place(f.Name), f.Bytes);
        string model = Place(Path.GetFileName(ModelName));
        File.WriteAllBytes(model, ModelBytes);
        return model;
    }
}

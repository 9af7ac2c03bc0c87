using MemristorGrid.Engine.Networks;

namespace MemristorGrid.Engine.Data;

/// <summary>Finds the reference data a run is judged against: the user's choice, else the model's training task.</summary>
public static class ReferenceResolver
{
    /// <summary>
    /// <paramref name="option"/> is ring, hku, csv:PATH or PATH.csv; when null the task recorded in the
    /// model's metadata is used (a CSV task is checked against its recorded hash and a change is reported
    /// through <paramref name="warn"/>). Returns null when neither names a reference.
    /// </summary>
    public static (Dataset Data, string Name)? Resolve(string? option, DiffusionMetadata metadata, ulong seed, int count, Action<string> warn) =>
        Prepare(option, metadata, seed, count, warn) is { } found ? (found.Load(), found.Name) : null;

    /// <summary>As <see cref="Resolve"/>, with the checks of the user's input done now and the slow part of loading (a latent
    /// task's encoding) left to <c>Load</c>.</summary>
    public static (Func<Dataset> Load, string Name)? Prepare(string? option, DiffusionMetadata metadata, ulong seed, int count, Action<string> warn)
    {
        if (option is not null)
        {
            var spec = TaskSpec.Parse(option);
            return (spec.PrepareReference(seed, count), spec.MetadataName);
        }
        if (metadata.Task.Length == 0) return null;
        if (metadata.TaskFileOutsideModelFolder is { } outside)
            throw UserInputException.ForSetting("reference_data", $"is needed: the model's metadata names {outside}, outside the model's folder, and memgrid does not follow a model file's paths out of its folder; pass --reference-data {metadata.Task} if you trust it");
        var recorded = TaskSpec.Parse(metadata.Task);
        if (recorded.IsCsv)
        {
            if (!File.Exists(recorded.CsvPath))
                throw UserInputException.ForSetting("reference_data", $"is needed: the model was trained on {recorded.CsvPath}, which no longer exists");
            if (metadata.TaskSha256.Length > 0 && CsvDataset.Sha256(recorded.CsvPath!) != metadata.TaskSha256)
                warn($"warning: {recorded.CsvPath} changed since the model was trained (SHA-256 differs); metrics compare against its current contents");
        }
        if (recorded.IsLatent)
        {
            if (!File.Exists(recorded.VaePath))
                throw UserInputException.ForSetting("reference_data", $"is needed: the model was trained on the latents of {recorded.VaePath}, which no longer exists");
            if (metadata.TaskSha256.Length > 0 && CsvDataset.Sha256(recorded.VaePath!) != metadata.TaskSha256)
                warn($"warning: {recorded.VaePath} changed since the model was trained (SHA-256 differs); its latents are no longer the ones the model learned");
        }
        return (recorded.PrepareReference(seed, count), recorded.MetadataName);
    }
}

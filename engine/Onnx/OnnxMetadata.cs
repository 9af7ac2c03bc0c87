using System.Globalization;
using MemristorGrid.Engine.Networks;
using Onnx;

namespace MemristorGrid.Engine.Onnx;

/// <summary>Reads MemristorGrid's metadata_props (schedule, task, class names, provenance) from any score network's ONNX file.</summary>
internal static class OnnxMetadata
{
    /// <summary>The diffusion metadata of a model whose label embedding has <paramref name="classes"/> classes (plus the null label).</summary>
    public static DiffusionMetadata Read(ModelProto model, string source, int classes)
        {
            var props = model.MetadataProps.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
            double Number(string key, double fallback)
            {
                if (!props.TryGetValue(key, out var text)) return fallback;
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)
                    ? v : throw new UserInputException($"{source}: metadata '{key}' = '{text}' is not a finite number");
            }
            var names = props.TryGetValue(OnnxNames.MetaClassNames, out var joined) && joined.Length > 0
                ? ClassNamesOf(joined) ?? throw new UserInputException($"{source}: metadata '{OnnxNames.MetaClassNames}' starts a JSON array but is not one of strings")
                : Enumerable.Range(0, classes).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToList();
            if (names.Count != classes)
                throw new UserInputException($"{source}: metadata names {names.Count} classes but the label embedding has {classes} (plus the null row)");
            string sde = props.GetValueOrDefault(OnnxNames.MetaSde, "vp");
            if (sde is not ("vp" or "ve")) throw new UserInputException($"{source}: metadata '{OnnxNames.MetaSde}' = '{sde}'; expected vp or ve");
            var defaults = new DiffusionMetadata();
            string task = Data.TaskSpec.ResolveRelativeTo(props.GetValueOrDefault(OnnxNames.MetaTask, ""), source);
            string judge = props.GetValueOrDefault(OnnxNames.MetaImageJudge, "") is { Length: > 0 } j
                ? Data.TaskSpec.ResolveRelativeTo(Data.TaskSpec.LatentPrefix + j, source)[Data.TaskSpec.LatentPrefix.Length..] : "";
            var metadata = new DiffusionMetadata
            {
                SdeKind = sde,
                BetaMin = Number(OnnxNames.MetaBetaMin, defaults.BetaMin),
                BetaMax = Number(OnnxNames.MetaBetaMax, defaults.BetaMax),
                SigmaMin = Number(OnnxNames.MetaSigmaMin, defaults.SigmaMin),
                SigmaMax = Number(OnnxNames.MetaSigmaMax, defaults.SigmaMax),
                SamplingScheduleScale = Number(OnnxNames.MetaScheduleScale, 1.0),
                Task = task,
                TaskFileOutsideModelFolder = Data.TaskSpec.OutsideModelFolder(task, source),
                ImageJudge = judge,
                ImageJudgeOutsideModelFolder = judge.Length > 0 ? Data.TaskSpec.OutsideModelFolder(Data.TaskSpec.LatentPrefix + judge, source) : null,
                ImageRange = ImageRangeOf(props.GetValueOrDefault(OnnxNames.MetaImageRange, "0,1"), source),
                TaskSha256 = props.GetValueOrDefault(OnnxNames.MetaTaskSha256, ""),
                ClassNames = names,
                Provenance = props.Where(p => p.Key.StartsWith(OnnxNames.MetaProvenancePrefix, StringComparison.Ordinal))
                    .ToDictionary(p => p.Key[OnnxNames.MetaProvenancePrefix.Length..], p => p.Value),
            };
            try { metadata.CreateSde(); }
            catch (UserInputException e) { throw new UserInputException($"{source}: metadata describes an invalid SDE: {e.Message}"); }
            var origins = new Dictionary<string, string>
            {
                ["sde"] = props.ContainsKey(OnnxNames.MetaSde) ? Networks.ScheduleSettings.FromFile : Networks.ScheduleSettings.Default,
                ["beta_min"] = props.ContainsKey(OnnxNames.MetaBetaMin) ? Networks.ScheduleSettings.FromFile : Networks.ScheduleSettings.Default,
                ["beta_max"] = props.ContainsKey(OnnxNames.MetaBetaMax) ? Networks.ScheduleSettings.FromFile : Networks.ScheduleSettings.Default,
                ["sigma_min"] = props.ContainsKey(OnnxNames.MetaSigmaMin) ? Networks.ScheduleSettings.FromFile : Networks.ScheduleSettings.Default,
                ["sigma_max"] = props.ContainsKey(OnnxNames.MetaSigmaMax) ? Networks.ScheduleSettings.FromFile : Networks.ScheduleSettings.Default,
                ["schedule_scale"] = props.ContainsKey(OnnxNames.MetaScheduleScale) ? Networks.ScheduleSettings.FromFile : Networks.ScheduleSettings.Default,
            };
            return metadata with { Origins = origins };
        }

    private static (double, double) ImageRangeOf(string text, string source)
    {
        var parts = text.Split(',');
        if (parts.Length == 2 && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double lo)
            && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double hi) && double.IsFinite(lo) && double.IsFinite(hi) && hi > lo)
            return (lo, hi);
        throw new UserInputException($"{source}: metadata '{OnnxNames.MetaImageRange}' = '{text}'; expected two numbers LO,HI with LO < HI");
    }

    /// <summary>Class names as stored: comma-separated, or a JSON array of strings when a name holds a comma.</summary>
    public static List<string>? ClassNamesOf(string stored)
    {
        if (!stored.StartsWith('[')) return stored.Split(',').ToList();
        try { return System.Text.Json.JsonSerializer.Deserialize<List<string>>(stored); }
        catch (System.Text.Json.JsonException) { return null; }
    }
}

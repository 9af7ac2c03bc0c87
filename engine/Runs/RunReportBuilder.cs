using MemristorGrid.Engine.Accounting;
using MemristorGrid.Engine.Crossbars;
using MemristorGrid.Engine.Diffusion;
using MemristorGrid.Engine.Latent;
using MemristorGrid.Engine.Metrics;
using MemristorGrid.Engine.Partitioning;
using MemristorGrid.Engine.Simulation;

namespace MemristorGrid.Engine.Runs;

/// <summary>Builds the <see cref="RunReport"/> of a finished run: the only place its values are computed.</summary>
public static class RunReportBuilder
{
    public const string ScoredInClient = "client", ScoredOnCluster = "cluster";

    /// <param name="scoredOn"><see cref="ScoredInClient"/> or <see cref="ScoredOnCluster"/>.</param>
    /// <param name="sections">The sections that follow from the request alone, started with the job.</param>
    public static RunReport Build(RunRequest r, IAnalogMachine machine, AnalogRunResult result, QualityReport? quality, DecodedImages? images,
        string scoredOn, RequestSections sections)
    {
        var o = r.Options;
        var c = result.Counters;
        var profile = r.Profile;
        int n = result.SampleCount;
        var layers = LayerRollup.Of(r.Network, profile.Mapping, result);
        var plan = DeploymentPlan.Create(r.Network, profile.Mapping);
        var lines = EnergyLines.Of(profile, plan, o, result, r.LoopDesign);
        return new RunReport
        {
            Simulator = machine.Name,
            Model = r.ModelPath,
            Profile = profile.Name,
            ProfileSource = r.ProfileSource,
            Device = profile.Device.Name,
            DeviceSource = profile.Device.Source,
            Sampler = o.Kind == SamplerKind.Ode ? "ode" : "sde",
            Solver = o.Kind == SamplerKind.Ode ? "dormand-prince-5(4)" : (o.SdeScheme == SdeScheme.Sra1 ? "sra1" : "euler-maruyama"),
            Samples = n,
            ScheduleScale = o.ScheduleScale,
            Guidance = o.GuidanceWeight,
            Seed = o.Seed,
            ProgramSeed = o.ProgramSeed,
            LaneSize = result.LaneSize,
            Placement = machine.Placement,
            Rtol = o.RelativeTolerance,
            Atol = o.AbsoluteTolerance,
            ContinuousSegments = o.ContinuousSegments,
            Reference = r.Reference?.Name,
            ScoredOn = scoredOn,
            KlPaper = quality?.KlPaper,
            Kl2D = quality?.Kl2D,
            EnergyDistance = quality?.EnergyDistance,
            ModeCoverage = quality?.Modes,
            WallSeconds = result.Wall.TotalSeconds,
            SecondsPerSample = result.Wall.TotalSeconds / n,
            EnergyPerSampleJoules = result.EnergyPerSampleJoules,
            SampleCellEnergy = result.SampleCellEnergy,
            TimePerSampleSeconds = result.TimePerSampleSeconds,
            GenerationSeconds = result.GenerationSeconds,
            LoopDelaySeconds = result.LoopDelaySeconds,
            ResetSeconds = profile.Integrator.ResetSeconds,
            ReadoutSeconds = profile.Adc.ConversionSeconds,
            OpampPowerWatts = new OpampPower(profile.TiaPowerWatts, profile.ActivationPowerWatts, profile.IntegratorPowerWatts,
                profile.Opamp.IsBandwidthModel ? "bandwidth" : "explicit") { WattsPerHertz = profile.Opamp.PowerPerBandwidthWattsPerHertz },
            ControllerUpdates = result.ControllerUpdates,
            NetworkEvaluations = c.NetworkEvaluations,
            NetworkEvaluationsPerLane = (double)c.NetworkEvaluations / result.Lanes,
            NetworkEvaluationsPerSample = (double)c.SampleEvaluations / n,
            Lanes = result.Lanes,
            AcceptedSteps = c.AcceptedSteps,
            RejectedSteps = c.RejectedSteps,
            TileInputOverflows = c.InputOverflows,
            SaturatedTileOutputs = c.SaturatedOutputs,
            EmbeddingDacOverflows = c.EmbeddingOverflows,
            EmbeddingDacOverflowFraction = c.EmbeddingValues > 0 ? (double)c.EmbeddingOverflows / c.EmbeddingValues : 0,
            EmbeddingDacUpdates = c.EmbeddingValues,
            IntegratorRailClips = c.IntegratorClips,
            ScoreAdcOverflows = c.ScoreAdcOverflows,
            TileAdcOverflows = c.TileAdcOverflows,
            LaneRetries = result.LaneRetries,
            Labels = r.Labels.Length > 0 ? r.Labels.Distinct().Select(l => r.Network.ClassNames[l]).ToList() : null,
            ClassAccuracy = r.Labels.Length > 0 ? quality?.ClassAccuracy?.Overall : null,
            ClassAccuracyPerClass = r.Labels.Length > 0 ? quality?.ClassAccuracy?.PerClass : null,
            PerClass = PerClass(quality),
            EnergyBreakdownJoules = result.Energy.Components.ToDictionary(e => e.Key, e => e.Joules),
            EnergyBasis = Basis(lines, result),
            EnergyLines = lines,
            Loop = sections.Loop.GetAwaiter().GetResult(),
            EnergyTotalJoules = result.TotalEnergyJoules,
            Tiles = result.Tiles,
            Program = sections.Program.GetAwaiter().GetResult(),
            Layers = layers.Select(l => new LayerEntry(l.Layer, l.Tiles, l.Chips, l.UsedDevices, l.TileDevices, l.Utilisation, l.Mvms, l.Ops, l.TileJoules, l.OpsPerJoule)).ToList(),
            ArrayUtilisation = layers.Sum(l => (double)l.UsedDevices) / layers.Sum(l => (double)l.TileDevices),
            OpsPerJoule = layers.Sum(l => l.Ops) / Math.Max(result.TotalEnergyJoules, double.Epsilon),
            Links = result.Links.Select(l => new LinkEntry(l.From, l.To, l.Signals, l.Bits, l.EnergyJoules)).ToList(),
            Images = images is null ? null : Images(images),
            Warnings = [.. Warnings(r, c, result.Samples, result.Dim, result), .. machine.Placement == "chips" ? [ChipsPlacement] : Array.Empty<string>()],
            Counters = c.ByName(),
            Provenance = Provenance.Of(r),
        };
    }

    /// <summary>The warning of a run without reference data (the command line printed it when the request was made).</summary>
    public const string NoReference = "the model names no training task and no reference data was given; quality metrics are omitted";

    /// <summary>A conditional run's figures per class, or null when there are none.</summary>
    public static IReadOnlyDictionary<string, ClassQualityEntry>? PerClass(QualityReport? quality) => quality is { PerClass.Count: > 0 }
        ? quality.PerClass.ToDictionary(q => q.Class, q => new ClassQualityEntry(q.Samples, q.KlPaper, q.EnergyDistance, Finite(q.ClassAccuracy)))
        : null;

    private static double? Finite(double v) => double.IsFinite(v) ? v : null;

    /// <summary>Said in every report of a <c>--placement chips</c> run: its wall time is not the grain system's cost.</summary>
    public const string ChipsPlacement = "placement chips: every chip call is a message to the chip's own silo (between processes on a cluster); the placement exists to study that interconnect and runs several times slower than the default placement, with the same samples";

    private static List<string> Warnings(RunRequest r, LaneCounters c, float[] samples, int dim, AnalogRunResult result)
    {
        var warnings = new List<string>();
        if (r.Reference is null) warnings.Add(NoReference);
        else if (Metrics.SampleMetrics.BeyondRange(samples, r.Reference.Data.X, dim) is > 0 and var beyond)
            warnings.Add(FormattableString.Invariant(
                $"{beyond} of {samples.Length / dim} samples ({(double)beyond * dim / samples.Length:P1}) lie beyond the data's range (a coordinate outside the reference's span widened by half of it): the loop let them run away"));
        if (result.SampleCellEnergy?.Warning() is { } runaway) warnings.Add(runaway);
        if (c.TileAdcOverflows > 0)
            warnings.Add($"ADCs between chips clipped {c.TileAdcOverflows} signals inside the network at their full scale (tile_adc_overflows)");
        if (c.ScoreAdcOverflows > 0)
            warnings.Add(FormattableString.Invariant(
                $"the ADC clipped {c.ScoreAdcOverflows} score values at its full scale (±{r.Profile.Adc.FullScaleVolts:G3} V) on their way to the integrators (score_adc_overflows)"));
        return warnings;
    }

    /// <summary>How much of the energy rests on sourced figures only (its lines' basis is not an assumption), and the sources of those lines.</summary>
    private static EnergyBasis Basis(IReadOnlyList<EnergyLine> lines, AnalogRunResult result)
    {
        double total = result.TotalEnergyJoules / Math.Max(1, result.SampleCount);
        var sourced = lines.Where(l => l.IsSourced && l.JoulesPerSample > 0).ToList();
        double share = total > 0 ? sourced.Sum(l => l.JoulesPerSample) / total : 0;
        return new EnergyBasis(share, total > 0 ? 1 - share : 0,
            sourced.ToDictionary(l => l.Component, l => string.Join("; ", l.Parameters.Select(p => $"{p.Key}: {p.Source}"))));
    }

    public static ImagesSection Images(DecodedImages decoded)
    {
        var q = decoded.Quality;
        static ImageQualityEntry Entry(ClassImageQuality c) =>
            new(c.Samples, c.ReferenceImages, Finite(c.ClassAccuracy), Finite(c.FrechetDistance), Finite(c.LatentKlPaper));
        return new ImagesSection(decoded.Decoder, ImageQualityReport.FeatureSpaceDescription, q.FeatureWidth, Entry(q.Pooled), q.PerClass.ToDictionary(c => c.Class, Entry))
        {
            AnalogDecoder = decoded.Analog is { } a
                ? new AnalogDecoderEntry(a.Tiles, a.Chips, a.Mvms, a.InputOverflows, a.SaturatedOutputs, a.ClippedActivations, a.CellEnergyJoules)
                : null,
        };
    }
}

using MemristorGrid.Engine.Partitioning;
using MemristorGrid.Engine.Simulation;

namespace MemristorGrid.Engine.Accounting;

/// <summary>
/// Turns what the lanes measured (cell energy integrated from the actual signals, counters) and the
/// plan into the run's result: per-tile and per-component energy from the <see cref="EnergyModel"/>,
/// links per chip pair, and time per sample. The one accounting path of the reference simulator and the cluster.
/// </summary>
public static class HardwareAccounting
{
    /// <summary>Every component's energy under <paramref name="model"/>, the cells' as the lanes integrated them: the run's
    /// breakdown, and the same with one parameter moved to an end of its band (<see cref="EnergyLines"/>).</summary>
    public static EnergyBreakdown Breakdown(EnergyModel model, DeploymentPlan plan, AnalogRunOptions options, int dim, double cellJoules)
    {
        double tia = 0, converters = 0, links = 0, settling = model.LoopDelay(plan);
        foreach (var layerTiles in plan.LayerTiles)
            foreach (int index in layerTiles)
            {
                var tp = plan.Tiles[index];
                tia += model.Tia(tp, settling);
                converters += model.TileConverters(tp);
                links += model.TileLink(tp);
            }
        int width = plan.LayerOutputs[0];
        return new EnergyBreakdown(
            CrossbarCells: cellJoules,
            Tia: tia,
            TileConverters: converters,
            Interconnect: links + model.IntegratorLinks(plan.IntegratorDigitisedInputs.Count(d => d)),
            ActivationCircuits: model.ActivationCircuits(plan.LayerCount - 1, width, settling),
            EmbeddingDacs: model.EmbeddingDacs(width),
            CoefficientDacs: model.CoefficientDacs(),
            NoiseDacs: model.NoiseDacs(dim, options.Kind),
            Integrators: model.Integrators(dim),
            Controller: model.Controller(width, dim, options.Kind),
            ReadoutAdc: model.ReadoutAdc(dim),
            InitialConditionDacs: model.InitialConditionDacs(dim));
    }

    /// <param name="dim">Dimensions of a sample.</param>
    public static AnalogRunResult Summarise(RunTiming timing, DeploymentPlan plan, AnalogRunOptions options, int dim, Profiles.HardwareProfile profile, IReadOnlyList<LaneState> lanes)
    {
        long samples = lanes.Sum(l => (long)l.Count);
        var model = new EnergyModel(profile, timing.GenerationSeconds, options.IsGuided ? 2 : 1, timing.ControllerUpdates, samples);

        double settling = model.LoopDelay(plan);
        var tiles = new List<TileReport>();
        foreach (var layerTiles in plan.LayerTiles)
            foreach (int index in layerTiles)
            {
                var tp = plan.Tiles[index];
                double cell = lanes.Sum(s => s.TileCellEnergyJoules[index]);
                long mvms = lanes.Sum(s => s.TileMvms[index]);
                double tia = model.Tia(tp, settling), converters = model.TileConverters(tp), link = model.TileLink(tp);
                tiles.Add(new TileReport(tp.Id, tp.Layer, tp.Chip, cell + tia + converters + link, cell, tia, converters, link, mvms,
                    model.TileAdcConversions(tp), model.TileLatency(tp)));
            }

        var energy = Breakdown(model, plan, options, dim, tiles.Sum(t => t.CellEnergyJoules));
        var links = plan.ChipCrossings()
            .Select(p => new ChipLink(p.Key.From, p.Key.To, p.Value, p.Value * model.LinkBitsPerSignal, model.LinkEnergy(p.Value)))
            .ToList();

        var ordered = lanes.OrderBy(l => l.FirstSample).ToList();
        var x = new float[samples * dim];
        var labels = new List<int>();
        long offset = 0;
        var counters = default(LaneCounters);
        foreach (var lane in ordered)
        {
            for (int i = 0; i < lane.X.Length; i++) x[offset + i] = (float)lane.X[i];
            offset += lane.X.Length;
            labels.AddRange(lane.Labels);
        }
        foreach (var lane in lanes) counters += lane.Counters;
        // Every sample's cell energy, from the lanes that kept it (all of them, but for checkpoints from before it was kept).
        var kept = ordered.Where(l => l.SampleCellEnergyJoules.Length == l.Count).ToList();
        var sampleEnergy = new double[kept.Sum(l => (long)l.Count)]; // sized once: a growing buffer held 2× at the end of 10⁶ samples
        long at = 0;
        foreach (var lane in kept)
        {
            lane.SampleCellEnergyJoules.CopyTo(sampleEnergy, at);
            at += lane.Count;
        }
        return new AnalogRunResult
        {
            Samples = x,
            Labels = labels.ToArray(),
            Dim = dim,
            Tiles = tiles,
            Energy = energy,
            Links = links,
            TimePerSampleSeconds = model.TimePerSample(plan),
            GenerationSeconds = timing.GenerationSeconds,
            LoopDelaySeconds = model.LoopDelay(plan),
            Segments = timing.SegmentCount,
            ControllerUpdates = timing.ControllerUpdates,
            Lanes = lanes.Count,
            Counters = counters,
            SampleCellEnergy = SampleEnergyStatistics.OfSorting(sampleEnergy),
        };
    }
}

using MemristorGrid.Engine.Hardware;
using MemristorGrid.Engine.Sampling;

namespace MemristorGrid.Engine.Analog;

/// <summary>
/// Turns what the lanes measured (cell energy integrated from the actual signals) and the plan into
/// the run's energy and latency: static power × the time circuits are biased, converters per
/// conversion, DACs per update, links per bit. Every term is listed in docs/hardware-model.md.
/// </summary>
public static class HardwareAccounting
{
    public static AnalogRunResult Summarise(LaneDriver driver, HardwareProfile profile, IReadOnlyList<LaneState> lanes, int dim, TimeSpan wall)
    {
        var plan = driver.Plan;
        var options = driver.Options;
        long samples = lanes.Sum(l => (long)l.Count);
        double tGen = driver.GenerationSeconds;
        int passes = options.GuidanceWeight != 0 ? 2 : 1; // guidance evaluates a second network copy
        int updates = driver.IsHeld ? driver.SegmentCount : 0;
        var adc = profile.Adc;
        double conversionsPerSignal = tGen * adc.SampleRateHz * passes; // a digitised signal is re-sampled while the loop runs
        int bitsPerConversion = adc.Bits == 0 ? 32 : adc.Bits;

        var tiles = new List<TileReport>();
        var linkSignals = new SortedDictionary<(int, int), int>();
        double linkBitsPerSignal = conversionsPerSignal * bitsPerConversion * samples;
        void Link(int from, int to, int n) { linkSignals[(from, to)] = linkSignals.TryGetValue((from, to), out int v) ? v + n : n; }
        double loopDelay = 0;
        for (int l = 0; l < plan.LayerCount; l++)
        {
            double layerDelay = 0;
            foreach (int index in plan.LayerTiles[l])
            {
                var tp = plan.Tiles[index];
                double cell = lanes.Sum(s => s.TileCellEnergyJoules[index]);
                long mvms = lanes.Sum(s => s.TileMvms[index]);
                int crossRows = tp.LinkedRowCount;
                int dacRows = tp.DigitisedRowCount;
                int adcOutputs = tp.DigitisedOutputs ? tp.ColCount : 0;
                double adcConversions = (crossRows + adcOutputs) * conversionsPerSignal * samples;
                double dacConversions = dacRows * conversionsPerSignal * samples;
                double tia = tp.ColCount * profile.Tia.StaticPowerWatts * tGen * passes * samples;
                double converters = adcConversions * adc.EnergyPerConversionJoules + dacConversions * profile.Dac.EnergyPerConversionJoules;
                double link = (crossRows + adcOutputs) * linkBitsPerSignal * profile.Interconnect.EnergyPerBitJoules;
                for (int r = 0; r < tp.RowCount; r++)
                    if (tp.ArrivesOverLink(r)) Link(tp.RowSourceChips[r], tp.Chip, 1);
                if (tp.DigitisedOutputs) Link(tp.Chip, tp.HomeChip, tp.ColCount);
                double latency = profile.Tia.SettlingSeconds
                    + (adcOutputs > 0 ? adc.ConversionSeconds + profile.Interconnect.LatencyPerHopSeconds : 0)
                    + (crossRows > 0 ? adc.ConversionSeconds + profile.Interconnect.LatencyPerHopSeconds : 0);
                layerDelay = Math.Max(layerDelay, latency);
                tiles.Add(new TileReport(tp.Id, tp.Layer, tp.Chip, cell + tia + converters + link, cell, tia, converters, link, mvms, adcConversions, latency));
            }
            loopDelay += layerDelay + (l < plan.LayerCount - 1 ? profile.Activation.DelaySeconds : 0);
        }
        int integratorCrossings = plan.IntegratorDigitisedInputs.Count(d => d);
        for (int j = 0; j < dim; j++)
            if (plan.IntegratorDigitisedInputs[j]) Link(plan.IntegratorSourceChips[j], DeploymentPlan.IntegratorChip, 1);
        if (integratorCrossings > 0) loopDelay += adc.ConversionSeconds + profile.Interconnect.LatencyPerHopSeconds;

        int hiddenLayers = plan.LayerCount - 1, width = plan.LayerOutputs[0];
        var c = profile.Controller;
        double integratorLinks = integratorCrossings * (conversionsPerSignal * samples * adc.EnergyPerConversionJoules
            + linkBitsPerSignal * profile.Interconnect.EnergyPerBitJoules);
        var breakdown = new List<KeyValuePair<string, double>>
        {
            new("crossbar_cells", tiles.Sum(t => t.CellEnergyJoules)),
            new("tia", tiles.Sum(t => t.TiaEnergyJoules)),
            new("tile_converters", tiles.Sum(t => t.ConverterEnergyJoules)),
            new("interconnect", tiles.Sum(t => t.LinkEnergyJoules) + integratorLinks),
            new("activation_circuits", hiddenLayers * width * profile.Activation.StaticPowerWatts * tGen * passes * samples),
            new("embedding_dacs", (double)width * updates * c.DacEnergyPerUpdateJoules * samples),
            new("coefficient_dacs", 2.0 * updates * c.DacEnergyPerUpdateJoules * samples),
            new("noise_dacs", options.Kind == SamplerKind.Sde ? (double)dim * updates * c.DacEnergyPerUpdateJoules * samples : 0),
            new("integrators", dim * profile.Integrator.StaticPowerWatts * tGen * samples),
            new("controller", c.StaticPowerWatts * tGen * samples),
            new("readout_adc", (double)dim * adc.EnergyPerConversionJoules * samples),
        };
        var links = linkSignals.Select(p => new ChipLink(p.Key.Item1, p.Key.Item2, p.Value, p.Value * linkBitsPerSignal,
            p.Value * (linkBitsPerSignal * profile.Interconnect.EnergyPerBitJoules + conversionsPerSignal * samples * adc.EnergyPerConversionJoules))).ToList();

        var x = new float[samples * dim];
        var labels = new List<int>();
        long offset = 0;
        foreach (var lane in lanes.OrderBy(l => l.FirstSample))
        {
            for (int i = 0; i < lane.X.Length; i++) x[offset + i] = (float)lane.X[i];
            offset += lane.X.Length;
            labels.AddRange(lane.Labels);
        }
        return new AnalogRunResult
        {
            Samples = x,
            Labels = labels.ToArray(),
            Dim = dim,
            Tiles = tiles,
            EnergyBreakdown = breakdown,
            Links = links,
            TimePerSampleSeconds = loopDelay + tGen + adc.ConversionSeconds,
            GenerationSeconds = tGen,
            LoopDelaySeconds = loopDelay,
            Segments = driver.SegmentCount,
            Lanes = lanes.Count,
            NetworkEvaluations = lanes.Sum(l => l.NetworkEvaluations),
            AcceptedSteps = lanes.Sum(l => l.AcceptedSteps),
            RejectedSteps = lanes.Sum(l => l.RejectedSteps),
            InputOverflows = lanes.Sum(l => l.InputOverflows),
            SaturatedOutputs = lanes.Sum(l => l.SaturatedOutputs),
            EmbeddingOverflows = lanes.Sum(l => l.EmbeddingOverflows),
            EmbeddingValues = lanes.Sum(l => l.EmbeddingValues),
            IntegratorClips = lanes.Sum(l => l.IntegratorClips),
            Wall = wall,
        };
    }
}

namespace MemristorGrid.Engine.Graphs.Analog;

/// <summary>One line of a general graph's energy per sample: what it is, which unit it belongs to, and how it was counted.</summary>
public sealed record GraphEnergyLine(string Key, GraphUnit Unit, double Joules, string Basis);

/// <summary>
/// Time and energy per sample of a general graph on the analog machine, split between the analog
/// machine (tiles, TIAs, activation circuits, integrators and the tiles' converters), the controller and
/// the digital unit. The loop runs back to back: a multiplexed convolution makes it a sampled loop whose
/// traversals (generation time ÷ loop delay) each convert every multiplexed output and digital-unit
/// input; each kernel matrix is read P times a traversal, one TIA settling each, so the simulated cell
/// power (all P vectors at once) is weighted by TIA settling ÷ loop delay. Links between chips carry
/// each digitised signal that crosses them (<see cref="GraphPlan.ChipCrossings"/>) at the ADC's bits, once a
/// traversal, at the profile's energy per bit.
/// </summary>
public sealed record GraphCosts(double TimePerSampleSeconds, double GenerationSeconds, double TraversalsPerSample, IReadOnlyList<GraphEnergyLine> Lines)
{
    public double EnergyPerSampleJoules => Lines.Sum(l => l.Joules);

    /// <summary>The share of a traversal each input vector is applied for (one TIA settling): what the simulated cell power is weighted by.</summary>
    public static double CellDuty(GraphLoopDesign design) => design.Profile.Tia.SettlingSeconds / design.LoopDelaySeconds;

    public double Share(GraphUnit unit) => EnergyPerSampleJoules > 0 ? Lines.Where(l => l.Unit == unit).Sum(l => l.Joules) / EnergyPerSampleJoules : 0;

    public static GraphCosts Of(AnalogGraph machine, GraphRunResult run, int samples) =>
        Estimate(machine.Graph, machine.Plan, run.Design.Profile, run.Design.LoopDelaySeconds, run.Timing,
            run.TileCellEnergyJoules.Sum() / samples * CellDuty(run.Design));

    /// <summary>The costs of a design before (or without) a run: <paramref name="cellJoulesPerSample"/> is the one line only a run
    /// measures (the loop design passes 0: the cells' energy only grows with RC, so leaving it out can only favour a longer RC).</summary>
    public static GraphCosts Estimate(ScoreGraph graph, GraphPlan plan, Profiles.HardwareProfile p, double delay, Simulation.RunTiming timing, double cellJoulesPerSample)
    {
        double generation = timing.GenerationSeconds;
        double traversals = generation / delay;
        double adc = p.Adc.JoulesPerConversion(), dac = p.Dac.JoulesPerConversion(p.Adc.SampleRateHz), op = p.DigitalUnit.EnergyPerOpJoules;
        double time = p.Integrator.ResetSeconds + delay + generation + p.Adc.ConversionSeconds;

        // Per traversal: tile-side conversions (each multiplexed or chip-leaving output, each re-driven input) and the digital unit's.
        double tileAdc = 0, tileDac = 0;
        foreach (var tile in plan.Tiles)
        {
            int vectors = plan.Layers[tile.Layer].VectorsPerSample;
            if (vectors > 1 || tile.DigitisedOutputs) tileAdc += vectors * (double)tile.ColCount;
            tileDac += vectors * (double)tile.DigitisedRowCount;
        }
        double digitalOps = graph.Nodes.Where(n => n.Unit == GraphUnit.Digital).Sum(n => (double)n.OperationsPerSample(graph));
        var digitalNodes = graph.Nodes.Where(n => n.Unit == GraphUnit.Digital).ToList();
        double digitalIn = digitalNodes.Sum(n => n.Inputs.Distinct().Sum(i => (double)graph.Values[i].Size));
        double digitalOut = digitalNodes.Sum(n => (double)graph.Values[n.Outputs[0]].Size);
        double controllerOps = graph.Nodes.Where(n => n.Unit == GraphUnit.Controller).Sum(n => (double)n.OperationsPerSample(graph));
        double heldValues = graph.Nodes.Where(n => n.Unit != GraphUnit.Controller).SelectMany(n => n.Inputs).Distinct()
            .Where(v => !graph.Values[v].DependsOnX).Sum(v => (double)graph.Values[v].Size);
        double updates = timing.IsHeld ? timing.SegmentCount : traversals;
        int tias = plan.Tiles.Sum(t => t.ColCount);
        double circuits = graph.Nodes.Where(n => n.Unit == GraphUnit.Periphery)
            .Sum(n => (double)(graph.Values[n.Outputs[0]].Shape is { Length: > 1 } s ? s[0] : graph.Values[n.Outputs[0]].Size));
        double cells = cellJoulesPerSample;
        double linkSignals = plan.ChipCrossings(graph.InputDim, plan.ScoreSources).Values.Sum(), bits = p.Adc.BitsPerConversion;

        var lines = new List<GraphEnergyLine>
        {
            new("tile_cells", GraphUnit.Tiles, cells, "simulated ΣV²G of every input vector, weighted by TIA settling ÷ loop delay (each vector is applied once a traversal)"),
            new("tias", GraphUnit.Tiles, tias * p.TiaPowerWatts * (generation + delay), $"{tias} TIAs biased through the generation"),
            new("tile_adcs", GraphUnit.Tiles, tileAdc * traversals * adc, $"{tileAdc:G4} conversions a traversal (multiplexed and chip-leaving outputs) × {traversals:G4} traversals"),
            new("tile_dacs", GraphUnit.Tiles, tileDac * traversals * dac, $"{tileDac:G4} re-driven inputs a traversal × {traversals:G4} traversals"),
            new("links", GraphUnit.Tiles, linkSignals * bits * p.Interconnect.EnergyPerBitJoules * traversals,
                $"{linkSignals:G4} signals between chips a traversal × {bits} bits × {traversals:G4} traversals × {p.Interconnect.EnergyPerBitJoules:G3} J/bit"),
            new("activations", GraphUnit.Periphery, circuits * p.ActivationPowerWatts * generation, $"{circuits:G4} periphery circuits (one per channel, multiplexed over pixels)"),
            new("integrators", GraphUnit.Periphery, graph.InputDim * p.IntegratorPowerWatts * generation, $"{graph.InputDim} integrator channels"),
            new("digital_ops", GraphUnit.Digital, digitalOps * traversals * op, $"{digitalOps:G4} operations a traversal × {traversals:G4} traversals × {op:G3} J ({p.DigitalUnit.Source})"),
            new("digital_conversions", GraphUnit.Digital, (digitalIn * adc + digitalOut * dac) * traversals, $"{digitalIn:G4} ADC and {digitalOut:G4} DAC conversions a traversal × {traversals:G4} traversals"),
            new("controller_ops", GraphUnit.Controller, controllerOps * updates * op, $"{controllerOps:G4} operations an update × {updates:G4} updates"),
            new("controller_dacs", GraphUnit.Controller, heldValues * updates * p.Controller.DacEnergyPerUpdateJoules, $"{heldValues:G4} held values × {updates:G4} updates"),
            new("controller_static", GraphUnit.Controller, p.Controller.StaticPowerWatts * time, "static power over the sample's time"),
        };
        return new GraphCosts(time, generation, traversals, lines);
    }

    /// <summary>Signals crossing each chip pair in one traversal.</summary>
    public static IReadOnlyDictionary<(int From, int To), long> Links(AnalogGraph machine) =>
        machine.Plan.ChipCrossings(machine.Graph.InputDim, machine.Plan.ScoreSources);
}

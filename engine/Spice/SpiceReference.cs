using MemristorGrid.Engine.Circuits;
using MemristorGrid.Engine.Crossbars;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Partitioning;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Simulation;

namespace MemristorGrid.Engine.Spice;

/// <summary>One chip and one start point, as the simulator and as ngspice integrate it.</summary>
/// <param name="Times">The controller's update instants after the start, where both are compared (s).</param>
/// <param name="Simulated">[channel][update] the simulator's x (units) at the end of each update period.</param>
/// <param name="Spice">[channel][update] ngspice's x (units) at the same instants.</param>
/// <param name="RmsErrorOfFullScale">RMS of simulated − SPICE over channels and instants, over the integrator's full scale.</param>
/// <param name="MaxErrorUnits">The largest |simulated − SPICE| (units).</param>
/// <param name="EndErrorUnits">The distance between the two end points (the generated sample), in units.</param>
/// <param name="SimulatedCellPowerWatts">The simulator's cell energy over the generation ÷ its duration.</param>
/// <param name="SpiceArrayPowerWatts">ngspice's mean power into the arrays (cells, wires, driver resistance) over the generation.</param>
public sealed record SpiceRun(
    ulong ProgramSeed, long Sample, string Netlist,
    double[] Times, double[][] Simulated, double[][] Spice,
    double RmsErrorOfFullScale, double MaxErrorUnits, double EndErrorUnits,
    double SimulatedCellPowerWatts, double SpiceArrayPowerWatts, double SpiceSeconds)
{
    public double PowerRatio => SpiceArrayPowerWatts / SimulatedCellPowerWatts;
}

/// <summary>The comparison of a deployment's closed loop with ngspice over several chips and start points.</summary>
/// <param name="FullScaleUnits">The integrator's output range (rail, in units) the RMS error is a fraction of.</param>
/// <param name="OpampBiasPowerWatts">The TIAs', activations' and integrators' static power (W): the same bandwidth-derived
/// figure in both, so it is not compared (a macromodel draws no bias current).</param>
public sealed record SpiceComparison(string Profile, double FullScaleUnits, double OpampBiasPowerWatts, IReadOnlyList<SpiceRun> Runs)
{
    public double WorstRmsErrorOfFullScale => Runs.Max(r => r.RmsErrorOfFullScale);
    public double WorstPowerDeviation => Runs.Max(r => Math.Abs(r.PowerRatio - 1));
}

/// <summary>
/// Checks the simulator's closed loop against a circuit simulator: for each chip (program seed) and start point the same
/// programmed devices, offsets, held controller outputs and start point go into a <see cref="LoopNetlist"/>; ngspice
/// integrates the circuit and the simulator integrates its model; the integrator outputs are compared at every
/// controller update, and the arrays' power over the generation.
/// </summary>
public static class SpiceReference
{
    /// <summary>Longest ngspice step, as a fraction of the controller's update period.</summary>
    public const int StepsPerUpdate = 20;

    /// <summary>The profile the comparison runs: with <c>loop.derive</c>, the deployment's derived timing in place (as a run's).</summary>
    public static HardwareProfile Designed(ScoreNetwork network, HardwareProfile profile, AnalogRunOptions options)
    {
        options.ValidateFor(network);
        return Accounting.LoopDesigner.Ensure(network, profile, options);
    }

    /// <summary>Refuses what cannot be compared (before any work or output); returns the full scale (units) errors are a fraction of.</summary>
    public static double Check(ScoreNetwork network, HardwareProfile profile, AnalogRunOptions options) =>
        Check(network, profile, options, DeploymentPlan.Create(network, profile.Mapping));

    private static double Check(ScoreNetwork network, HardwareProfile profile, AnalogRunOptions options, DeploymentPlan plan)
    {
        options.ValidateFor(network);
        Accounting.LoopTiming.Require(plan, profile);
        LoopNetlist.RequireRepresentable(network, profile, options, plan);
        return profile.Integrator.SaturationVolts is { } rail ? rail / profile.Signal.VoltsPerUnit
            : throw UserInputException.ForSetting("profile", $"{profile.Name} has no integrator rails (integrator.saturation_volts): the comparison's error is a fraction of that full scale");
    }

    /// <param name="profile">Without read noise (<see cref="LoopNetlist.RequireRepresentable"/> says why).</param>
    /// <param name="samples">Start points: these samples' draws from the prior under <paramref name="options"/>' seed.</param>
    /// <param name="folder">Where each netlist, its ngspice log and its table are written.</param>
    public static SpiceComparison Compare(ScoreNetwork network, HardwareProfile profile, AnalogRunOptions options,
        IReadOnlyList<ulong> programSeeds, IReadOnlyList<long> samples, string folder, CancellationToken cancel = default)
    {
        if (profile.Mapping.Replicas > 1)
            throw UserInputException.ForSetting("mapping.redundancy", "is not drawn in the SPICE netlist (one device pair per weight): compare without it");
        var plan = DeploymentPlan.Create(network, profile.Mapping);
        double fullScale = Check(network, profile, options, plan);
        double vu = profile.Signal.VoltsPerUnit;
        // The simulator's side first (cheap, in order), then every ngspice transient, as many at once as there are cores.
        var pending = new List<(ulong Seed, long Sample, LoopNetlist Netlist, string Name, double[] Times, double[][] Simulated, double CellPower)>();
        foreach (ulong seed in programSeeds)
        {
            var chip = options with { ProgramSeed = seed };
            var driver = new LaneDriver(network, profile, plan, chip, LabelEncoder.Of(network));
            var blocks = plan.Tiles.Select(t => ConductanceMapping.Program(t, network, profile, seed)).ToArray();
            var tiles = plan.Tiles.Select((t, i) => new CrossbarTile(t, blocks[i], profile)).ToArray();
            var transport = new LocalChipTransport(network, plan, profile, tiles);
            foreach (long sample in samples)
            {
                cancel.ThrowIfCancellationRequested();
                int[] labels = network.IsConditional ? [(int)(sample % network.ClassCount)] : [];
                var lane = driver.CreateLane(sample, 1, labels);
                var start = lane.X.ToArray();
                int dim = network.InputDim, segments = driver.SegmentCount;
                var simulated = Enumerable.Range(0, dim).Select(_ => new double[segments]).ToArray();
                var times = new double[segments];
                var workspace = new LaneWorkspace();
                for (int k = 0; k < segments; k++)
                {
                    driver.AdvanceAsync(lane, transport, 1, workspace, cancel).AsTask().GetAwaiter().GetResult();
                    times[k] = driver.SegmentAt(k).End * driver.TimeConstant;
                    for (int d = 0; d < dim; d++) simulated[d][k] = lane.X[d];
                }
                double cellPower = lane.TileCellEnergyJoules.Sum() / driver.Timing.GenerationSeconds;
                string name = $"chip{seed}-sample{sample}";
                var netlist = LoopNetlist.Create(driver, profile, blocks, start, network.IsConditional ? labels[0] : 0,
                    $"{name}: program seed {seed}, start point = sample {sample} of seed {options.Seed}, profile {profile.Name}");
                pending.Add((seed, sample, netlist, name, times, simulated, cellPower));
            }
        }
        var traces = new SpiceTrace[pending.Count];
        Parallel.For(0, pending.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancel }, i =>
        {
            traces[i] = Ngspice.Run(pending[i].Netlist, folder, pending[i].Name, profile.Controller.UpdatePeriodSeconds / StepsPerUpdate, TimeSpan.FromMinutes(10), cancel);
        });
        var runs = new List<SpiceRun>();
        for (int i = 0; i < pending.Count; i++)
        {
            var (seed, sample, _, name, times, simulated, cellPower) = pending[i];
            var trace = traces[i];
            int dim = simulated.Length, segments = times.Length;
            var spice = Enumerable.Range(0, dim).Select(d => times.Select(t => trace.StateAt(d, t) / vu).ToArray()).ToArray();
            double squares = 0, worst = 0, end = 0;
            for (int d = 0; d < dim; d++)
            {
                for (int k = 0; k < segments; k++)
                {
                    double e = simulated[d][k] - spice[d][k];
                    squares += e * e;
                    worst = Math.Max(worst, Math.Abs(e));
                }
                end += Math.Pow(simulated[d][^1] - spice[d][^1], 2);
            }
            runs.Add(new SpiceRun(seed, sample, name + ".cir", times, simulated, spice,
                Math.Sqrt(squares / (dim * segments)) / fullScale, worst, Math.Sqrt(end),
                cellPower, trace.MeanArrayPowerWatts(), trace.Elapsed.TotalSeconds));
        }
        int hidden = plan.LayerCount - 1;
        double bias = plan.Tiles.Sum(t => t.ColCount) * profile.TiaPowerWatts + hidden * network.HiddenWidth * profile.ActivationPowerWatts
            + network.InputDim * profile.IntegratorPowerWatts;
        return new SpiceComparison(profile.Name, fullScale, bias, runs);
    }
}

using System.Globalization;
using System.Text;
using MemristorGrid.Engine.Runs;

namespace MemristorGrid.Client.Output;

/// <summary><c>report.md</c> of an analog run, rendered from its typed <see cref="RunReport"/> (and the baseline it was set beside).</summary>
public static class RunMarkdown
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private static string F(double v) => v.ToString("G4", Inv);
    private static string F3(double? v) => v is { } d ? d.ToString("F3", Inv) : "n/a";

    public static string Render(RunReport report, BaselineReport? baseline)
    {
        var sb = new StringBuilder();
        int n = report.Samples;
        sb.AppendLine(Inv, $"# Analog run: {Path.GetFileName(report.Model)} on `{report.Profile}`");
        sb.AppendLine();
        string sampler = report.Sampler == "ode" ? "probability-flow ODE (Dormand–Prince 5(4))" : $"reverse SDE ({report.Solver})";
        sb.AppendLine(Inv, $"{n} samples, {sampler}, seed {report.Seed}, chip seed {report.ProgramSeed}, schedule scale {F(report.ScheduleScale)}.");
        sb.AppendLine();
        if (report.Device.Length > 0)
        {
            sb.AppendLine($"Devices: `{report.Device}`{(report.DeviceSource.Length > 0 ? $" — {report.DeviceSource}" : "")}");
            sb.AppendLine();
        }
        foreach (var warning in report.Warnings) sb.AppendLine($"> warning: {warning}\n");
        if (baseline is { KlPaper: { } dk } && report.KlPaper is { } ak)
        {
            string accuracy = baseline.ClassAccuracy is { } bc && report.ClassAccuracy is { } qa ? string.Create(Inv, $"; class accuracy {bc:F3} digital, {qa:F3} analog.") : ".";
            sb.AppendLine(Inv, $"**Digital against analog.** The digital baseline ({baseline.Steps} {baseline.Sampler} steps in ONNX Runtime) reached kl_paper {dk:F4}; this run {ak:F4}, {ak / dk:G3}× the digital figure{accuracy}");
            sb.AppendLine();
        }
        Quality(sb, report);
        if (report.Images is { } images) sb.AppendLine(LatentImages.Markdown(images));
        Hardware(sb, report);
        Layers(sb, report);
        Programming(sb, report.Program);
        Energy(sb, report);
        return sb.ToString();
    }

    private static void Quality(StringBuilder sb, RunReport r)
    {
        if (r.KlPaper is not { } kl) return;
        sb.AppendLine("| quality | value | what it measures |\n|---|---|---|");
        sb.AppendLine(Inv, $"| kl_paper | {kl:F5} | the paper's KL divergence: all coordinates in one 50-bin histogram on [−4, 4], generated against reference (0 = same; lower is better) |");
        sb.AppendLine(Inv, $"| kl_2d | {r.Kl2D:F4} | KL divergence of the joint 2-D histogram of x1, x2 (sees shape, not only marginals) |");
        sb.AppendLine(Inv, $"| energy distance | {r.EnergyDistance:F5} | a distance between the two point sets with no binning (0 = same distribution) |");
        if (r.ClassAccuracy is { } a) sb.AppendLine(Inv, $"| class accuracy | {a:F4} | share of samples a nearest-neighbour classifier on the reference assigns to the class they were generated for |");
        sb.AppendLine();
        if (r.PerClass is not { Count: > 0 } perClass) return;
        sb.AppendLine("| class | kl_paper | energy distance | class accuracy | samples |\n|---|---|---|---|---|");
        foreach (var (name, c) in perClass) sb.AppendLine(Inv, $"| {name} | {c.KlPaper:F4} | {c.EnergyDistance:F5} | {F3(c.ClassAccuracy)} | {c.Samples} |");
        sb.AppendLine();
    }

    private static void Hardware(StringBuilder sb, RunReport r)
    {
        sb.AppendLine("| simulated hardware | value |\n|---|---|");
        sb.AppendLine(Inv, $"| time per sample | {Units.Time(r.TimePerSampleSeconds)} (reset and initial load {Units.Time(r.ResetSeconds)}, loop settling {Units.Time(r.LoopDelaySeconds)}, integration {Units.Time(r.GenerationSeconds)}, readout {Units.Time(r.ReadoutSeconds)}) |");
        var loop = r.Loop;
        sb.AppendLine(Inv, $"| loop: delay, largest gain | {Units.Time(loop.LoopDelaySeconds)} to settle one traversal, {Units.Time(loop.PhaseDelaySeconds)} of phase delay (the stages' pole time constants and pure delays); ‖∂F/∂x‖ up to {loop.LoopGainMax:G3} per unit of diffusion time (at τ = {loop.LoopGainMaxTau:G3}, along probability-flow paths of the digital network) |");
        string verdict = loop.RcUsedSeconds >= loop.RcMinSeconds
            ? $"{loop.RcUsedSeconds / loop.RcMinSeconds:G3}× RC_min: gain × delay = {loop.GainDelayProduct:G2} of a {loop.DelayBudget:G2} budget"
            : $"**below RC_min**: gain × delay = {loop.GainDelayProduct:G2}, over the {loop.DelayBudget:G2} budget; the loop's delay is not negligible and the simulator (which treats it as settled) flatters the result";
        string minimum = loop.NodeLimitDelaySeconds is { } node
            ? $"gain × phase delay / RC ≤ {loop.DelayBudget:G2} with every op-amp at the node's fastest: {Units.Time(node)} per traversal"
            : $"gain × phase delay / RC ≤ {loop.DelayBudget:G2}";
        sb.AppendLine(Inv, $"| RC: used, minimum, lowest energy | {Units.Time(loop.RcUsedSeconds)}, {Units.Time(loop.RcMinSeconds)} ({minimum}), {Units.Time(loop.RcOptSeconds)} ({Units.Energy(loop.EnergyPerSampleAtRcOptJoules)} per sample there, cells left out); the run is at {verdict}. Why this RC: {loop.RcReason} |");
        sb.AppendLine(Inv, $"| loop stages | TIAs settle in {Units.Time(loop.TiaSettlingSeconds)} at noise gain {loop.TiaNoiseGain:G3}, activations in {Units.Time(loop.ActivationDelaySeconds)}; controller update every {(loop.ControllerUpdatePeriodSeconds > 0 ? Units.Time(loop.ControllerUpdatePeriodSeconds) : "— (continuous)")} |");
        sb.AppendLine(Inv, $"| integrator thermal noise | kT/C {loop.KtcNoiseUnits:G2} units, input resistor {loop.ResistorNoiseUnits:G2} units over the generation (C = {loop.CapacitorFarads * 1e12:G3} pF) |");
        var p = r.OpampPowerWatts;
        string powerBasis = p.WattsPerHertz is { } k ? string.Create(Inv, $"from the bandwidth each needs × {k * 1e12:G3} µW/MHz") : "as the profile states them";
        sb.AppendLine(Inv, $"| op-amp static power: TIA / activation / integrator | {Units.Power(p.Tia)} / {Units.Power(p.Activation)} / {Units.Power(p.Integrator)} ({powerBasis}) |");
        sb.AppendLine(Inv, $"| energy per sample | {Units.Energy(r.EnergyPerSampleJoules)} |");
        sb.AppendLine(Inv, $"| controller updates per sample | {(r.ControllerUpdates > 0 ? r.ControllerUpdates.ToString(Inv) : "continuous")} |");
        sb.AppendLine(Inv, $"| network evaluations per sample | {r.NetworkEvaluationsPerSample:F1} ({r.NetworkEvaluations} lane passes over {r.Lanes} lanes) |");
        sb.AppendLine(Inv, $"| solver steps accepted / rejected | {r.AcceptedSteps} / {r.RejectedSteps} |");
        sb.AppendLine(Inv, $"| saturated tile outputs | {r.SaturatedTileOutputs} |");
        sb.AppendLine(Inv, $"| embedding DAC overflows | {r.EmbeddingDacOverflows} of {r.EmbeddingDacUpdates} channel updates |");
        sb.AppendLine(Inv, $"| integrator rail clips | {r.IntegratorRailClips} |");
        sb.AppendLine(Inv, $"| score values clipped by the ADC before the integrators | {r.ScoreAdcOverflows} |");
        sb.AppendLine(Inv, $"| signals clipped by ADCs between chips inside the network | {r.TileAdcOverflows} |");
        sb.AppendLine(Inv, $"| simulator wall time | {r.WallSeconds:F2} s |");
        sb.AppendLine();
    }

    private static void Layers(StringBuilder sb, RunReport r)
    {
        int n = r.Samples;
        var layers = r.Layers;
        sb.AppendLine("| layer | tiles | chips | devices used / in its tiles (utilisation) | MVMs | ops per sample | tile energy per sample | ops per joule (tiles) |\n|---|---|---|---|---|---|---|---|");
        foreach (var l in layers)
            sb.AppendLine(Inv, $"| {l.Layer} | {l.Tiles} | {l.Chips} | {l.UsedDevices} / {l.TileDevices} ({l.Utilisation:P1}) | {l.Mvms} | {l.Ops / n:G4} | {Units.Energy(l.TileEnergyJoules / n)} | {l.OpsPerJoule:G3} |");
        sb.AppendLine(Inv, $"| all | {layers.Sum(l => l.Tiles)} | {r.ChipCount} | {layers.Sum(l => l.UsedDevices)} / {layers.Sum(l => l.TileDevices)} ({r.ArrayUtilisation:P1}) | {layers.Sum(l => l.Mvms)} | {layers.Sum(l => l.Ops) / n:G4} | {Units.Energy(layers.Sum(l => l.TileEnergyJoules) / n)} | {r.OpsPerJoule:G3} (whole machine) |");
        sb.AppendLine();
        sb.AppendLine("An op is a multiply or an add of a matrix–vector product in the crossbars (2 per cell per MVM); utilisation counts the devices the weights use (each of a weight's pairs with `mapping.redundancy`) against those of the tiles they occupy.");
        sb.AppendLine();
    }

    private static void Programming(StringBuilder sb, Engine.Crossbars.ProgrammingSection p)
    {
        sb.AppendLine("| programming the chip (once per deployment, before drift) | value |\n|---|---|");
        if (p.Method == "write-verify")
        {
            sb.AppendLine(Inv, $"| method | write-verify, ±{p.ToleranceMicrosiemens:G3} µS |");
            sb.AppendLine(Inv, $"| devices verified / not verified | {p.VerifiedDevices} / {p.NotVerifiedDevices} of {p.Devices} |");
            sb.AppendLine(Inv, $"| pulses: mean / most on one device | {p.MeanPulsesPerDevice:F2} / {p.MaxPulsesOnOneDevice} |");
            sb.AppendLine(Inv, $"| devices that needed more than one pulse | {p.DevicesWithMoreThanOnePulse} |");
            if (p.OffDevices > 0) sb.AppendLine(Inv, $"| off devices (at G_min, RESET below it, not relaxed) | {p.OffDevices} |");
            if (p.Rounds > 1) sb.AppendLine(Inv, $"| programming rounds / devices programmed again | {p.Rounds} / {p.ReprogrammedDevices} |");
            sb.AppendLine(Inv, $"| cell energy of the pulses and verify reads | {Units.Energy(p.CellEnergyJoules ?? 0)} |");
            sb.AppendLine(Inv, $"| time, one device after another | {Units.Time(p.SerialSeconds ?? 0)} |");
            if (p.CalibrationReads is { } reads)
                sb.AppendLine(Inv, $"| column calibration: reads / ADC conversions / energy / time | {reads} / {p.CalibrationConversions} / {Units.Energy(p.CalibrationEnergyJoules ?? 0)} / {Units.Time(p.CalibrationSeconds ?? 0)} |");
        }
        else sb.AppendLine(Inv, $"| method | one unverified write per device ({p.Devices} devices) |");
        sb.AppendLine(Inv, $"| remaining error against the targets (RMS) | {p.RmsErrorMicrosiemens:G3} µS = {p.RmsErrorFractionOfWindow:P2} of the window |");
        sb.AppendLine();
    }

    private static void Energy(StringBuilder sb, RunReport r)
    {
        int n = r.Samples;
        double total = r.EnergyTotalJoules;
        var (perSample, prefix) = Units.PrefixFor(total / n);
        sb.AppendLine($"| energy per sample by component | {prefix}J | band ({prefix}J) | share | basis | rests on |\n|---|---|---|---|---|---|");
        foreach (var line in r.EnergyLines)
        {
            string band = line.LowJoulesPerSample == line.HighJoulesPerSample ? "—" : $"{F(line.LowJoulesPerSample / perSample)} – {F(line.HighJoulesPerSample / perSample)}";
            string parameters = string.Join(", ", line.Parameters.Select(p => $"{p.Key} ({p.Kind})"));
            sb.AppendLine(Inv, $"| {line.Component} | {F(line.JoulesPerSample / perSample)} | {band} | {(total > 0 ? line.JoulesPerSample * n / total : 0):P1} | {line.Basis} | {parameters} |");
        }
        double low = r.EnergyLines.Sum(l => l.LowJoulesPerSample), high = r.EnergyLines.Sum(l => l.HighJoulesPerSample);
        sb.AppendLine(Inv, $"| **total** | {F(total / n / perSample)} | {F(low / perSample)} – {F(high / perSample)} | 100 % | | |");
        sb.AppendLine();
        sb.AppendLine(Inv, $"{r.EnergyBasis.SourcedShare:P2} of the energy rests on sourced figures only (silicon, simulation, model, derived or the authors' own); {r.EnergyBasis.AssumedShare:P2} on at least one assumption. A band moves every parameter of a line across its own band; the total's band moves them all at once.");
        sb.AppendLine();
        var figures = r.EnergyLines.SelectMany(l => l.Parameters).GroupBy(p => p.Key).Select(g => g.First()).ToList();
        sb.AppendLine("| parameter | value | band | node | kind | source |\n|---|---|---|---|---|---|");
        foreach (var p in figures)
            sb.AppendLine(Inv, $"| {p.Key} | {F(p.Value)} | {(p.Low is { } lo && p.High is { } hi ? $"{F(lo)} – {F(hi)}" : "—")} | {p.Node} | {p.Kind} | {p.Source}{(p.Note is { } note ? $" ({note})" : "")} |");
        sb.AppendLine();
        sb.AppendLine("| tile | layer | chip | energy per sample (nJ) | cells (nJ) | MVMs | ADC conversions | latency (ns) |\n|---|---|---|---|---|---|---|---|");
        foreach (var t in r.Tiles)
            sb.AppendLine(Inv, $"| {t.Id} | {t.Layer} | {t.Chip} | {F(t.EnergyJoules / n * 1e9)} | {F(t.CellEnergyJoules / n * 1e9)} | {t.MvmCount} | {F(t.AdcConversions)} | {F(t.SimulatedLatencySeconds * 1e9)} |");
        if (r.Links.Count == 0) return;
        sb.AppendLine();
        sb.AppendLine("| link | signals | bits | energy (J) |\n|---|---|---|---|");
        foreach (var l in r.Links) sb.AppendLine(Inv, $"| chip {l.FromChip} → {l.ToChip} | {l.Signals} | {F(l.Bits)} | {F(l.EnergyJoules)} |");
    }
}

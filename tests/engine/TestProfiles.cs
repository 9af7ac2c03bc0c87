using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Simulation;

namespace MemristorGrid.Engine.Tests;

/// <summary>Profiles the tests share: the 180 nm preset designed for a network (as a run designs it), or with its loop
/// timing given instead of derived.</summary>
internal static class TestProfiles
{
    /// <summary>The preset <paramref name="name"/> ready to run <paramref name="network"/> with <paramref name="options"/>.</summary>
    public static HardwareProfile Designed(string name, ScoreNetwork network, AnalogRunOptions options) =>
        Accounting.LoopDesigner.Ensure(network, HardwareProfile.Resolve(name), options);

    /// <summary>rram-180nm with its loop timing given (loop.derive off): RC 20 µs, TIAs settling in <paramref name="tiaSeconds"/>,
    /// activations in 10 ns, 200 ns controller updates, and those two settling times as assumed energy figures.</summary>
    public static HardwareProfile Given180nm(double tiaSeconds = 20e-9)
    {
        var p = HardwareProfile.Resolve("rram-180nm");
        var figures = new Dictionary<string, EnergyFigure>(p.EnergyFigures)
        {
            ["tia.settling_seconds"] = new() { Low = 10e-9, High = 600e-9, Kind = FigureKind.Assumption, Source = "assumption (tests)" },
            ["activation.delay_seconds"] = new() { Low = 5e-9, High = 300e-9, Kind = FigureKind.Assumption, Source = "assumption (tests)" },
        };
        figures.Remove("loop.delay_budget");
        figures.Remove("loop.opamp_max_bandwidth_hertz");
        return p with
        {
            Loop = p.Loop with { Derive = false },
            Integrator = p.Integrator with { TimeConstantSeconds = 20e-6 },
            Tia = p.Tia with { SettlingSeconds = tiaSeconds },
            Activation = p.Activation with { DelaySeconds = 10e-9 },
            Controller = p.Controller with { UpdatePeriodSeconds = 200e-9 },
            EnergyFigures = figures,
        };
    }
}

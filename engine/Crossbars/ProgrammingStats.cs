using MemristorGrid.Engine.Devices;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Partitioning;
using MemristorGrid.Engine.Profiles;

namespace MemristorGrid.Engine.Crossbars;

/// <summary>
/// What programming a set of devices cost and left, before drift: pulses, devices that verified (or not),
/// the remaining error against each device's target conductance (level quantisation, write noise the
/// verify let through, relaxation and stuck devices together), and the cells' pulse and verify-read
/// energy (V²·G·t). Driver and sense-amplifier energy is not in it.
/// </summary>
public sealed class ProgrammingStats
{
    public long Devices { get; private set; }
    public long Pulses { get; private set; }
    public long Verified { get; private set; }
    public int MaxPulsesOnOneDevice { get; private set; }
    public double EnergyJoules { get; private set; }

    /// <summary>Seconds if every device is programmed one after another (as the NeuRRAM code does).</summary>
    public double SerialSeconds { get; private set; }
    public double SumSquaredErrorSiemens2 { get; private set; }

    public double RmsErrorSiemens => Devices > 0 ? Math.Sqrt(SumSquaredErrorSiemens2 / Devices) : 0;
    public double MeanPulses => Devices > 0 ? (double)Pulses / Devices : 0;
    public long NotVerified => Devices - Verified;

    public void Add(DeviceModel.WriteOutcome outcome, double target)
    {
        Devices++;
        Pulses += outcome.Pulses;
        if (outcome.Verified) Verified++;
        MaxPulsesOnOneDevice = Math.Max(MaxPulsesOnOneDevice, outcome.Pulses);
        EnergyJoules += outcome.EnergyJoules;
        SerialSeconds += outcome.Seconds;
        double error = outcome.Conductance - target;
        SumSquaredErrorSiemens2 += error * error;
    }

    public void Add(ProgrammingStats other)
    {
        Devices += other.Devices;
        Pulses += other.Pulses;
        Verified += other.Verified;
        MaxPulsesOnOneDevice = Math.Max(MaxPulsesOnOneDevice, other.MaxPulsesOnOneDevice);
        EnergyJoules += other.EnergyJoules;
        SerialSeconds += other.SerialSeconds;
        SumSquaredErrorSiemens2 += other.SumSquaredErrorSiemens2;
    }

    /// <summary>Programs every tile of the network's deployment under <paramref name="chipSeed"/> and adds up what it took.
    /// Programming is a pure function of (weights, profile, chip seed, tile), so these are the run's own tiles.</summary>
    public static ProgrammingStats ForDeployment(ScoreNetwork network, HardwareProfile profile, ulong chipSeed)
    {
        var total = new ProgrammingStats();
        foreach (var tile in DeploymentPlan.Create(network, profile.Mapping).Tiles)
            total.Add(ConductanceMapping.Program(tile, network, profile, chipSeed).Programming);
        return total;
    }
}

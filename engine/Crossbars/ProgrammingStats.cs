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

    /// <summary>Devices whose first pulse did not verify (write-verify needed another).</summary>
    public long RepulsedDevices { get; private set; }
    public double EnergyJoules { get; private set; }

    /// <summary>Devices at G_min RESET below it ("off", <c>off_state: reset-below-gmin</c>).</summary>
    public long OffDevices { get; private set; }

    /// <summary>Devices programmed again in a later round (<c>rounds</c> &gt; 1).</summary>
    public long ReprogrammedDevices { get; private set; }

    /// <summary>Seconds if every device is programmed one after another (as the NeuRRAM code does).</summary>
    public double SerialSeconds { get; private set; }
    public double SumSquaredErrorSiemens2 { get; private set; }

    /// <summary>Column calibration after programming (<see cref="ColumnCalibration"/>): reads, ADC conversions, their energy and time.</summary>
    public long CalibrationReads { get; private set; }
    public long CalibrationConversions { get; private set; }
    public double CalibrationEnergyJoules { get; private set; }
    public double CalibrationSeconds { get; private set; }

    public void AddCalibration(ColumnCalibration.Trims trims)
    {
        CalibrationReads += trims.Reads;
        CalibrationConversions += trims.Conversions;
        CalibrationEnergyJoules += trims.EnergyJoules;
        CalibrationSeconds += trims.Seconds;
    }

    public double RmsErrorSiemens => Devices > 0 ? Math.Sqrt(SumSquaredErrorSiemens2 / Devices) : 0;
    public double MeanPulses => Devices > 0 ? (double)Pulses / Devices : 0;
    public long NotVerified => Devices - Verified;

    public void Add(DeviceModel.WriteOutcome outcome, double target)
    {
        Devices++;
        Pulses += outcome.Pulses;
        if (outcome.Verified) Verified++;
        MaxPulsesOnOneDevice = Math.Max(MaxPulsesOnOneDevice, outcome.Pulses);
        if (outcome.Pulses > 1) RepulsedDevices++;
        if (outcome.Off) OffDevices++;
        if (outcome.Rounds > 1) ReprogrammedDevices++;
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
        RepulsedDevices += other.RepulsedDevices;
        OffDevices += other.OffDevices;
        ReprogrammedDevices += other.ReprogrammedDevices;
        EnergyJoules += other.EnergyJoules;
        SerialSeconds += other.SerialSeconds;
        SumSquaredErrorSiemens2 += other.SumSquaredErrorSiemens2;
        CalibrationReads += other.CalibrationReads;
        CalibrationConversions += other.CalibrationConversions;
        CalibrationEnergyJoules += other.CalibrationEnergyJoules;
        CalibrationSeconds += other.CalibrationSeconds;
    }

    /// <summary>What report.json's <c>program</c> section says: these figures, with the verify-only ones null for a single write.</summary>
    public ProgrammingSection Section(HardwareProfile profile)
    {
        var wv = profile.Device.WriteVerify;
        double window = (profile.Device.GMaxMicrosiemens - profile.Device.GMinMicrosiemens) * 1e-6;
        return new ProgrammingSection
        {
            Method = wv is null ? "single-write" : "write-verify",
            Devices = Devices,
            Pulses = Pulses,
            MeanPulsesPerDevice = MeanPulses,
            MaxPulsesOnOneDevice = MaxPulsesOnOneDevice,
            VerifiedDevices = wv is null ? null : Verified,
            NotVerifiedDevices = wv is null ? null : NotVerified,
            DevicesWithMoreThanOnePulse = wv is null ? null : RepulsedDevices,
            ToleranceMicrosiemens = wv?.ToleranceMicrosiemens,
            OffDevices = wv is null ? null : OffDevices,
            Rounds = wv?.Rounds,
            ReprogrammedDevices = wv is null ? null : ReprogrammedDevices,
            RmsErrorMicrosiemens = RmsErrorSiemens * 1e6,
            RmsErrorFractionOfWindow = RmsErrorSiemens / window,
            CellEnergyJoules = wv is null ? null : EnergyJoules,
            SerialSeconds = wv is null ? null : SerialSeconds,
            CalibrationReads = CalibrationReads > 0 ? CalibrationReads : null,
            CalibrationConversions = CalibrationReads > 0 ? CalibrationConversions : null,
            CalibrationEnergyJoules = CalibrationReads > 0 ? CalibrationEnergyJoules : null,
            CalibrationSeconds = CalibrationReads > 0 ? CalibrationSeconds : null,
        };
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

/// <summary>report.json's <c>program</c> section: what programming the score network's tiles took and left (the analog
/// decoder's tiles are not in it). Its keys are snake_case of these names (<see cref="Runs.RunReport"/>).</summary>
public sealed record ProgrammingSection
{
    /// <summary>write-verify or single-write.</summary>
    public required string Method { get; init; }
    public required long Devices { get; init; }
    public required long Pulses { get; init; }
    public required double MeanPulsesPerDevice { get; init; }
    public required int MaxPulsesOnOneDevice { get; init; }
    public required long? VerifiedDevices { get; init; }
    public required long? NotVerifiedDevices { get; init; }

    /// <summary>Write-verify: devices whose first pulse did not verify.</summary>
    public long? DevicesWithMoreThanOnePulse { get; init; }
    public required double? ToleranceMicrosiemens { get; init; }

    /// <summary>Write-verify: devices at G_min RESET below it (off_state reset-below-gmin), not relaxed.</summary>
    public long? OffDevices { get; init; }

    /// <summary>Write-verify: programming rounds, and the devices a later round programmed again.</summary>
    public int? Rounds { get; init; }
    public long? ReprogrammedDevices { get; init; }
    public required double RmsErrorMicrosiemens { get; init; }
    public required double RmsErrorFractionOfWindow { get; init; }
    public required double? CellEnergyJoules { get; init; }
    public required double? SerialSeconds { get; init; }

    /// <summary>Column calibration (<c>mapping.calibration_reads</c>): reads over all tiles, their ADC conversions, energy and time
    /// (tiles one after another); null without calibration.</summary>
    public long? CalibrationReads { get; init; }
    public long? CalibrationConversions { get; init; }
    public double? CalibrationEnergyJoules { get; init; }
    public double? CalibrationSeconds { get; init; }
}

using MemristorGrid.Engine.Crossbars;
using MemristorGrid.Engine.Devices;
using MemristorGrid.Engine.Profiles;

namespace MemristorGrid.Engine.Tests;

/// <summary>Program-and-verify, device by device: what verifies, what the budget leaves, what relaxation adds, what it costs.</summary>
public class WriteVerifyTests
{
    private static DeviceParameters Device(WriteVerifyParameters? wv, double sigma = 0.1, double readNoise = 0, double stuck = 0) => new()
    {
        GMinMicrosiemens = 1,
        GMaxMicrosiemens = 40,
        Levels = null,
        ProgrammingNoise = new ProgrammingNoiseParameters { Model = sigma > 0 ? "truncated-multiplicative" : "none", Sigma = sigma, Truncation = 2 * sigma },
        ReadNoiseSigma = readNoise,
        StuckAtGminRate = stuck,
        WriteVerify = wv,
    };

    private static readonly DeviceModel.ProgrammingDraws Draws = DeviceModel.ProgrammingDraws.For(chipSeed: 7, tileKey: 3);

    [Fact]
    public void Without_write_verify_a_device_is_written_once_exactly_as_before()
    {
        var model = new DeviceModel(Device(null));
        for (ulong d = 0; d < 200; d++)
        {
            var w = model.Write(20e-6, d, Draws);
            Assert.Equal(model.Program(20e-6, d, Draws.Noise, Draws.Uniforms), w.Conductance);
            Assert.Equal(1, w.Pulses);
            Assert.False(w.Verified);
        }
    }

    [Fact]
    public void Every_device_that_verifies_is_within_the_tolerance_and_the_rest_used_the_whole_budget()
    {
        var wv = new WriteVerifyParameters { ToleranceMicrosiemens = 0.5, MaxPulses = 4 };
        var model = new DeviceModel(Device(wv));
        int verified = 0;
        for (ulong d = 0; d < 5000; d++)
        {
            var w = model.Write(30e-6, d, Draws);
            if (w.Verified)
            {
                verified++;
                Assert.InRange(w.Conductance, 29.5e-6, 30.5e-6); // no read noise and no relaxation: the read is the truth
            }
            else Assert.Equal(4, w.Pulses);
            Assert.InRange(w.Pulses, 1, 4);
        }
        // One write lands within ±0.5 µS of 30 µS with probability P(|N(0, 3 µS)| < 0.5) ≈ 0.132; four tries ≈ 0.43.
        Assert.InRange(verified / 5000.0, 0.40, 0.47);
    }

    [Fact]
    public void Relaxation_spreads_verified_devices_by_the_fitted_sigma()
    {
        var wv = new WriteVerifyParameters
        {
            ToleranceMicrosiemens = 0.01,
            MaxPulses = 10_000,
            RelaxationSigmaCubicMicrosiemens = [1.536e-4, -1.167e-2, 0.2374, 1.053],
        };
        Assert.Equal(1.536e-4 * 8000 - 1.167e-2 * 400 + 0.2374 * 20 + 1.053, wv.RelaxationSigma(20), 12);
        var model = new DeviceModel(Device(wv));
        double sum = 0, sum2 = 0;
        const int n = 20_000;
        for (ulong d = 0; d < n; d++)
        {
            var w = model.Write(20e-6, d, Draws);
            Assert.True(w.Verified);
            double e = (w.Conductance - 20e-6) * 1e6;
            sum += e;
            sum2 += e * e;
        }
        double sd = Math.Sqrt(sum2 / n - sum / n * (sum / n));
        Assert.InRange(sd, 0.97 * 2.36, 1.03 * 2.36); // σ_relax(20 µS) = 2.361 µS, plus the ±0.01 µS window
        Assert.Equal(0.5 * wv.RelaxationSigma(20), (wv with { RelaxationScale = 0.5 }).RelaxationSigma(20), 12);
    }

    [Fact]
    public void Pulses_cost_their_cell_energy_and_time_and_stuck_devices_never_verify()
    {
        var wv = new WriteVerifyParameters
        {
            ToleranceMicrosiemens = 0.1, MaxPulses = 5, PulseSeconds = 1e-6, VerifySeconds = 2e-6,
            PulseVoltsStart = 1.2, PulseVoltsStep = 0.1, PulseVoltsMax = 1.3, VerifyReadVolts = 0.2,
        };
        // No write noise: the first pulse lands on the target and verifies.
        var exact = new DeviceModel(Device(wv, sigma: 0)).Write(10e-6, 0, Draws);
        Assert.True(exact.Verified);
        Assert.Equal(1, exact.Pulses);
        Assert.Equal(1.2 * 1.2 * 10e-6 * 1e-6 + 0.2 * 0.2 * 10e-6 * 2e-6, exact.EnergyJoules, 1e-20);
        Assert.Equal(3e-6, exact.Seconds, 1e-15);

        // Every device stuck at Gmin: five pulses at 1.2, 1.3, 1.3, 1.3, 1.3 V into 1 µS, never within 0.1 µS of 10 µS.
        var stuck = new DeviceModel(Device(wv, sigma: 0, stuck: 1)).Write(10e-6, 0, Draws);
        Assert.False(stuck.Verified);
        Assert.Equal(5, stuck.Pulses);
        Assert.Equal(1e-6, stuck.Conductance);
        Assert.Equal((1.44 + 4 * 1.69) * 1e-6 * 1e-6 + 5 * 0.04 * 1e-6 * 2e-6, stuck.EnergyJoules, 1e-20);
    }

    [Fact]
    public void The_rram_180nm_preset_verifies_its_tiles_and_reports_the_remaining_error()
    {
        var profile = HardwareProfile.Resolve("rram-180nm");
        Assert.NotNull(profile.Device.WriteVerify);
        var stats = ProgrammingStats.ForDeployment(TestNetworks.Inference(), profile, chipSeed: 1);
        var section = stats.Section(profile);
        Assert.InRange(section.DevicesWithMoreThanOnePulse!.Value, 1, stats.Devices);
        Assert.True(stats.Pulses - stats.Devices >= section.DevicesWithMoreThanOnePulse, "each such device took at least one extra pulse");
        Assert.Null(stats.Section(profile with { Device = profile.Device with { WriteVerify = null } }).DevicesWithMoreThanOnePulse);
        Assert.Equal(2 * (3 * 14 + 15 * 14 + 15 * 2), stats.Devices); // augmented [W | b] of 2→14→14→2, a pair per weight
        Assert.True(stats.Verified >= stats.Devices - 2, $"{stats.NotVerified} devices did not verify");
        Assert.True(stats.MeanPulses >= 1);
        // What stays is mostly relaxation: NeuRRAM's ~2 µS spread.
        Assert.InRange(stats.RmsErrorSiemens * 1e6, 1.2, 2.6);
        Assert.True(stats.EnergyJoules > 0 && stats.SerialSeconds > 0);
        // Same chip seed, same result (a pure function of weights, profile, seed and tile).
        Assert.Equal(stats.SumSquaredErrorSiemens2, ProgrammingStats.ForDeployment(TestNetworks.Inference(), profile, chipSeed: 1).SumSquaredErrorSiemens2);
    }
    [Fact]
    public void Off_devices_are_reset_below_gmin_and_not_relaxed_while_programmed_levels_are()
    {
        // A large relaxation σ (2 µS everywhere) that would move an off device far from G_min if it were applied.
        var relaxing = new WriteVerifyParameters { ToleranceMicrosiemens = 1, MaxPulses = 20, RelaxationSigmaCubicMicrosiemens = [0, 0, 0, 2] };
        var programmed = new DeviceModel(Device(relaxing));
        var reset = new DeviceModel(Device(relaxing with { OffState = OffState.ResetBelowGmin }));
        double spreadProgrammed = 0;
        for (ulong d = 0; d < 2000; d++)
        {
            var off = reset.Write(1e-6, d, Draws);
            Assert.True(off.Off);
            Assert.True(off.Verified);
            Assert.InRange(off.Conductance, 0.75e-6, 1e-6); // the write noise's lower side (±20 % truncation), below G_min
            var same = programmed.Write(1e-6, d, Draws);
            Assert.False(same.Off);
            spreadProgrammed += Math.Pow(same.Conductance - 1e-6, 2);
            // A device above G_min is programmed and relaxed the same under both.
            Assert.Equal(programmed.Write(20e-6, d, Draws), reset.Write(20e-6, d, Draws));
        }
        // Relaxed from ±1 µS by σ = 2 µS (clamped at 0): the programmed off device spreads far more.
        Assert.True(Math.Sqrt(spreadProgrammed / 2000) > 1e-6);
    }

    [Fact]
    public void Later_rounds_reprogram_only_the_devices_relaxation_moved_out_of_tolerance()
    {
        var once = new WriteVerifyParameters { ToleranceMicrosiemens = 1, MaxPulses = 20, RelaxationSigmaCubicMicrosiemens = [0, 0, 0, 2] };
        var one = new DeviceModel(Device(once));
        var three = new DeviceModel(Device(once with { Rounds = 3 }));
        double errorOne = 0, errorThree = 0;
        int again = 0;
        for (ulong d = 0; d < 4000; d++)
        {
            var a = one.Write(20e-6, d, Draws);
            var b = three.Write(20e-6, d, Draws);
            errorOne += Math.Pow(a.Conductance - 20e-6, 2);
            errorThree += Math.Pow(b.Conductance - 20e-6, 2);
            Assert.InRange(b.Rounds, 1, 3);
            if (b.Rounds == 1)
            {
                // The first round is the same programming; a device the check read accepted is left alone (it paid one read).
                Assert.Equal(a.Conductance, b.Conductance);
                Assert.Equal(a.Pulses, b.Pulses);
                Assert.True(b.Seconds > a.Seconds);
            }
            else again++;
        }
        // σ = 2 µS after a ±1 µS verify: about 60 % land outside ±1 µS and are programmed again.
        Assert.InRange(again / 4000.0, 0.5, 0.7);
        Assert.True(errorThree < 0.8 * errorOne, $"RMS {Math.Sqrt(errorThree / 4000)} after 3 rounds, {Math.Sqrt(errorOne / 4000)} after 1");
    }
}

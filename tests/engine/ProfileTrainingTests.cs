using MemristorGrid.Engine.Crossbars;
using MemristorGrid.Engine.Data;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Partitioning;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Randomness;
using MemristorGrid.Engine.Training;

namespace MemristorGrid.Engine.Tests;

/// <summary>Training for a hardware profile (<see cref="ChipDraw"/>): each step's chip is the one a run would program.</summary>
public class ProfileTrainingTests
{
    private static HardwareProfile WithoutReadNoise(string name)
    {
        var p = HardwareProfile.Resolve(name);
        return p with { Device = p.Device with { ReadNoiseSigma = 0 } };
    }

    [Theory]
    [InlineData("rram-180nm", 7UL)]
    [InlineData("rram-180nm", 8UL)]
    [InlineData("ideal", 7UL)]
    public void A_steps_weights_are_those_a_run_programs_with_the_same_chip_seed(string profileName, ulong chipSeed)
    {
        // Read noise off: a tile read on unit vectors then returns exactly its effective weights.
        var profile = WithoutReadNoise(profileName);
        var (net, p) = TestNetworks.Trainable(d: 2, h: 14, layers: 2, seed: 3);
        var chip = new ChipDraw(profile, net);
        var effective = new double[p.Length];
        chip.Program(p, chipSeed, effective);

        var network = net.ToScoreNetwork(p, new DiffusionMetadata());
        var plan = DeploymentPlan.Create(network, profile.Mapping);
        double largestError = 0;
        foreach (var tilePlan in plan.Tiles)
        {
            var tile = CrossbarTile.Program(tilePlan, network, profile, chipSeed);
            int rows = tilePlan.RowCount, cols = tilePlan.ColCount;
            var read = TileReads.UnitVectors(tile);
            var (fin, _, w, b) = net.LayerSlots[tilePlan.Layer];
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++)
                {
                    int input = tilePlan.RowStart + r, output = tilePlan.ColStart + c;
                    double trained = effective[input == fin ? b + output : w + output * fin + input];
                    Assert.Equal(read[r * cols + c], trained, 6);
                    largestError = Math.Max(largestError, Math.Abs(trained - p[input == fin ? b + output : w + output * fin + input]));
                }
        }
        if (profileName == "ideal") Assert.True(largestError < 1e-5, $"an ideal chip moved a weight by {largestError}");
        else Assert.True(largestError > 1e-2, $"rram-180nm's chip moved no weight by more than {largestError}");
    }

    [Fact]
    public void The_180nm_programming_error_is_the_relaxations_size_and_differs_from_step_to_step()
    {
        var profile = HardwareProfile.Resolve("rram-180nm");
        var (net, p) = TestNetworks.Trainable(d: 2, h: 14, layers: 2, seed: 3);
        var chip = new ChipDraw(profile, net);
        var first = new double[p.Length];
        var second = new double[p.Length];
        chip.Program(p, ChipDraw.ChipSeed(1, 0), first);
        chip.Program(p, ChipDraw.ChipSeed(1, 1), second);
        Assert.NotEqual(first, second);
        // Layer 1 (14 × 14): RMS error relative to the layer's largest |w|. Relaxation after write-verify is σ ≈ 1.1–2.4 µS
        // across the window (the cubic fit) over a 39 µS window, i.e. 3–6 % of the scale on the programmed device of a pair.
        var (fin, fout, w, _) = net.LayerSlots[1];
        double scale = 0, squares = 0;
        for (int i = 0; i < fin * fout; i++) scale = Math.Max(scale, Math.Abs(p[w + i]));
        for (int i = 0; i < fin * fout; i++) squares += (first[w + i] - p[w + i]) * (first[w + i] - p[w + i]);
        double rms = Math.Sqrt(squares / (fin * fout)) / scale;
        Assert.InRange(rms, 0.02, 0.10);
        // The controller's label MLP is not on the crossbars: untouched.
        var (cnet, cp) = TestNetworks.Trainable(d: 2, h: 14, layers: 2, classes: 3, seed: 3);
        var conditional = new double[cp.Length];
        new ChipDraw(profile, cnet).Program(cp, 5, conditional);
        for (int i = cnet.LabelW1; i < cp.Length; i++) Assert.Equal(cp[i], conditional[i]);
    }

    [Fact]
    public void Gradients_through_the_chips_rails_and_dacs_agree_with_finite_differences()
    {
        // Without read noise the chip's forward pass is a fixed piecewise function of the weights (the programming error is
        // drawn once, the rails clamp, the DACs quantise the embedding): the hand-written reverse pass must be its gradient.
        var p180 = WithoutReadNoise("rram-180nm");
        var profile = p180 with { Tia = p180.Tia with { SaturationVolts = 0.15 }, Activation = p180.Activation with { SaturationVolts = 0.12 } };
        var (net, p) = TestNetworks.Trainable(d: 2, h: 8, layers: 2, classes: 0, seed: 4);
        for (int i = 0; i < p.Length; i++) p[i] *= 2;
        var chip = new ChipDraw(profile, net);
        var signals = new ChipSignals(chip, Streams.Rng(1, StreamPurpose.TrainingReadNoise, 0));
        chip.Program(p, 9, new double[p.Length]); // sets the noise weights (unused here: σ_r = 0)
        var objective = new DenoisingScoreMatching(net, penaltyAlpha: 0.05, penaltyThreshold: 0.4);
        var batch = new DsmBatch(16, 2) { Count = 16 };
        var rng = Streams.Rng(3, StreamPurpose.Reference, 1);
        for (int i = 0; i < 32; i++) { batch.Xt[i] = 1.5 * rng.Gaussian((ulong)i); batch.Z[i] = rng.Gaussian((ulong)(100 + i)); }
        for (int i = 0; i < 16; i++) { batch.T[i] = 0.1 + 0.05 * i; batch.Sigma[i] = new Diffusion.VpSde(0.001, 0.5).MarginalStd(batch.T[i]); }

        double Loss(double[] at, double[] gradient) =>
            objective.Accumulate(at, null, batch, 0, 16, gradient, objective.CreateScratch(), signals);
        var grad = new double[p.Length];
        Loss(p, grad);
        const double h = 1e-7;
        double worst = 0;
        for (int i = 0; i < p.Length; i++)
        {
            double saved = p[i];
            p[i] = saved + h; double up = Loss(p, new double[p.Length]);
            p[i] = saved - h; double down = Loss(p, new double[p.Length]);
            p[i] = saved;
            double numeric = (up - down) / (2 * h);
            worst = Math.Max(worst, Math.Abs(numeric - grad[i]) / Math.Max(1e-3, Math.Abs(numeric) + Math.Abs(grad[i])));
        }
        Assert.True(worst < 1e-4, $"max relative gradient error {worst}");
        // The rails must have been reached for the test to mean anything: some tile sum clamped.
        Assert.True(TestRails(objective, p, batch, signals) > 0, "no tile sum reached the lowered TIA rail");
    }

    private static int TestRails(DenoisingScoreMatching objective, double[] p, DsmBatch batch, ChipSignals signals)
    {
        int count = 0;
        for (int n = 0; n < batch.Count; n++)
        {
            var scratch = objective.CreateScratch();
            objective.Accumulate(p, null, batch, n, n + 1, new double[p.Length], scratch, signals);
            count += DenoisingScoreMatching.RailedOutputs(scratch);
        }
        return count;
    }

    [Fact]
    public void Training_for_a_profile_is_a_pure_function_of_the_seed_and_differs_from_the_papers_recipe()
    {
        var data = BuiltInTasks.Ring(600, 3);
        var profile = HardwareProfile.Resolve("rram-180nm");
        var options = new TrainingOptions { Epochs = 2, BatchSize = 128, Seed = 5, NoiseStd = 0, Profile = profile };
        var a = new Trainer(options).Train(data, new DiffusionMetadata()).Network;
        var b = new Trainer(options).Train(data, new DiffusionMetadata()).Network;
        var paper = new Trainer(options with { Profile = null, NoiseStd = 0.1 }).Train(data, new DiffusionMetadata()).Network;
        for (int l = 0; l < a.Layers.Count; l++) Assert.Equal(a.Layers[l].Weights, b.Layers[l].Weights);
        Assert.NotEqual(a.Layers[1].Weights, paper.Layers[1].Weights);
        Assert.Equal("rram-180nm", a.Metadata.Provenance["train.for_profile"]);
        Assert.Equal("neurram-tsmc130-measured", a.Metadata.Provenance["train.for_device"]);
    }

    [Fact]
    public void Weight_clipping_holds_every_layer_within_k_standard_deviations()
    {
        var (net, p) = TestNetworks.Trainable(d: 2, h: 14, layers: 2, seed: 6);
        var (_, _, w1, _) = net.LayerSlots[1];
        p[w1 + 3] = 40; // an outlier that would set layer 1's conductance scale
        static double Std(double[] v) { double m = v.Average(); return Math.Sqrt(v.Select(x => (x - m) * (x - m)).Average()); }
        var before = net.LayerSlots.Select(s => Std(p.AsSpan(s.W, s.In * s.Out + s.Out).ToArray())).ToArray();
        Trainer.ClipLayers(net, p, 2.0);
        for (int l = 0; l < net.LayerSlots.Count; l++)
        {
            var (fin, fout, w, _) = net.LayerSlots[l];
            Assert.All(p.AsSpan(w, fin * fout + fout).ToArray(), v => Assert.InRange(Math.Abs(v), 0, 2.0 * before[l] + 1e-12));
        }
        Assert.Equal(2.0 * before[1], p[w1 + 3], 12);

        var data = BuiltInTasks.Ring(600, 3);
        var clipped = new Trainer(new TrainingOptions { Epochs = 2, BatchSize = 128, Seed = 5, WeightClip = 2.5 }).Train(data, new DiffusionMetadata()).Network;
        Assert.Equal("2.5", clipped.Metadata.Provenance["train.weight_clip"]);
        Assert.Throws<UserInputException>(() => new TrainingOptions { WeightClip = -1 }.Validate());
    }
}

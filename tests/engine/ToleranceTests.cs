using MemristorGrid.Engine.Experiments;
using MemristorGrid.Engine.Profiles;

namespace MemristorGrid.Engine.Tests;

/// <summary>The pieces of a tolerance search: parameter ranges, rounding of integer keys, and the budget.</summary>
public class ToleranceTests
{
    [Fact]
    public void A_range_is_walked_from_its_good_end_linearly_or_geometrically()
    {
        var linear = ToleranceParameter.Parse("device.read_noise_sigma=0:0.1");
        Assert.False(linear.Logarithmic);
        Assert.False(linear.Integer);
        Assert.Equal(0, linear.At(0));
        Assert.Equal(0.05, linear.At(0.5), 12);
        Assert.Equal(0.1, linear.At(1));
        var log = ToleranceParameter.Parse("device.write_verify.tolerance_microsiemens=0.05:4:log");
        Assert.Equal(Math.Sqrt(0.05 * 4), log.At(0.5), 12);
        // Integer keys round toward the good end, so the value reported as met is one that ran.
        var levels = ToleranceParameter.Parse("device.levels=1024:4:log");
        Assert.True(levels.Integer);
        Assert.Equal(64, levels.At(0.5));          // 1024·(4/1024)^0.5 = 64
        Assert.Equal(91, levels.At(0.4375));       // 90.5 rounds up, toward 1024
        var bits = ToleranceParameter.Parse("adc.bits=16:4");
        Assert.Equal(10, bits.At(0.5));
        Assert.Equal(11, bits.At(0.45));           // 10.6 → 11
        var profile = HardwareProfile.Resolve("rram-180nm");
        Assert.Equal(64, levels.Apply(profile, 64).Device.Levels);
        Assert.Equal("rram-180nm", levels.Apply(profile, 64).Name);
    }

    [Theory]
    [InlineData("device.levels=8.5:4", "is an integer")]
    [InlineData("device.read_noise_sigma=0:0.1:log", "needs both ends > 0")]
    [InlineData("device.read_noise_sigma=0.1:0.1", "the same value")]
    [InlineData("device.read_noise_sigma", "is not KEY=GOOD:BAD")]
    [InlineData("device.read_noise_sigma=a:1", "'a' is not a number")]
    public void A_bad_range_is_refused_naming_the_problem(string text, string fragment)
    {
        var e = Assert.Throws<UserInputException>(() => ToleranceParameter.Parse(text));
        Assert.Contains(fragment, e.Message);
    }

    [Fact]
    public void The_budget_is_a_ratio_for_lower_is_better_metrics_and_a_drop_for_accuracies()
    {
        var kl = ToleranceBudget.Create(SweepMetric.KlPaper, null, null);
        Assert.Equal(1.5, kl.Bound);
        Assert.True(kl.Meets(0.0299, 0.02));
        Assert.False(kl.Meets(0.0301, 0.02));
        var accuracy = ToleranceBudget.Create(SweepMetric.DecodedClassAccuracy, null, 0.01);
        Assert.True(accuracy.Meets(0.951, 0.96));
        Assert.False(accuracy.Meets(0.949, 0.96));
        Assert.Throws<UserInputException>(() => ToleranceBudget.Create(SweepMetric.KlPaper, null, 0.01));
        Assert.Throws<UserInputException>(() => ToleranceBudget.Create(SweepMetric.ClassAccuracy, 1.5, null));
        Assert.Throws<UserInputException>(() => ToleranceBudget.Create(SweepMetric.KlPaper, 0.9, null));
    }
}

using MemristorGrid.Client.Output;

namespace MemristorGrid.Cli.Tests;

public class UnitsTests
{
    [Theory]
    [InlineData(401.8e-3, "401.8 mJ")]   // mcu-demo printed "4.018E+05 µJ"
    [InlineData(2.617e-6, "2.617 µJ")]
    [InlineData(70.34e-3, "70.34 mJ")]
    [InlineData(999.99e-6, "1 mJ")]
    [InlineData(0.0, "0 J")]
    [InlineData(-3e-9, "-3 nJ")]
    public void Energy_picks_the_prefix_by_magnitude(double joules, string expected) => Assert.Equal(expected, Units.Energy(joules));

    [Fact]
    public void Time_too() => Assert.Equal("20.13 µs", Units.Time(2.013e-5));
}

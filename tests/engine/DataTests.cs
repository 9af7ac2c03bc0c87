using MemristorGrid.Engine.Data;

namespace MemristorGrid.Engine.Tests;

public class DataTests
{
    [Fact]
    public void Ring_has_the_papers_radius_distribution()
    {
        var ring = BuiltInTasks.Ring(20_000, 3);
        var radii = Enumerable.Range(0, ring.Count).Select(i => Math.Sqrt(ring.X[2 * i] * ring.X[2 * i] + ring.X[2 * i + 1] * ring.X[2 * i + 1])).ToArray();
        double mean = radii.Average();
        double std = Math.Sqrt(radii.Select(r => (r - mean) * (r - mean)).Average());
        Assert.InRange(mean, 0.7 - 5 * 0.04 / Math.Sqrt(ring.Count), 0.7 + 5 * 0.04 / Math.Sqrt(ring.Count));
        Assert.InRange(std, 0.04 * 0.95, 0.04 * 1.05);
        // Angles uniform: each quadrant holds a quarter of the points.
        int q1 = Enumerable.Range(0, ring.Count).Count(i => ring.X[2 * i] > 0 && ring.X[2 * i + 1] > 0);
        Assert.InRange(q1, 5000 - 5 * 61, 5000 + 5 * 61);
        Assert.Equal(ring.X, BuiltInTasks.Ring(20_000, 3).X);
        Assert.NotEqual(ring.X, BuiltInTasks.Ring(20_000, 3, stream: 1).X);
    }

    [Fact]
    public void Hku_letters_sit_side_by_side_in_their_own_regions()
    {
        var hku = BuiltInTasks.HkuLetters(9000, 1);
        Assert.Equal(["H", "K", "U"], hku.ClassNames);
        for (int c = 0; c < 3; c++)
        {
            var cls = hku.OnlyClass(c);
            Assert.Equal(3000, cls.Count);
            var xs = Enumerable.Range(0, cls.Count).Select(i => cls.X[2 * i]).ToArray();
            var ys = Enumerable.Range(0, cls.Count).Select(i => cls.X[2 * i + 1]).ToArray();
            double centre = -1.05 + 1.05 * c;
            Assert.All(xs, x => Assert.InRange(x, centre - 0.5, centre + 0.5));
            Assert.All(ys, y => Assert.InRange(y, -1.3, 1.3));
        }
        // H's crossbar: points near y = 0 between the verticals; U has none at its top centre.
        var h = hku.OnlyClass(0);
        Assert.Contains(Enumerable.Range(0, h.Count), i => Math.Abs(h.X[2 * i] + 1.05) < 0.1 && Math.Abs(h.X[2 * i + 1]) < 0.08);
        var u = hku.OnlyClass(2);
        Assert.DoesNotContain(Enumerable.Range(0, u.Count), i => Math.Abs(u.X[2 * i] - 1.05) < 0.2 && u.X[2 * i + 1] > 0);
    }

    [Fact]
    public void Csv_reads_features_and_labels()
    {
        var data = CsvDataset.Parse(["x2,label,x1", "1.5,b,-2", "0,a,3e-1", "", "2,b,1"], "mine.csv");
        Assert.Equal(2, data.Dim);
        Assert.Equal(3, data.Count);
        Assert.Equal([-2f, 1.5f, 0.3f, 0f, 1f, 2f], data.X);
        Assert.Equal(["a", "b"], data.ClassNames);
        Assert.Equal([1, 0, 1], data.Labels!);
        var numeric = CsvDataset.Parse(["x1,label", "0,10", "1,2", "2,2"], "n.csv");
        Assert.Equal(["2", "10"], numeric.ClassNames);
    }

    [Theory]
    [InlineData(new string[0], "mine.csv: the file is empty")]
    [InlineData(new[] { "x1,x2" }, "mine.csv: no data rows")]
    [InlineData(new[] { "x1,x2", "1,2", "3" }, "mine.csv:3: row has 1 fields, the header has 2")]
    [InlineData(new[] { "x1,x2", "1,abc" }, "mine.csv:2: column x2: 'abc' is not a number")]
    [InlineData(new[] { "x1,x2", "1,NaN" }, "mine.csv:2: column x2: 'NaN' is not a finite number")]
    [InlineData(new[] { "x1,x2", "1,1e99" }, "mine.csv:2: column x2: '1e99' is not a finite number")]
    [InlineData(new[] { "x1,y", "1,2" }, "mine.csv:1: column 'y' is not one of x1..x2 or label")]
    [InlineData(new[] { "x1,x1", "1,2" }, "mine.csv:1: column 'x1' appears twice")]
    [InlineData(new[] { "x1,label", "1," }, "mine.csv:2: empty label")]
    [InlineData(new[] { "", "x1,x2", "1,2", "", "1,2,3" }, "mine.csv:5: row has 3 fields, the header has 2")]
    [InlineData(new[] { "x1;x2", "1;zz" }, "mine.csv:2: column x2: 'zz' is not a number")]
    public void Bad_csv_is_refused_naming_file_and_line(string[] lines, string expected)
    {
        var e = Assert.Throws<UserInputException>(() => CsvDataset.Parse(lines, "mine.csv"));
        Assert.StartsWith(expected, e.Message);
    }

    [Fact]
    public void Csv_reads_what_pandas_and_spreadsheets_write()
    {
        // pandas to_csv: an unnamed index column, quoted fields (a label with a comma in it).
        var pandas = CsvDataset.Parse(",x1,x2,label\n0,0.5,-1.0,\"a, b\"\n1,\"1.5\",2.0,c\n", "pandas.csv");
        Assert.Equal(2, pandas.Dim);
        Assert.Equal([0.5f, -1f, 1.5f, 2f], pandas.X);
        Assert.Equal(["a, b", "c"], pandas.ClassNames);
        // Semicolons (European spreadsheets), a UTF-8 BOM and CRLF line ends.
        var semicolons = CsvDataset.Parse("\uFEFFx1;x2\r\n1;2\r\n3;4\r\n", "excel.csv");
        Assert.Equal([1f, 2f, 3f, 4f], semicolons.X);
        // Tabs.
        Assert.Equal([1f, 2f], CsvDataset.Parse("x1\tx2\n1\t2\n", "t.tsv").X);
        // What we write reads back, names with commas and quotes included.
        string written = CsvDataset.Format([1f, 2f, 3f, 4f], 2, [0, 1], ["a, b", "say \"hi\""]);
        Assert.Equal(["a, b", "say \"hi\""], CsvDataset.Parse(written, "w.csv").ClassNames);
    }

    [Fact]
    public void Csv_round_trips_through_format()
    {
        var hku = BuiltInTasks.HkuLetters(30, 2);
        string text = CsvDataset.Format(hku.X, 2, hku.Labels, hku.ClassNames);
        var back = CsvDataset.Parse(text.Split('\n'), "round.csv");
        Assert.Equal(hku.X, back.X);
        Assert.Equal(hku.Labels, back.Labels);
    }

    [Fact]
    public void Task_names_parse_and_unknown_ones_are_refused()
    {
        Assert.Equal("ring", TaskSpec.Parse("ring").Name);
        Assert.Equal("data/a.csv", TaskSpec.Parse("csv:data/a.csv").CsvPath);
        Assert.Equal("b.csv", TaskSpec.Parse("b.csv").CsvPath);
        var e = Assert.Throws<UserInputException>(() => TaskSpec.Parse("spiral"));
        Assert.Contains("spiral", e.Message);
    }
}

namespace MemristorGrid.Cli.Tests;

/// <summary>
/// Every bad input a user is likely to type, as data (<c>tests/cli/bad-inputs.tsv</c>: arguments, exit
/// code, a fragment of the message): each must give one clear error line — no stack trace, no internal
/// error — with the expected exit code, and write nothing.
/// </summary>
public class BadInputCorpusTests
{
    public static TheoryData<string, int, string> Cases()
    {
        var data = new TheoryData<string, int, string>();
        foreach (var line in File.ReadAllLines(Path.Combine(CliRunner.RepoRoot(), "tests", "cli", "bad-inputs.tsv")))
        {
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var fields = line.Split('\t');
            data.Add(fields[0], int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture), fields[2]);
        }
        return data;
    }

    private static readonly Lazy<string> Fixtures = new(() =>
    {
        string dir = CliRunner.TempDir();
        File.WriteAllText(Path.Combine(dir, "garbage.onnx"), "garbage");
        File.WriteAllText(Path.Combine(dir, "bad.csv"), "x1,x2\n1,abc\n");
        File.WriteAllText(Path.Combine(dir, "escape.csv"), "x1,x2\n1,\u001b[31mred\n");
        File.WriteAllText(Path.Combine(dir, "badlevels.json"), """{ "name": "p", "device": { "levels": 1 } }""");
        File.WriteAllText(Path.Combine(dir, "broken.json"), "{ nope");
        File.WriteAllText(Path.Combine(dir, "badsched.json"), """{"sde": "vq"}""");
        return dir;
    });

    [Fact]
    public void The_corpus_holds_at_least_a_hundred_cases() => Assert.True(Cases().Count >= 100, $"{Cases().Count} cases");

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_bad_input_is_one_clear_error_and_writes_nothing(string arguments, int exitCode, string fragment)
    {
        string dir = CliRunner.TempDir(), output = Path.Combine(dir, "out");
        string models = Path.Combine(CliRunner.RepoRoot(), "models");
        // Placeholders are whole arguments or prefixes of one (M/x, F/x, csv:F/x): a substring replace once turned a checkout
        // in /tmp/ciF/ into /tmp/ci<fixtures>/.
        string Expand(string a)
        {
            string prefix = a.StartsWith("csv:", StringComparison.Ordinal) ? "csv:" : "", rest = a[prefix.Length..];
            rest = rest.StartsWith("M/", StringComparison.Ordinal) ? Path.Combine(models, rest[2..])
                : rest.StartsWith("F/", StringComparison.Ordinal) ? Path.Combine(Fixtures.Value, rest[2..])
                : rest switch { "OUT" => output, "T.onnx" => Path.Combine(dir, "t.onnx"), "V.onnx" => Path.Combine(dir, "v.onnx"), _ => rest };
            return prefix + rest;
        }
        var args = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Expand).ToArray();
        var r = CliRunner.Run(args);
        Assert.True(r.ExitCode == exitCode, $"memgrid {arguments}: exit {r.ExitCode}, expected {exitCode}; {r.Err}");
        Assert.StartsWith("error: ", r.Err);
        Assert.Contains(fragment, r.Err);
        Assert.DoesNotContain("   at ", r.Err);
        Assert.DoesNotContain("internal error", r.Err);
        // Input bytes are quoted as printable text only: no escape sequence or stray carriage return reaches the terminal.
        Assert.All(r.Err.TrimEnd('\n').Split('\n'), line => Assert.DoesNotContain(line, char.IsControl));
        Assert.False(Directory.Exists(output), $"memgrid {arguments} created its output directory");
        Assert.False(File.Exists(Path.Combine(dir, "t.onnx")) || File.Exists(Path.Combine(dir, "v.onnx")), $"memgrid {arguments} wrote a model");
    }
}

using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Xml.Linq;

namespace MemristorGrid.Cluster.Tests;

/// <summary>The layout DESIGN §3 draws, checked on the projects and the built client.</summary>
public class ArchitectureTests
{
    private static string Project(string folder) => Directory.GetFiles(Path.Combine(Repo.Root(), folder), "*.csproj").Single();

    private static string[] References(string folder) => XDocument.Load(Project(folder)).Descendants("ProjectReference")
        .Select(r => Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(Path.Combine(Repo.Root(), folder, r.Attribute("Include")!.Value.Replace('\\', '/'))))!))
        .Order(StringComparer.Ordinal).ToArray();

    private static string[] Packages(string folder) => XDocument.Load(Project(folder)).Descendants("PackageReference")
        .Select(r => r.Attribute("Include")!.Value).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void Dependencies_point_one_way()
    {
        Assert.Empty(References("engine"));
        Assert.Empty(References("grain-interfaces"));
        Assert.Equal(["Microsoft.Orleans.Sdk"], Packages("grain-interfaces"));
        Assert.Equal(["engine", "grain-interfaces"], References("grains"));
        Assert.Equal(["grains"], References("hosting"));
        Assert.Equal(["hosting"], References("silo"));
        Assert.Equal(["engine", "hosting"], References("client"));
        // Grains hold grains: no hosting, telemetry export, Redis or resilience packages.
        Assert.Equal(["Microsoft.Orleans.Sdk", "Microsoft.Orleans.Server"], Packages("grains"));
        foreach (var folder in new[] { "engine", "grain-interfaces", "grains", "hosting", "silo", "client", "bench" })
            Assert.DoesNotContain(References(folder), r => r is "client" or "silo");
    }

    [Fact]
    public void The_client_builds_no_lane_driver_plan_or_accounting()
    {
        using var stream = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "memgrid.dll"));
        using var pe = new PEReader(stream);
        var md = pe.GetMetadataReader();
        string TypeName(EntityHandle h) => h.Kind switch
        {
            HandleKind.TypeReference => md.GetString(md.GetTypeReference((TypeReferenceHandle)h).Name),
            HandleKind.TypeSpecification => "(generic)",
            _ => "",
        };
        var used = md.MemberReferences.Select(h => md.GetMemberReference(h)).Select(m => $"{TypeName(m.Parent)}.{md.GetString(m.Name)}").ToHashSet();
        Assert.DoesNotContain("LaneDriver..ctor", used);
        Assert.DoesNotContain("DeploymentPlan.Create", used);
        Assert.DoesNotContain("HardwareAccounting.Summarise", used);
        Assert.DoesNotContain("WireFormat.Restore", used);
        Assert.Contains("ClusterMachine..ctor", used); // the check reads the references it claims to
    }

    private static IEnumerable<string> Sources(string folder, string pattern = "*.cs") =>
        Directory.GetFiles(Path.Combine(Repo.Root(), folder), pattern, SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"));

    private static int Lines(string path) => File.ReadAllLines(path).Length;

    /// <summary>
    /// The lines of every type of <paramref name="folder"/>, a partial type's files added together (splitting a class into
    /// partial files does not make it smaller to read); a file's other types count with the file's first.
    /// </summary>
    private static Dictionary<string, (int Lines, List<string> Files)> TypeSizes(string folder)
    {
        var sizes = new Dictionary<string, (int Lines, List<string> Files)>(StringComparer.Ordinal);
        foreach (var file in Sources(folder))
        {
            var partial = System.Text.RegularExpressions.Regex.Match(File.ReadAllText(file), @"\bpartial\s+(?:class|record|struct)\s+(\w+)");
            string key = partial.Success ? $"{folder}:{partial.Groups[1].Value}" : file;
            var (lines, files) = sizes.GetValueOrDefault(key, (0, new List<string>()));
            files.Add(Path.GetFileName(file));
            sizes[key] = (lines + Lines(file), files);
        }
        return sizes;
    }

    [Fact]
    public void Classes_stay_small_enough_to_read_across_their_partial_files()
    {
        foreach (var folder in new[] { "engine", "hosting", "client", "grain-interfaces" })
            // The MLP family's symbolic ONNX interpreter is the one exemption: its symbols are private to it, and its label-path
            // folding (OnnxImporter.LabelPath.cs) is a partial file of the same type.
            foreach (var (type, (lines, files)) in TypeSizes(folder).Where(t => t.Key != "engine:OnnxImporter"))
                Assert.True(lines <= 250, $"{type}: {lines} lines in {string.Join(", ", files)}");
        var grains = TypeSizes("grains").Where(t => t.Value.Files.Any(f => f.EndsWith("Grain.cs", StringComparison.Ordinal))).ToList();
        Assert.True(grains.Count >= 6, string.Join(", ", grains.Select(g => g.Key)));
        Assert.All(grains, g => Assert.True(g.Value.Lines <= 150, $"{g.Key}: {g.Value.Lines} lines in {string.Join(", ", g.Value.Files)}"));
    }

    [Fact]
    public void Commands_parse_build_a_request_and_hand_it_on()
    {
        var commands = Sources(Path.Combine("client", "Commands")).ToList();
        Assert.True(commands.Count >= 10, string.Join(", ", commands));
        Assert.All(commands, f => Assert.True(Lines(f) <= 150, $"{f}: {Lines(f)} lines"));
        var names = commands.Select(f => Path.GetFileNameWithoutExtension(f)).Where(n => n.EndsWith("Command", StringComparison.Ordinal)).ToList();
        foreach (var file in commands)
        {
            var lines = File.ReadAllLines(file);
            int start = Array.FindIndex(lines, l => l.Contains("static Command Create(", StringComparison.Ordinal));
            if (start >= 0)
            {
                int end = Array.FindIndex(lines, start + 1, l => l == "    }");
                Assert.True(end - start + 1 <= 40, $"{Path.GetFileName(file)}: Create is {end - start + 1} lines");
            }
            // No command calls another command: what two share lives in the engine, in client/Output or in an options class.
            string self = Path.GetFileNameWithoutExtension(file);
            foreach (var other in names.Where(n => n != self))
                Assert.False(lines.Any(l => l.Contains($"{other}.", StringComparison.Ordinal)), $"{self} calls {other}");
        }
    }

    [Fact]
    public void Solvers_know_only_solvers_and_the_job_builds_no_lane_driver()
    {
        // A solver integrates an ISolverLane through ILoopDynamics: it knows no lane state, loop or accounting.
        foreach (var file in Sources(Path.Combine("engine", "Solvers")))
            Assert.DoesNotMatch(@"using MemristorGrid\.Engine\.(Simulation|Accounting|Crossbars|Circuits)", File.ReadAllText(file));
        // The job learns its timing from RunTiming, not from a driver it would have to build (with the label table).
        foreach (var file in Sources(Path.Combine("grains", "Jobs")))
            Assert.DoesNotContain("new LaneDriver(", File.ReadAllText(file));
    }
}

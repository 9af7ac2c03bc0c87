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
        Assert.Contains("ClusterJobRunner.RunAsync", used); // the check reads the references it claims to
    }

    [Fact]
    public void Files_stay_small_enough_to_read()
    {
        static int Lines(string path) => File.ReadAllLines(path).Length;
        var engine = Directory.GetFiles(Path.Combine(Repo.Root(), "engine"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && Path.GetFileName(f) != "OnnxImporter.cs");
        Assert.All(engine, f => Assert.True(Lines(f) <= 250, $"{f}: {Lines(f)} lines"));
        var grains = Directory.GetFiles(Path.Combine(Repo.Root(), "grains"), "*Grain.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")).ToList();
        Assert.True(grains.Count >= 6, string.Join(", ", grains));
        Assert.All(grains, f => Assert.True(Lines(f) <= 150, $"{f}: {Lines(f)} lines"));
    }
}

using System.Text.Json;
using MemristorGrid.Hosting;

namespace MemristorGrid.Cluster.Tests;

/// <summary>Docker cannot run here, so the images are checked by construction: pinned bases, an
/// unprivileged user, entry points that the build really produces, the silo's configured ports, and a
/// build context that contains everything the files copy.</summary>
public class DockerfileTests
{
    private sealed record Instruction(string Keyword, string Arguments);

    private static List<Instruction> Parse(string path)
    {
        var lines = new List<Instruction>();
        string pending = "";
        foreach (var raw in File.ReadAllLines(path))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            if (line.EndsWith('\\')) { pending += line[..^1] + " "; continue; }
            line = pending + line;
            pending = "";
            int space = line.IndexOf(' ');
            lines.Add(new Instruction(line[..space].ToUpperInvariant(), line[(space + 1)..].Trim()));
        }
        return lines;
    }

    /// <summary>The instructions of one stage, from its FROM to the next.</summary>
    private static List<Instruction> Stage(List<Instruction> lines, string name)
    {
        int start = lines.FindIndex(l => l.Keyword == "FROM" && l.Arguments.EndsWith($" AS {name}", StringComparison.OrdinalIgnoreCase));
        Assert.True(start >= 0, $"the Dockerfile has no stage {name}");
        int end = lines.FindIndex(start + 1, l => l.Keyword == "FROM");
        return lines.GetRange(start, (end < 0 ? lines.Count : end) - start);
    }

    [Theory]
    [InlineData("silo", "MemristorGrid.Silo.dll", true)]
    [InlineData("memgrid", "memgrid.dll", false)]
    public void Images_are_pinned_unprivileged_and_start_what_the_build_produces(string target, string entryDll, bool isSilo)
    {
        string root = Repo.Root();
        const string dockerfile = "Dockerfile";
        var lines = Parse(Path.Combine(root, dockerfile));

        var froms = lines.Where(l => l.Keyword == "FROM").Select(l => l.Arguments.Split(' ')[0]).ToList();
        Assert.True(froms.Count >= 3, "multi-stage: a build stage and a runtime stage per image");
        Assert.All(froms, image =>
        {
            int colon = image.LastIndexOf(':');
            Assert.True(colon > image.LastIndexOf('/'), $"{image} names no tag");
            Assert.NotEqual("latest", image[(colon + 1)..]);
        });

        var final = Stage(lines, target);
        // The base image carries the shared frameworks the entry assembly names: ASP.NET Core's for the web host.
        var frameworks = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, Path.ChangeExtension(entryDll, ".runtimeconfig.json"))))!
            ["runtimeOptions"]!["frameworks"]!.AsArray().Select(f => (string)f!["name"]!).ToList();
        Assert.StartsWith(frameworks.Contains("Microsoft.AspNetCore.App") ? "mcr.microsoft.com/dotnet/aspnet:" : "mcr.microsoft.com/dotnet/runtime:", final[0].Arguments);
        // The stage runs what the build stage published for it.
        Assert.Contains(final, l => l.Keyword == "COPY" && l.Arguments.StartsWith($"--from=build /app/{target} ", StringComparison.Ordinal));
        Assert.Contains(Stage(lines, "build"), l => l.Keyword == "RUN" && l.Arguments.Contains($"-o /app/{target}", StringComparison.Ordinal));
        var user = Assert.Single(final, l => l.Keyword == "USER").Arguments;
        Assert.DoesNotContain(user, new[] { "root", "0" });

        var entry = JsonSerializer.Deserialize<string[]>(Assert.Single(final, l => l.Keyword == "ENTRYPOINT").Arguments)!;
        Assert.Equal(["dotnet", entryDll], entry);
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, entryDll)), $"the build produces no {entryDll}");

        var ignored = File.ReadAllLines(Path.Combine(root, ".dockerignore"))
            .Where(l => l.Length > 0 && !l.StartsWith('#') && !l.StartsWith('!')).Select(l => l.TrimEnd('/')).ToList();
        foreach (var copy in lines.Where(l => l.Keyword == "COPY" && !l.Arguments.StartsWith("--from", StringComparison.Ordinal)))
        {
            var parts = copy.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            foreach (var source in parts[..^1])
            {
                Assert.True(File.Exists(Path.Combine(root, source)) || Directory.Exists(Path.Combine(root, source)), $"{dockerfile} copies {source}, which does not exist");
                Assert.DoesNotContain(source.TrimEnd('/'), ignored);
            }
        }

        if (isSilo)
        {
            var defaults = new ClusterSettings();
            var exposed = final.Where(l => l.Keyword == "EXPOSE").SelectMany(l => l.Arguments.Split(' ')).Select(int.Parse).Order();
            Assert.Equal(new[] { defaults.SiloPort, defaults.GatewayPort, defaults.HealthPort }.Order(), exposed);
            string env = string.Join(' ', final.Where(l => l.Keyword == "ENV").Select(l => l.Arguments));
            Assert.Contains($"MEMGRID_SILO_PORT={defaults.SiloPort}", env);
            Assert.Contains($"MEMGRID_GATEWAY_PORT={defaults.GatewayPort}", env);
            Assert.Contains($"MEMGRID_HEALTH_PORT={defaults.HealthPort}", env);
        }
    }
}

/// <summary>compose.yaml, checked like the Dockerfile: it builds the two images from its two targets,
/// mounts configuration files that exist, and points silos and clients at its own Redis and collector.</summary>
public class ComposeTests
{
    [Fact]
    public void The_local_stack_is_wired_to_files_and_services_that_exist()
    {
        string root = Repo.Root();
        var yaml = new YamlDotNet.Serialization.DeserializerBuilder().Build()
            .Deserialize<Dictionary<string, object>>(File.ReadAllText(Path.Combine(root, "compose.yaml")));
        var services = ((Dictionary<object, object>)yaml["services"]).ToDictionary(p => (string)p.Key, p => (Dictionary<object, object>)p.Value);
        Assert.Superset(new HashSet<string> { "redis", "silo", "memgrid", "otel-collector", "tempo", "prometheus", "grafana" }, services.Keys.ToHashSet());
        foreach (var name in new[] { "silo", "memgrid" })
        {
            var build = (Dictionary<object, object>)services[name]["build"];
            Assert.Equal("Dockerfile", build["dockerfile"]);
            Assert.Equal(name, build["target"]);
            Assert.Contains($" AS {name}", File.ReadAllText(Path.Combine(root, "Dockerfile")));
        }
        foreach (var (name, service) in services)
        {
            if (!service.TryGetValue("volumes", out var volumes)) continue;
            foreach (string mount in ((List<object>)volumes).Cast<string>())
            {
                string source = mount.Split(':')[0];
                if (!source.StartsWith("./", StringComparison.Ordinal) || source == "./out") continue;
                Assert.True(File.Exists(Path.Combine(root, source)) || Directory.Exists(Path.Combine(root, source)), $"{name} mounts {source}, which does not exist");
            }
        }
        var env = ((Dictionary<object, object>)services["silo"]["environment"]).ToDictionary(p => (string)p.Key, p => (string)p.Value);
        Assert.Equal("redis:6379", env["MEMGRID_REDIS"]);
        Assert.Equal("${REDIS_PASSWORD:?set REDIS_PASSWORD}", env["MEMGRID_REDIS_PASSWORD"]);
        Assert.Contains("--requirepass", ((List<object>)services["redis"]["command"]).Cast<string>());
        Assert.Equal("unless-stopped", services["silo"]["restart"]); // a silo exits 75 to rejoin after Redis came back empty
        // Only this host reaches Grafana and the unauthenticated OTLP ports; Grafana signs in.
        foreach (var name in new[] { "grafana", "otel-collector" })
            Assert.All(((List<object>)services[name]["ports"]).Cast<string>(), p => Assert.StartsWith("127.0.0.1:", p));
        Assert.Equal("false", ((Dictionary<object, object>)services["grafana"]["environment"])["GF_AUTH_ANONYMOUS_ENABLED"]);
        Assert.StartsWith("http://otel-collector:", env["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        Assert.Contains("POD_IP=", string.Join(' ', ((List<object>)services["silo"]["entrypoint"]).Cast<string>()));
    }
}

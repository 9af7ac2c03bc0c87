using System.Diagnostics;
using k8s;
using k8s.Models;
using MemristorGrid.Hosting;

namespace MemristorGrid.Cluster.Tests;

/// <summary>Every overlay renders with kubectl's kustomize, and every object it produces is a valid,
/// typed Kubernetes object (unknown or misspelt fields fail), wired the way the silo expects.</summary>
public class ManifestTests
{
    public static TheoryData<string> Overlays => new() { "dev", "scale" };

    internal static string Render(string overlay) => RenderDirectory(Path.Combine(Repo.Root(), "k8s", "overlays", overlay));

    internal static string RenderDirectory(string directory)
    {
        string overlay = Path.GetFileName(directory);
        var info = new ProcessStartInfo("kubectl", $"kustomize {directory}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var p = Process.Start(info) ?? throw new InvalidOperationException("kubectl not found");
        var stdout = p.StandardOutput.ReadToEndAsync();
        string stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"kubectl kustomize {overlay} failed: {stderr}");
        return stdout.Result;
    }

    /// <summary>A home, root or workspace directory of some machine.</summary>
    private const string MachinePath = @"/(home|work|root|Users|tmp)/[A-Za-z]";

    internal static List<object> Load(string yaml) => KubernetesYaml.LoadAllFromString(yaml, strict: true);

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_overlay_renders_to_valid_typed_objects(string overlay)
    {
        var objects = Load(Render(overlay));
        Assert.Contains(objects, o => o is V1Namespace);
        var silo = Assert.Single(objects.OfType<V1Deployment>(), d => d.Metadata.Name == "silo");
        var container = Assert.Single(silo.Spec.Template.Spec.Containers);
        var defaults = new ClusterSettings();
        var ports = container.Ports.ToDictionary(p => p.Name, p => p.ContainerPort);
        Assert.Equal(defaults.SiloPort, ports["silo"]);
        Assert.Equal(defaults.GatewayPort, ports["gateway"]);
        Assert.Equal(defaults.HealthPort, ports["health"]);
        Assert.Equal("/ready", container.ReadinessProbe.HttpGet.Path);
        Assert.Equal("/healthz", container.LivenessProbe.HttpGet.Path);
        var env = container.Env.ToDictionary(e => e.Name);
        Assert.Equal("status.podIP", env["POD_IP"].ValueFrom.FieldRef.FieldPath);
        Assert.Equal("metadata.name", env["POD_NAME"].ValueFrom.FieldRef.FieldPath);
        Assert.Equal("metadata.namespace", env["POD_NAMESPACE"].ValueFrom.FieldRef.FieldPath);
        Assert.True(silo.Spec.Template.Spec.TerminationGracePeriodSeconds > SiloHost.ShutdownTimeout.TotalSeconds);
        Assert.True(container.SecurityContext.ReadOnlyRootFilesystem);
        Assert.NotNull(container.Resources.Limits);
        Assert.Contains(objects, o => o is V1StatefulSet { Metadata.Name: "redis" } s && s.Spec.VolumeClaimTemplates.Count == 1);
        Assert.Contains(objects, o => o is V1Job);
        Assert.Contains(objects, o => o is V1NetworkPolicy);
        Assert.Contains(objects, o => o is V1Role r && r.Rules.All(rule => rule.Verbs.All(v => v is "get" or "list" or "watch")));
        Assert.All(objects.OfType<IKubernetesObject<V1ObjectMeta>>(), o => Assert.DoesNotMatch(MachinePath, KubernetesYaml.Serialize(o)));
        if (overlay == "scale")
        {
            Assert.Equal(4, silo.Spec.Replicas);
            Assert.NotNull(silo.Spec.Template.Spec.Affinity.PodAntiAffinity);
            Assert.Contains(objects, o => o is V2HorizontalPodAutoscaler);
        }
        else Assert.Equal(1, silo.Spec.Replicas);
    }

    [Fact]
    public void A_misspelt_field_is_caught()
    {
        string yaml = Render("dev").Replace("readinessProbe:", "readynessProbe:", StringComparison.Ordinal);
        Assert.ThrowsAny<Exception>(() => Load(yaml));
    }

    [Fact]
    public void The_observability_stack_renders_with_provisioned_datasources_and_dashboards()
    {
        var objects = Load(RenderDirectory(Path.Combine(Repo.Root(), "k8s", "observability")));
        var deployments = objects.OfType<V1Deployment>().Select(d => d.Metadata.Name).ToHashSet();
        Assert.Superset(new HashSet<string> { "otel-collector", "tempo", "prometheus", "grafana" }, deployments);
        var maps = objects.OfType<V1ConfigMap>().ToDictionary(c => c.Metadata.Name);
        Assert.Contains("uid: prometheus", maps["grafana-datasources"].Data["datasources.yaml"]);
        Assert.Contains("uid: tempo", maps["grafana-datasources"].Data["datasources.yaml"]);
        string dashboard = maps["grafana-dashboards"].Data["memristorgrid.json"];
        Assert.Equal(File.ReadAllText(Path.Combine(Repo.Root(), "k8s", "observability", "dashboards", "memristorgrid.json")), dashboard);
        var collector = maps["otel-collector"].Data["config.yaml"];
        Assert.Contains("otlp/tempo", collector);
        Assert.Contains("prometheus", collector);
        Assert.All(objects.OfType<V1Service>(), svc => Assert.NotEmpty(svc.Spec.Ports));
    }

    [Fact]
    public void No_manifest_names_a_machine_path_or_a_clear_text_secret()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(Repo.Root(), "k8s"), "*.*", SearchOption.AllDirectories))
        {
            string text = File.ReadAllText(file);
            Assert.DoesNotMatch(MachinePath, text);
            // A scalar value for a password, secret or token key (a `secret:` volume source is a mapping).
            Assert.DoesNotMatch(@"(?im)^\s*(password|secret|token)\s*:\s*[^\s{]", text);
            Assert.DoesNotMatch(@"(?i)GF_SECURITY_ADMIN_PASSWORD\s*\n\s*value:", text);
        }
        Assert.Empty(Load(Render("dev")).OfType<V1Secret>());
    }

    public static TheoryData<string> RenderedTrees => new() { "overlays/dev", "overlays/scale", "observability" };

    /// <summary>
    /// The restricted Pod Security Standard (kubernetes.io/docs/concepts/security/pod-security-standards),
    /// checked on every pod template the tree renders: no host namespaces or privileged containers, only
    /// the volume types it allows, non-root, no privilege escalation, every capability dropped (at most
    /// NET_BIND_SERVICE added back) and the RuntimeDefault or Localhost seccomp profile; and every
    /// namespace enforces it.
    /// </summary>
    [Theory]
    [MemberData(nameof(RenderedTrees))]
    public void Every_workload_passes_the_restricted_pod_security_standard(string tree)
    {
        var objects = Load(RenderDirectory(Path.Combine(Repo.Root(), "k8s", tree)));
        Assert.All(objects.OfType<V1Namespace>(), ns => Assert.Equal("restricted", ns.Metadata.Labels?["pod-security.kubernetes.io/enforce"]));
        var pods = objects.Select(o => o switch
        {
            V1Deployment d => (d.Metadata.Name, d.Spec.Template.Spec),
            V1StatefulSet s => (s.Metadata.Name, s.Spec.Template.Spec),
            V1Job j => (j.Metadata.Name, j.Spec.Template.Spec),
            V1DaemonSet ds => (ds.Metadata.Name, ds.Spec.Template.Spec),
            V1Pod p => (p.Metadata.Name, p.Spec),
            _ => default((string, V1PodSpec)?),
        }).OfType<(string Name, V1PodSpec Spec)>().ToList();
        Assert.NotEmpty(pods);
        string[] allowedVolumes = ["ConfigMap", "EmptyDir", "PersistentVolumeClaim", "Secret", "Projected", "DownwardAPI", "Csi", "Ephemeral"];
        foreach (var (name, spec) in pods)
        {
            Assert.False(spec.HostNetwork == true || spec.HostPID == true || spec.HostIPC == true, $"{name} shares a host namespace");
            foreach (var volume in spec.Volumes ?? [])
                Assert.True(allowedVolumes.Any(t => typeof(V1Volume).GetProperty(t)!.GetValue(volume) is not null), $"{name}: volume {volume.Name} is of a type the restricted standard forbids");
            var pod = spec.SecurityContext;
            foreach (var c in (spec.InitContainers ?? []).Concat(spec.Containers))
            {
                var sc = c.SecurityContext;
                string who = $"{name}/{c.Name}";
                Assert.True(sc?.Privileged != true, $"{who} is privileged");
                Assert.True(sc?.AllowPrivilegeEscalation == false, $"{who} lacks allowPrivilegeEscalation: false");
                Assert.True(sc?.Capabilities?.Drop?.Contains("ALL") == true, $"{who} lacks capabilities.drop: [ALL]");
                Assert.True((sc?.Capabilities?.Add ?? []).All(a => a == "NET_BIND_SERVICE"), $"{who} adds a capability");
                Assert.True((sc?.RunAsNonRoot ?? pod?.RunAsNonRoot) == true, $"{who} may run as root");
                Assert.True((sc?.RunAsUser ?? pod?.RunAsUser) != 0, $"{who} runs as UID 0");
                string? seccomp = sc?.SeccompProfile?.Type ?? pod?.SeccompProfile?.Type;
                Assert.True(seccomp is "RuntimeDefault" or "Localhost", $"{who} lacks seccompProfile RuntimeDefault");
            }
        }
    }

    /// <summary>Redis requires a password that silos, the client Job and Redis itself take from one Secret
    /// (required: a pod without it does not start); Grafana has no anonymous access and a required admin Secret.</summary>
    [Fact]
    public void Redis_and_Grafana_require_their_secrets()
    {
        var objects = Load(Render("dev")).Concat(Load(RenderDirectory(Path.Combine(Repo.Root(), "k8s", "observability")))).ToList();
        V1Container Container(string name) => objects.Select(o => o switch
        {
            V1Deployment d when d.Metadata.Name == name => d.Spec.Template.Spec.Containers[0],
            V1StatefulSet st when st.Metadata.Name == name => st.Spec.Template.Spec.Containers[0],
            V1Job j when j.Metadata.Name == name => j.Spec.Template.Spec.Containers[0],
            _ => null,
        }).OfType<V1Container>().Single();
        static V1SecretKeySelector? Secret(V1Container c, string variable) => c.Env?.SingleOrDefault(e => e.Name == variable)?.ValueFrom?.SecretKeyRef;
        foreach (var (workload, variable) in new[] { ("silo", "MEMGRID_REDIS_PASSWORD"), ("memgrid-run", "MEMGRID_REDIS_PASSWORD"), ("redis", "REDIS_PASSWORD"), ("redis", "REDISCLI_AUTH") })
        {
            var secret = Secret(Container(workload), variable);
            Assert.True(secret is { Name: "redis-auth", Key: "password", Optional: false }, $"{workload}: {variable} is not the required redis-auth Secret");
        }
        // Silos and the client speak mutual TLS with the certificate of the required memgrid-tls Secret.
        foreach (var workload in new[] { "silo", "memgrid-run" })
        {
            var spec = objects.Select(o => o switch
            {
                V1Deployment d when d.Metadata.Name == workload => d.Spec.Template.Spec,
                V1Job j when j.Metadata.Name == workload => j.Spec.Template.Spec,
                _ => null,
            }).OfType<V1PodSpec>().Single();
            var volume = spec.Volumes.Single(v => v.Secret?.SecretName == "memgrid-tls");
            Assert.False(volume.Secret.Optional ?? false, $"{workload}: the TLS Secret is optional");
            string mount = spec.Containers[0].VolumeMounts.Single(m => m.Name == volume.Name).MountPath;
            var env = spec.Containers[0].Env.ToDictionary(e => e.Name, e => e.Value);
            foreach (var (variable, file) in new[] { ("MEMGRID_TLS_CERT", "tls.crt"), ("MEMGRID_TLS_KEY", "tls.key"), ("MEMGRID_TLS_CA", "ca.crt") })
                Assert.Equal($"{mount}/{file}", env.GetValueOrDefault(variable));
        }
        Assert.Contains("$(REDIS_PASSWORD)", Container("redis").Args.SkipWhile(a => a != "--requirepass").Skip(1).Take(1));
        var grafana = Container("grafana");
        Assert.Equal("false", grafana.Env.Single(e => e.Name == "GF_AUTH_ANONYMOUS_ENABLED").Value);
        Assert.True(Secret(grafana, "GF_SECURITY_ADMIN_PASSWORD") is { Name: "grafana-admin", Optional: false });
        Assert.True(Secret(grafana, "GF_SECURITY_ADMIN_USER") is { Name: "grafana-admin", Optional: false });
    }

    /// <summary>The documented way to pin images by digest works for every container of both trees: an
    /// overlay with one <c>images:</c> entry (name + digest) per image renders no container left on a tag.</summary>
    [Theory]
    [InlineData("overlays/scale")]
    [InlineData("observability")]
    public void An_overlay_can_pin_every_image_by_digest(string tree)
    {
        static IEnumerable<string> Images(IEnumerable<object> objects) => objects.SelectMany(o => o switch
        {
            V1Deployment d => d.Spec.Template.Spec.Containers,
            V1StatefulSet st => st.Spec.Template.Spec.Containers,
            V1Job j => j.Spec.Template.Spec.Containers,
            _ => [],
        }).Select(c => c.Image);
        string target = Path.Combine(Repo.Root(), "k8s", tree);
        var names = Images(Load(RenderDirectory(target))).Select(i => i.Split('@')[0]).Select(i => i.LastIndexOf(':') > i.LastIndexOf('/') ? i[..i.LastIndexOf(':')] : i).Distinct().ToList();
        Assert.NotEmpty(names);
        string overlay = Repo.TempDir();
        string digest = "sha256:" + new string('a', 64);
        File.WriteAllText(Path.Combine(overlay, "kustomization.yaml"),
            $"apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - {Path.GetRelativePath(overlay, target)}\nimages:\n"
            + string.Concat(names.Select(n => $"  - name: {n}\n    digest: {digest}\n")));
        var pinned = Images(Load(RenderDirectory(overlay))).ToList();
        Assert.All(pinned, image => Assert.EndsWith("@" + digest, image));
    }
}

using k8s.Models;

namespace MemristorGrid.Cluster.Tests;

/// <summary>
/// The NetworkPolicies of both namespaces, evaluated the way Kubernetes does (a connection needs an
/// egress rule of some policy selecting its source and an ingress rule of some policy selecting its
/// target, once any policy selects the pod for that direction): every namespace denies by default, every
/// workload has its own ingress and egress, every flow the system needs is allowed, and flows it does
/// not need are refused.
/// </summary>
public class NetworkPolicyTests
{
    private const string App = "memristorgrid", Observability = "memristorgrid-observability";

    private sealed record Pod(string Namespace, IDictionary<string, string> Labels)
    {
        public string Name => Labels["app.kubernetes.io/name"];
    }

    private static (List<V1NetworkPolicy> Policies, List<Pod> Pods) Render()
    {
        var objects = ManifestTests.Load(ManifestTests.Render("dev"))
            .Concat(ManifestTests.Load(ManifestTests.RenderDirectory(Path.Combine(Repo.Root(), "k8s", "observability")))).ToList();
        var pods = objects.Select(o => o switch
        {
            V1Deployment d => new Pod(d.Metadata.NamespaceProperty, d.Spec.Template.Metadata.Labels),
            V1StatefulSet s => new Pod(s.Metadata.NamespaceProperty, s.Spec.Template.Metadata.Labels),
            V1Job j => new Pod(j.Metadata.NamespaceProperty, j.Spec.Template.Metadata.Labels),
            _ => null,
        }).OfType<Pod>().ToList();
        // The cluster's ingress controller (not ours: the community ingress-nginx chart's namespace and labels), which serves Grafana.
        pods.Add(new Pod("ingress-nginx", new Dictionary<string, string> { ["app.kubernetes.io/name"] = "ingress-nginx" }));
        return (objects.OfType<V1NetworkPolicy>().ToList(), pods);
    }

    /// <summary>Every flow the running system makes.</summary>
    public static TheoryData<string, string, int> NeededFlows => new()
    {
        { "silo", "silo", 11111 }, { "memgrid", "silo", 30000 }, { "silo", "redis", 6379 }, { "memgrid", "redis", 6379 },
        { "silo", "otel-collector", 4317 }, { "memgrid", "otel-collector", 4317 }, { "otel-collector", "tempo", 4317 },
        { "prometheus", "otel-collector", 8889 }, { "grafana", "prometheus", 9090 }, { "grafana", "tempo", 3200 },
        { "ingress-nginx", "grafana", 3000 },
    };

    /// <summary>Flows nothing needs: each would widen what a compromised pod can reach.</summary>
    public static TheoryData<string, string, int> RefusedFlows => new()
    {
        { "grafana", "redis", 6379 }, { "otel-collector", "redis", 6379 }, { "redis", "silo", 11111 }, { "tempo", "silo", 30000 },
        { "memgrid", "silo", 11111 }, { "prometheus", "redis", 6379 }, { "silo", "grafana", 3000 }, { "grafana", "silo", 30000 },
        // The web port needs no pod: the kubelet's probes and port-forward come from the pod's own node, which Kubernetes always allows.
        { "memgrid", "silo", 8080 }, { "grafana", "silo", 8080 }, { "ingress-nginx", "silo", 8080 }, { "redis", "silo", 8080 },
        { "memgrid", "grafana", 3000 }, { "ingress-nginx", "redis", 6379 },
    };

    [Theory]
    [MemberData(nameof(NeededFlows))]
    public void A_needed_flow_is_allowed(string from, string to, int port)
    {
        var (policies, pods) = Render();
        Assert.True(Allowed(policies, pods.Single(p => p.Name == from), pods.Single(p => p.Name == to), port), $"{from} → {to}:{port} is blocked");
    }

    [Theory]
    [MemberData(nameof(RefusedFlows))]
    public void A_flow_nothing_needs_is_refused(string from, string to, int port)
    {
        var (policies, pods) = Render();
        Assert.False(Allowed(policies, pods.Single(p => p.Name == from), pods.Single(p => p.Name == to), port), $"{from} → {to}:{port} is open");
    }

    [Fact]
    public void Every_namespace_denies_by_default_and_every_workload_has_its_own_ingress_and_egress()
    {
        var (policies, pods) = Render();
        foreach (string ns in new[] { App, Observability })
            Assert.Contains(policies, p => p.Metadata.NamespaceProperty == ns && IsEmpty(p.Spec.PodSelector)
                && p.Spec.PolicyTypes.Order().SequenceEqual(["Egress", "Ingress"]) && p.Spec.Ingress is null or [] && p.Spec.Egress is null or []);
        Assert.Equal(8, pods.Count);
        foreach (var pod in pods.Where(p => p.Namespace is App or Observability))
            Assert.True(policies.Any(p => !IsEmpty(p.Spec.PodSelector) && Selects(p, pod) && p.Spec.PolicyTypes.Contains("Ingress") && p.Spec.PolicyTypes.Contains("Egress")),
                $"{pod.Name} has no policy of its own for ingress and egress");
    }

    private static bool Allowed(List<V1NetworkPolicy> policies, Pod from, Pod to, int port) =>
        Direction(policies, from, "Egress", p => p.Spec.Egress?.Any(r => Matches(r.To, r.Ports, from, to, port)) ?? false)
        && Direction(policies, to, "Ingress", p => p.Spec.Ingress?.Any(r => Matches(r.FromProperty, r.Ports, to, from, port)) ?? false);

    /// <summary>Unrestricted when no policy selects the pod for this direction; otherwise some selecting policy must allow it.</summary>
    private static bool Direction(List<V1NetworkPolicy> policies, Pod pod, string type, Func<V1NetworkPolicy, bool> allows)
    {
        var selecting = policies.Where(p => Selects(p, pod) && p.Spec.PolicyTypes.Contains(type)).ToList();
        return selecting.Count == 0 || selecting.Any(allows);
    }

    private static bool Matches(IList<V1NetworkPolicyPeer>? peers, IList<V1NetworkPolicyPort>? ports, Pod self, Pod peer, int port) =>
        (peers is null or [] || peers.Any(p => Peer(p, self, peer)))
        && (ports is null or [] || ports.Any(p => (p.Protocol ?? "TCP") == "TCP" && p.Port?.Value == port.ToString()));

    private static bool Peer(V1NetworkPolicyPeer peer, Pod self, Pod other)
    {
        if (peer.IpBlock is not null) return false; // pods are not addressed by IP blocks here
        bool namespaceMatches = peer.NamespaceSelector is null
            ? other.Namespace == self.Namespace
            : Matches(peer.NamespaceSelector, new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = other.Namespace });
        return namespaceMatches && (peer.PodSelector is null || Matches(peer.PodSelector, other.Labels));
    }

    private static bool Selects(V1NetworkPolicy policy, Pod pod) =>
        policy.Metadata.NamespaceProperty == pod.Namespace && Matches(policy.Spec.PodSelector, pod.Labels);

    private static bool IsEmpty(V1LabelSelector selector) => selector.MatchLabels is null or { Count: 0 } && selector.MatchExpressions is null or [];

    private static bool Matches(V1LabelSelector selector, IDictionary<string, string> labels) =>
        (selector.MatchLabels ?? new Dictionary<string, string>()).All(l => labels.TryGetValue(l.Key, out var v) && v == l.Value)
        && (selector.MatchExpressions ?? []).All(e => e.OperatorProperty switch
        {
            "In" => labels.TryGetValue(e.Key, out var v) && e.Values.Contains(v),
            "NotIn" => !labels.TryGetValue(e.Key, out var v) || !e.Values.Contains(v),
            "Exists" => labels.ContainsKey(e.Key),
            "DoesNotExist" => !labels.ContainsKey(e.Key),
            _ => throw new InvalidOperationException($"unknown operator {e.OperatorProperty}"),
        });
}

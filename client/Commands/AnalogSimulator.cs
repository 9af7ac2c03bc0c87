using System.CommandLine;
using MemristorGrid.Client.Output;
using MemristorGrid.Engine.Accounting;
using static MemristorGrid.Client.Commands.CommandOptions;

namespace MemristorGrid.Client.Commands;

/// <summary>Where <c>run</c> and <c>compare</c> simulate the analog machine: on the grain system (an
/// embedded silo, or the cluster <c>--gateway</c>/<c>--redis</c> names) or on the reference simulator.</summary>
internal sealed class AnalogSimulator
{
    public readonly Option<string> Simulator = Make("--simulator",
        "grains: the Orleans actor system (an embedded silo unless --gateway or --redis is given); reference: the single-process reference simulator, the oracle the grains are tested against.", "grains");
    private readonly Option<bool> _deprecatedReference = new("--reference") { Description = "Deprecated: use --simulator reference.", Hidden = true };
    public readonly ClusterOptions Cluster = new();

    public AnalogSimulator() => Simulator.AcceptOnlyFromAmong("grains", "reference");

    public IEnumerable<Option> All() => [Simulator, _deprecatedReference, .. Cluster.All()];

    public bool UsesReference(ParseResult parse) => parse.GetValue(_deprecatedReference) || parse.GetValue(Simulator) == "reference";

    /// <summary>Where jobs run, as reports name it: reference simulator, embedded silo or cluster (with its placement).</summary>
    public string Where(ParseResult parse) => UsesReference(parse) ? "reference simulator"
        : $"{(Cluster.JoinsCluster(parse) ? "cluster" : "embedded silo")} ({parse.GetValue(Cluster.Placement)} placement)";

    /// <summary>Runs the analog job where the options say; the returned arguments name the simulator and placement used.
    /// Ctrl-C cancels it: the embedded silo stops with it, a job on a cluster goes on there.</summary>
    public async Task<(AnalogRunResult Result, AnalogRunArguments.Resolved Run)> RunAsync(ParseResult parse, AnalogRunArguments.Resolved r, CancellationToken cancel)
    {
        if (parse.GetValue(_deprecatedReference))
            parse.InvocationConfiguration.Error.WriteLine("warning: --reference is deprecated and will be removed in the next release; use --simulator reference");
        bool reference = UsesReference(parse);
        var result = reference ? await Task.Run(() => RunCommand.Simulate(r, cancel), cancel)
            : await ConsoleProgress.RunAsync($"analog {r.Options.Kind.ToString().ToLowerInvariant()} on {r.Profile.Name} (grain cluster)", progress =>
                Cluster.RunJobAsync(parse, r, progress, cancel), new ConsoleProgress.Work(r.Count, "samples"));
        return (result, r with
        {
            Simulator = reference ? "reference" : Cluster.JoinsCluster(parse) ? "cluster" : "embedded-silo",
            Placement = parse.GetValue(Cluster.Placement)!,
        });
    }
}

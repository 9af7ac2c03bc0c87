using System.CommandLine;
using MemristorGrid.Engine.Runs;
using MemristorGrid.GrainInterfaces;
using MemristorGrid.Hosting;
using static MemristorGrid.Client.Commands.CommandOptions;

namespace MemristorGrid.Client.Commands;

/// <summary>Where <c>run</c>, <c>compare</c>, <c>sweep</c> and <c>reproduce</c> simulate the analog machine: the options
/// that choose between the grain system (an embedded silo, or the cluster <c>--gateway</c>/<c>--redis</c> names) and
/// the reference simulator. <see cref="Open"/> is the one place the choice is made.</summary>
internal sealed class AnalogSimulator
{
    public readonly Option<string> Simulator = Make("--simulator",
        "grains: the Orleans actor system (an embedded silo unless --gateway or --redis is given); reference: the single-process reference simulator, the oracle the grains are tested against.", "grains");
    private readonly Option<bool> _deprecatedReference = new("--reference") { Description = "Deprecated: use --simulator reference.", Hidden = true };
    public readonly ClusterOptions Cluster = new();
    private readonly Option<bool> _newJob = new("--new-job")
    {
        Description = "Start a new job on the cluster even when the same request is running there (by default the same command run again, after its client died, resumes the job still running).",
    };

    public AnalogSimulator() => Simulator.AcceptOnlyFromAmong("grains", "reference");

    public IEnumerable<Option> All() => [Simulator, _deprecatedReference, .. Cluster.All(), _newJob];

    /// <summary>The machine the options name. A cluster machine connects at its first job and lets go when disposed;
    /// Ctrl-C cancels a job: the embedded silo stops with it, a job on a cluster goes on there.</summary>
    public IAnalogMachine Open(ParseResult parse)
    {
        if (parse.GetValue(_deprecatedReference))
            parse.InvocationConfiguration.Error.WriteLine("warning: --reference is deprecated and will be removed in the next release; use --simulator reference");
        if (parse.GetValue(_deprecatedReference) || parse.GetValue(Simulator) == "reference") return new ReferenceMachine();
        var placement = parse.GetValue(Cluster.Placement) == "chips" ? TilePlacementMode.Chips : TilePlacementMode.Local;
        return new ClusterMachine(Cluster.Settings(parse), placement) { NewJobs = parse.GetValue(_newJob), Notice = parse.InvocationConfiguration.Error.WriteLine };
    }
}

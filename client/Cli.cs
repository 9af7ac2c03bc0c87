using System.CommandLine;
using System.Runtime.InteropServices;
using MemristorGrid.Client.Commands;
using MemristorGrid.Engine;
using MemristorGrid.Hosting;

namespace MemristorGrid.Client;

/// <summary>
/// The <c>memgrid</c> command line. User errors (bad files, options, models) print one line naming
/// the problem and exit 1; malformed command lines exit 2; anything unexpected exits 70 with its
/// message only (set MEMGRID_DEBUG=1 for the stack trace).
/// </summary>
public static class Cli
{
    public const int UserError = 1, UsageError = 2, ClusterLost = 69, InternalError = 70;

    public static RootCommand Build()
    {
        var root = new RootCommand(
            "MemristorGrid — simulate score-based diffusion on resistive-memory analog hardware, and its digital baseline.");
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(TrainVaeCommand.Create());
        root.Subcommands.Add(BaselineCommand.Create());
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(CompareCommand.Create());
        root.Subcommands.Add(SweepCommand.Create());
        root.Subcommands.Add(ToleranceCommand.Create());
        root.Subcommands.Add(ReproduceCommand.Create());
        root.Subcommands.Add(ProfileCommand.Create());
        root.Subcommands.Add(SiloCommandLine.Configure(new Command("silo", SiloCommandLine.Description)));
        root.Subcommands.Add(InspectCommand.Create());
        root.Subcommands.Add(ScoreCommand.Create());
        root.Subcommands.Add(SpiceCommand.Create());
        return root;
    }

    public static int Run(string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        var output = stdout ?? Console.Out;
        var error = stderr ?? Console.Error;
        using var cancel = new CancellationTokenSource();
        try
        {
            var parse = Build().Parse(args);
            // `memgrid` or `memgrid profile` alone: a command group without its command shows its help.
            if (parse.CommandResult.Command is { Action: null, Subcommands.Count: > 0 } && parse.UnmatchedTokens.Count == 0 && args.All(a => !a.StartsWith('-')))
                return Run([.. args, "--help"], output, error);
            if (parse.Errors.Count > 0)
            {
                foreach (var e in parse.Errors) error.WriteLine($"error: {Printable(e.Message)}");
                error.WriteLine("Run 'memgrid --help' (or 'memgrid COMMAND --help') for usage.");
                return UsageError;
            }
            // Commands that take a cancellation token (run, compare, sweep: they host a silo or join a cluster)
            // stop on the first Ctrl-C or SIGTERM; a second one ends the process at once. The others keep
            // the runtime's default: the signal ends them.
            using var signals = parse.Action is System.CommandLine.Invocation.AsynchronousCommandLineAction ? new StopSignals(cancel) : null;
            var configuration = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
            return parse.InvokeAsync(configuration, cancel.Token).GetAwaiter().GetResult();
        }
        catch (UserInputException e)
        {
            error.WriteLine($"error: {Printable(e.Setting is { } setting ? $"{SettingNames.Flag(setting)} {e.Problem}" : e.Message)}");
            return UserError;
        }
        catch (ClusterStoreUnavailableException e)
        {
            error.WriteLine($"error: {Printable(e.Message)}");
            return UserError;
        }
        catch (ClusterLostException e)
        {
            error.WriteLine($"error: {Printable(e.Message)}");
            return ClusterLost;
        }
        catch (OperationCanceledException)
        {
            error.WriteLine("cancelled");
            return 130;
        }
        catch (IOException e) when (IsOutOfSpace(e))
        {
            // The machine's, not the command's: a full disk names the file it could not write (temporary files are removed).
            error.WriteLine($"error: no space left on the device: {Printable(e.Message)}");
            return UserError;
        }
        catch (Exception) when (cancel.IsCancellationRequested)
        {
            // Stopping on a signal can fail a call that was in flight in its own way (a silo that was still starting, a
            // grain call cut off): the user asked to stop, and stopped it is.
            error.WriteLine("cancelled");
            return 130;
        }
        catch (Exception e)
        {
            error.WriteLine(Printable(e is ClusterJobException ? $"internal error: {e.Message}" : $"internal error: {e.GetType().Name}: {e.Message}"));
            if (Diagnostics.ShowStackTraces) error.WriteLine(e is ClusterJobException { Detail: { } remote } ? remote : e);
            return InternalError;
        }
    }

    /// <summary>An error line as printable text: messages quote the user's input (a CSV field, a file name, an environment
    /// variable), and its control bytes (ESC sequences, carriage returns, newlines) must not reach the terminal as such.</summary>
    internal static string Printable(string message)
    {
        if (!message.Any(char.IsControl)) return message;
        var sb = new System.Text.StringBuilder(message.Length + 8);
        foreach (char c in message)
            if (char.IsControl(c)) sb.Append(c <= 0xFF ? $"\\x{(int)c:x2}" : $"\\u{(int)c:x4}");
            else sb.Append(c);
        return sb.ToString();
    }

    /// <summary>ENOSPC (28) or EDQUOT (122), as .NET reports them on Unix.</summary>
    private static bool IsOutOfSpace(IOException e) =>
        e.HResult is 28 or 122 || e.Message.Contains("No space left on device", StringComparison.Ordinal) || e.Message.Contains("Disk quota exceeded", StringComparison.Ordinal);

    /// <summary>The first SIGINT or SIGTERM cancels the command; later ones take the default (termination).</summary>
    private sealed class StopSignals : IDisposable
    {
        private readonly CancellationTokenSource _cancel;
        private readonly PosixSignalRegistration[] _registrations;
        private int _received;

        public StopSignals(CancellationTokenSource cancel)
        {
            _cancel = cancel;
            _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle), PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle)];
        }

        private void Handle(PosixSignalContext context)
        {
            if (Interlocked.Increment(ref _received) > 1) return;
            context.Cancel = true;
            _cancel.Cancel();
        }

        public void Dispose()
        {
            foreach (var r in _registrations) r.Dispose();
        }
    }
}

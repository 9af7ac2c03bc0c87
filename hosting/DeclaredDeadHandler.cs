using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;

namespace MemristorGrid.Hosting;

/// <summary>
/// Orleans' answer to a fatal error — above all "I have been told I am dead", which a silo hears when it comes back from a
/// stop (SIGSTOP, a frozen VM, CPU starvation) during which the others declared it dead — is a FATAL log with a stack trace
/// and a process abort. This silo instead leaves the way a silo that lost its membership row does
/// (<see cref="MembershipWatchdog"/>): one line saying why, exit code 75, and its supervisor starts it afresh, so it rejoins.
/// </summary>
internal sealed class DeclaredDeadHandler(IServiceProvider services) : IFatalErrorHandler
{
    public bool IsUnexpected(Exception exception) => true;

    public void OnFatalException(object? sender = null, string? context = null, Exception? exception = null)
    {
        string why = context?.Contains("I am dead", StringComparison.Ordinal) == true
            ? "the cluster declared this silo dead while it did not answer (it was stopped, starved of CPU or cut off)"
            : $"Orleans reported a fatal error ({FirstLine(context ?? exception?.Message ?? "no detail")})";
        string reason = $"{why}; exiting with code {MembershipWatchdog.ExitCode} so that it is started again and rejoins";
        if (services.GetService<MembershipWatchdog>() is { } watchdog) watchdog.Leave(reason);
        else
        {
            Console.Error.WriteLine($"error: {reason}");
            Environment.Exit(MembershipWatchdog.ExitCode);
        }
    }

    /// <summary>The first line of Orleans' context (it appends the whole membership table).</summary>
    private static string FirstLine(string text) => text.Split('\n')[0].Split(" Membership: ")[0];
}

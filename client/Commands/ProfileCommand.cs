using System.CommandLine;
using MemristorGrid.Engine.Profiles;

namespace MemristorGrid.Client.Commands;

/// <summary><c>memgrid profile list|show|check</c>: the hardware presets, as a starting point for your own.</summary>
internal static class ProfileCommand
{
    public static Command Create()
    {
        var list = new Command("list", "List the shipped hardware presets.\nExample: memgrid profile list");
        list.SetAction(parse =>
        {
            foreach (var name in HardwareProfile.Presets)
                parse.InvocationConfiguration.Output.WriteLine($"{name,-12} {HardwareProfile.Resolve(name).Description}");
            return 0;
        });
        var showName = new Argument<string>("name") { Description = "Preset name." };
        var show = new Command("show", "Print a preset's JSON with its sources (redirect it to a file to make your own profile).\nExample: memgrid profile show rram-180nm > my-chip.json") { showName };
        show.SetAction(parse =>
        {
            parse.InvocationConfiguration.Output.Write(HardwareProfile.PresetText(parse.GetValue(showName)!));
            return 0;
        });
        var checkPath = new Argument<string>("profile") { Description = "Preset name or PATH.json." };
        var check = new Command("check", "Validate a profile and report every problem.\nExample: memgrid profile check my-chip.json") { checkPath };
        check.SetAction(parse =>
        {
            var profile = HardwareProfile.Resolve(parse.GetValue(checkPath)!);
            parse.InvocationConfiguration.Output.WriteLine($"{profile.Name}: valid");
            return 0;
        });
        return new Command("profile", "Hardware profiles: list the presets, print one, or check a file.\nExample: memgrid profile show rram-180nm > my-chip.json") { list, show, check };
    }
}

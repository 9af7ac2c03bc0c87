using System.CommandLine;
using System.CommandLine.Parsing;

namespace MemristorGrid.Client.Commands;

/// <summary>Small helpers so every command declares options the same way.</summary>
internal static class CommandOptions
{
    public static Option<T> Make<T>(string name, string description, T defaultValue) =>
        new(name) { Description = description, DefaultValueFactory = _ => defaultValue };

    public static Option<T?> Optional<T>(string name, string description) where T : struct =>
        new(name) { Description = description };

    public static Option<string> Required(string name, string description) =>
        new(name) { Description = description, Required = true };

    public static Option<T> Positive<T>(this Option<T> option) where T : struct, IComparable<T>
    {
        option.Validators.Add(result =>
        {
            if (TryGet<T>(result, out var value) && value.CompareTo(default) <= 0)
                result.AddError($"{option.Name} must be positive (got {value})");
        });
        return option;
    }

    public static Option<T?> PositiveIfSet<T>(this Option<T?> option) where T : struct, IComparable<T>
    {
        option.Validators.Add(result =>
        {
            if (TryGet<T?>(result, out var value) && value is { } v && v.CompareTo(default) <= 0)
                result.AddError($"{option.Name} must be positive (got {v})");
        });
        return option;
    }

    public static Option<T?> NonNegativeIfSet<T>(this Option<T?> option) where T : struct, IComparable<T>
    {
        option.Validators.Add(result =>
        {
            if (TryGet<T?>(result, out var value) && value is { } v && v.CompareTo(default) < 0)
                result.AddError($"{option.Name} must be ≥ 0 (got {v})");
        });
        return option;
    }

    public static Option<T> NonNegative<T>(this Option<T> option) where T : struct, IComparable<T>
    {
        option.Validators.Add(result =>
        {
            if (TryGet<T>(result, out var value) && value.CompareTo(default) < 0)
                result.AddError($"{option.Name} must be ≥ 0 (got {value})");
        });
        return option;
    }

    /// <summary><c>--set KEY=VALUE</c> (repeatable): one profile key changed, for a single run of the profile <paramref name="of"/> names.</summary>
    public static Option<string[]> ProfileSettings(string of = "--profile") => new("--set")
    {
        Description = $"Change one key of {of}: KEY=VALUE with KEY a dotted profile path (e.g. device.write_verify.rounds=10, mapping.weight_scale=column; 'memgrid profile show' lists the keys). Repeat for more keys.",
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>The command line as the user typed it (for a report's provenance).</summary>
    public static IReadOnlyList<string> CommandLine(ParseResult parse) => ["memgrid", .. parse.Tokens.Select(t => t.Value)];

    /// <summary>The option's value, or false when the token did not convert (the parser reports that error itself).</summary>
    private static bool TryGet<T>(OptionResult result, out T value)
    {
        try
        {
            value = result.GetValueOrDefault<T>();
            return true;
        }
        catch (InvalidOperationException)
        {
            value = default!;
            return false;
        }
    }
}

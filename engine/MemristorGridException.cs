namespace MemristorGrid.Engine;

/// <summary>
/// A problem with what the user gave us (a file, a model, a setting). The CLI prints its message
/// alone — no stack trace — and exits non-zero, so the message must say what was wrong and where.
/// The engine speaks no command-line vocabulary: a problem with one setting names it by its
/// <see cref="Setting"/> key (the snake_case name of the options field, as report.json writes it),
/// and the CLI turns that key into its option name.
/// </summary>
public sealed class UserInputException : Exception
{
    public UserInputException(string message, Exception? inner = null) : base(message, inner) => Problem = message;

    private UserInputException(string setting, string problem) : base($"{setting} {problem}")
    {
        Setting = setting;
        Problem = problem;
    }

    /// <summary>The settings key the problem is about (e.g. <c>lane_size</c>), or null.</summary>
    public string? Setting { get; }

    /// <summary>What is wrong with <see cref="Setting"/> (the message without the key), e.g. "must be at least 1 (got 0)".</summary>
    public string Problem { get; }

    /// <summary>A problem with one setting: <c>ForSetting("lane_size", "must be at least 1 (got 0)")</c>.</summary>
    public static UserInputException ForSetting(string setting, string problem) => new(setting, problem);

    /// <summary>Throws <see cref="ForSetting"/> unless <paramref name="ok"/>.</summary>
    public static void Require(bool ok, string setting, string problem)
    {
        if (!ok) throw ForSetting(setting, problem);
    }
}

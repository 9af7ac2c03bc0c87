namespace MemristorGrid.Engine;

/// <summary>
/// A problem with what the user gave us (a file, a model, an option). The CLI prints its message
/// alone — no stack trace — and exits non-zero, so the message must say what was wrong and where.
/// </summary>
public sealed class UserInputException(string message, Exception? inner = null) : Exception(message, inner);

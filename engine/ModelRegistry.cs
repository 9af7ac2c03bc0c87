using System.Reflection;

namespace MemristorGrid.Engine;

/// <summary>
/// The models of one kind this build has: every class of the engine implementing <typeparamref name="TModel"/> with a
/// public static <c>Name</c> (the name profiles give it) and a public constructor taking <typeparamref name="TParameters"/>.
/// A new model is a new class; nothing else names it.
/// </summary>
public sealed class ModelRegistry<TModel, TParameters> where TModel : class
{

    private readonly Dictionary<string, ConstructorInfo> _models;
    private readonly string _setting;

    /// <param name="setting">The profile key that names the model (for errors).</param>
    public ModelRegistry(string setting)
    {
        _setting = setting;
        _models = EngineClasses.All.Value.Where(typeof(TModel).IsAssignableFrom)
            .ToDictionary(t => (string)(t.GetProperty("Name", BindingFlags.Public | BindingFlags.Static)?.GetValue(null)
                    ?? throw new InvalidOperationException($"{t.Name} needs a public static Name")),
                t => t.GetConstructor([typeof(TParameters)]) ?? throw new InvalidOperationException($"{t.Name} needs a constructor taking {typeof(TParameters).Name}"),
                StringComparer.Ordinal);
    }

    public IReadOnlyList<string> Names => _models.Keys.Order(StringComparer.Ordinal).ToList();

    public bool Exists(string name) => _models.ContainsKey(name);

    /// <summary>A problem line when <paramref name="name"/> is no model, else null; <paramref name="setting"/> names the key when
    /// one kind of model is chosen in several places (the ADC's and the DAC's energy model).</summary>
    public string? Unknown(string name, string? setting = null) => Exists(name) ? null : $"{setting ?? _setting} must be one of {string.Join(", ", Names)} (got '{name}')";

    public TModel Create(string name, TParameters parameters) => _models.TryGetValue(name, out var create)
        ? (TModel)create.Invoke([parameters])
        : throw UserInputException.ForSetting(_setting, $"'{name}' is not a model; known: {string.Join(", ", Names)}");
}

/// <summary>The engine's concrete classes, listed once for every registry (listing an assembly's types is what a registry costs at start-up).</summary>
internal static class EngineClasses
{
    public static readonly Lazy<Type[]> All = new(() => typeof(EngineClasses).Assembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false }).ToArray());
}

using System.Globalization;
using System.Text.Json.Nodes;

namespace MemristorGrid.Engine.Profiles;

/// <summary>
/// One profile key set to a new value, by its dotted JSON path (<c>device.programming_noise.sigma=0.05</c>,
/// <c>mapping.max_rows=32</c>, <c>device.levels=null</c>). The value goes through the same parser and
/// checks as a profile file, so an override can never produce a profile a file could not.
/// </summary>
public static class ProfileOverrides
{
    /// <summary>Keys a profile's JSON omits while unset, so profiles that do not use them keep their bytes and hashes
    /// (the converters' energy models): every property marked <c>[JsonIgnore(WhenWritingNull)]</c>, found in the types.</summary>
    private static readonly string[] OmittedWhenUnset = Omitted(typeof(HardwareProfile), "").ToArray();

    private static IEnumerable<string> Omitted(Type type, string prefix)
    {
        foreach (var property in type.GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance))
        {
            string key = prefix + System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(property.Name);
            var ignore = (System.Text.Json.Serialization.JsonIgnoreAttribute?)Attribute.GetCustomAttribute(property, typeof(System.Text.Json.Serialization.JsonIgnoreAttribute));
            if (ignore?.Condition == System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull) yield return key;
            else if (ignore is null && property.PropertyType.IsClass && property.PropertyType.Namespace == typeof(HardwareProfile).Namespace)
                foreach (var inner in Omitted(property.PropertyType, key + ".")) yield return inner;
        }
    }

    public static HardwareProfile With(this HardwareProfile profile, string key, string value)
    {
        var root = JsonNode.Parse(profile.ToJson())!.AsObject();
        foreach (var optional in OmittedWhenUnset)
        {
            int dot = optional.LastIndexOf('.');
            JsonObject? at = root;
            foreach (var part in optional[..Math.Max(dot, 0)].Split('.', StringSplitOptions.RemoveEmptyEntries)) at = at?[part] as JsonObject;
            if (at is not null && !at.ContainsKey(optional[(dot + 1)..])) at[optional[(dot + 1)..]] = null;
        }
        string[] path = key.Split('.');
        JsonObject parent = root;
        for (int i = 0; i < path.Length - 1; i++)
            parent = parent[path[i]] is JsonObject child && parent.ContainsKey(path[i]) ? child
                : throw Unknown(key, string.Join('.', path[..i]), parent);
        string leaf = path[^1];
        if (!parent.ContainsKey(leaf) || parent[leaf] is JsonObject) throw Unknown(key, string.Join('.', path[..^1]), parent);
        parent[leaf] = Value(parent[leaf], value);
        return HardwareProfile.Parse(root.ToJsonString(), $"{profile.Name} with {key}={value}");
    }

    /// <summary>Applies settings of the form <c>KEY=VALUE</c> (a dotted profile key, as <see cref="With"/>) in order; the
    /// profile keeps its name, so reports name the base profile and record the settings beside it.</summary>
    public static HardwareProfile Apply(this HardwareProfile profile, IEnumerable<string> settings)
    {
        foreach (string setting in settings)
        {
            int eq = setting.IndexOf('=');
            if (eq <= 0 || setting.IndexOf(',', eq) >= 0)
                throw UserInputException.ForSetting("set", $"'{setting}' is not KEY=VALUE (one value; e.g. device.write_verify.rounds=10)");
            string name = profile.Name;
            profile = profile.With(setting[..eq].Trim(), setting[(eq + 1)..].Trim()) with { Name = name };
        }
        return profile;
    }

    /// <summary>Whether the key names an integer setting (levels, bits, rounds), found in the profile's types; false for an unknown key.</summary>
    public static bool HoldsInteger(string key)
    {
        var type = typeof(HardwareProfile);
        System.Reflection.PropertyInfo? property = null;
        foreach (string part in key.Split('.'))
        {
            property = type?.GetProperties().FirstOrDefault(p => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name) == part);
            if (property is null) return false;
            type = property.PropertyType;
        }
        var t = Nullable.GetUnderlyingType(property!.PropertyType) ?? property.PropertyType;
        return t == typeof(int) || t == typeof(long);
    }

    /// <summary>Every settable key of a profile (leaf paths), for help and error messages.</summary>
    public static IEnumerable<string> Keys(HardwareProfile profile) => Leaves(JsonNode.Parse(profile.ToJson())!.AsObject(), "").Union(OmittedWhenUnset);

    private static IEnumerable<string> Leaves(JsonObject node, string prefix)
    {
        foreach (var (name, child) in node)
        {
            string path = prefix.Length == 0 ? name : $"{prefix}.{name}";
            if (child is JsonObject inner) foreach (var leaf in Leaves(inner, path)) yield return leaf;
            else yield return path;
        }
    }

    /// <summary>The text as the JSON type the key holds: a number, true/false, null, or a string (enum names).</summary>
    private static JsonNode? Value(JsonNode? current, string text)
    {
        if (text == "null") return null;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double number))
            return current is JsonValue v && v.TryGetValue(out string? _) ? JsonValue.Create(text) : JsonValue.Create(number);
        if (bool.TryParse(text, out bool flag)) return JsonValue.Create(flag);
        return JsonValue.Create(text);
    }

    private static UserInputException Unknown(string key, string at, JsonObject node) =>
        new($"unknown profile key '{key}' ({(at.Length == 0 ? "top-level keys" : $"keys under {at}")}: {string.Join(", ", node.Select(p => p.Key))})");
}

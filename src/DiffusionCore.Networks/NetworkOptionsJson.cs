using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using DiffusionCore.Models;
using DiffusionCore.Networks.Control;
using DiffusionCore.Networks.DiT;
using DiffusionCore.Networks.Edm;
using DiffusionCore.Networks.Edm2;
using DiffusionCore.Networks.UViT;

namespace DiffusionCore.Networks;

/// <summary>The shared (de)serialisation steps of the network options' source-generated JSON (no reflection).</summary>
internal static class NetworkOptionsJson
{
    /// <summary>The options as a JSON element.</summary>
    public static JsonElement Serialize<T>(T options, JsonTypeInfo<T> info) => JsonSerializer.SerializeToElement(options, info);

    /// <summary>
    /// Options from a model description's JSON, validated. Members the file lacks (options added after it was written)
    /// take their defaults from <c>new T()</c>: the source-generated reader would set them to zero.
    /// </summary>
    /// <exception cref="ModelFileException">The JSON does not fit the options type or the options are invalid.</exception>
    public static T Deserialize<T>(JsonElement json, JsonTypeInfo<T> info, Action<T> validate)
        where T : class, new()
    {
        T? options;
        try
        {
            JsonNode? complete = WithDefaults(JsonNode.Parse(json.GetRawText()), JsonSerializer.SerializeToNode(new T(), info));
            options = complete.Deserialize(info);
        }
        catch (JsonException e)
        {
            throw new ModelFileException($"The model description's {typeof(T).Name} are malformed: {e.Message}", e);
        }

        if (options is null) throw new ModelFileException($"The model description has no {typeof(T).Name}.");
        try
        {
            validate(options);
        }
        catch (ArgumentException e)
        {
            throw new ModelFileException($"The model description's {typeof(T).Name} are invalid: {e.Message}", e);
        }

        return options;
    }

    /// <summary>
    /// <paramref name="file"/> with every member it lacks copied from <paramref name="defaults"/>, recursively into nested
    /// options; a polymorphic object (one with a <c>kind</c>, such as a control gate) is kept whole, as is null.
    /// </summary>
    private static JsonNode? WithDefaults(JsonNode? file, JsonNode? defaults)
    {
        if (file is not JsonObject target || defaults is not JsonObject source || target.ContainsKey("kind")) return file;
        foreach ((string name, JsonNode? value) in source.ToList())
        {
            if (!target.TryGetPropertyValue(name, out JsonNode? present)) target[name] = value?.DeepClone();
            else WithDefaults(present, value);
        }

        return target;
    }
}

/// <summary>
/// Source-generated JSON of the built-in network options (no reflection): snake_case, enums as names, unknown members
/// refused; control gates carry their kind (<c>DiffusionCore.Control.ControlGateJsonConverter</c>).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UseStringEnumConverter = true,
    IgnoreReadOnlyProperties = true,
    Converters = [typeof(ResampleFilterJsonConverter), typeof(SigmaFromNoiseLabelJsonConverter)],
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(Edm2UNetOptions))]
[JsonSerializable(typeof(SongUNetOptions))]
[JsonSerializable(typeof(DhariwalUNetOptions))]
[JsonSerializable(typeof(DiTOptions))]
[JsonSerializable(typeof(UViTOptions))]
internal sealed partial class NetworkOptionsJsonContext : JsonSerializerContext;

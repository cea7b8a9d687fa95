using System.Text.Json;
using System.Text.Json.Serialization;

namespace DiffusionCore.Networks.Edm;

public sealed partial record SongUNetOptions
{
    /// <summary>The network family name of these options in model files (<c>song-unet</c>).</summary>
    public const string Family = "song-unet";

    /// <summary>The options as JSON (snake_case, enums as names), as stored in a model file's description.</summary>
    public JsonElement ToJson() => NetworkOptionsJson.Serialize(this, SongUNetOptionsJsonContext.Default.SongUNetOptions);

    /// <summary>Reads options written by <see cref="ToJson"/> and validates them.</summary>
    /// <exception cref="DiffusionCore.Models.ModelFileException">The JSON does not describe valid options.</exception>
    public static SongUNetOptions FromJson(JsonElement json) => NetworkOptionsJson.Deserialize(json, SongUNetOptionsJsonContext.Default.SongUNetOptions, static o => o.Validate());
}

/// <summary>Source-generated JSON of <see cref="SongUNetOptions"/> (no reflection).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UseStringEnumConverter = true,
    IgnoreReadOnlyProperties = true,
    Converters = [typeof(ResampleFilterJsonConverter)],
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(SongUNetOptions))]
internal sealed partial class SongUNetOptionsJsonContext : JsonSerializerContext;

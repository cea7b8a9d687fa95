using System.Text.Json;

namespace DiffusionCore.Networks.Edm;

public sealed partial record SongUNetOptions
{
    /// <summary>The network family name of these options in model files (<c>song-unet</c>).</summary>
    public const string Family = "song-unet";

    /// <summary>The options as JSON (snake_case, enums as names), as stored in a model file's description.</summary>
    public JsonElement ToJson() => NetworkOptionsJson.Serialize(this, NetworkOptionsJsonContext.Default.SongUNetOptions);

    /// <summary>Reads options written by <see cref="ToJson"/> and validates them.</summary>
    /// <exception cref="DiffusionCore.Models.ModelFileException">The JSON does not describe valid options.</exception>
    public static SongUNetOptions FromJson(JsonElement json) => NetworkOptionsJson.Deserialize(json, NetworkOptionsJsonContext.Default.SongUNetOptions, static o => o.Validate());
}

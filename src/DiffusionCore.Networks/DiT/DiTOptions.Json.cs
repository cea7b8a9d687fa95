using System.Text.Json;

namespace DiffusionCore.Networks.DiT;

public sealed partial record DiTOptions
{
    /// <summary>The network family name of these options in model files (<c>dit</c>).</summary>
    public const string Family = "dit";

    /// <summary>The options as JSON (snake_case, enums as names), as stored in a model file's description.</summary>
    public JsonElement ToJson() => NetworkOptionsJson.Serialize(this, NetworkOptionsJsonContext.Default.DiTOptions);

    /// <summary>Reads options written by <see cref="ToJson"/> and validates them.</summary>
    /// <exception cref="DiffusionCore.Models.ModelFileException">The JSON does not describe valid options.</exception>
    public static DiTOptions FromJson(JsonElement json) => NetworkOptionsJson.Deserialize(json, NetworkOptionsJsonContext.Default.DiTOptions, static o => o.Validate());
}

using System.Text.Json;

namespace DiffusionCore.Networks.UViT;

public sealed partial record UViTOptions
{
    /// <summary>The network family name of these options in model files (<c>uvit</c>).</summary>
    public const string Family = "uvit";

    /// <summary>The options as JSON (snake_case), as stored in a model file's description.</summary>
    public JsonElement ToJson() => NetworkOptionsJson.Serialize(this, NetworkOptionsJsonContext.Default.UViTOptions);

    /// <summary>Reads options written by <see cref="ToJson"/> and validates them.</summary>
    /// <exception cref="DiffusionCore.Models.ModelFileException">The JSON does not describe valid options.</exception>
    public static UViTOptions FromJson(JsonElement json) => NetworkOptionsJson.Deserialize(json, NetworkOptionsJsonContext.Default.UViTOptions, static o => o.Validate());
}

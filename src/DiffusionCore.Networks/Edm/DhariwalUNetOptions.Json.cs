using System.Text.Json;

namespace DiffusionCore.Networks.Edm;

public sealed partial record DhariwalUNetOptions
{
    /// <summary>The network family name of these options in model files (<c>dhariwal-unet</c>).</summary>
    public const string Family = "dhariwal-unet";

    /// <summary>The options as JSON (snake_case, enums as names), as stored in a model file's description.</summary>
    public JsonElement ToJson() => NetworkOptionsJson.Serialize(this, NetworkOptionsJsonContext.Default.DhariwalUNetOptions);

    /// <summary>Reads options written by <see cref="ToJson"/> and validates them.</summary>
    /// <exception cref="DiffusionCore.Models.ModelFileException">The JSON does not describe valid options.</exception>
    public static DhariwalUNetOptions FromJson(JsonElement json) => NetworkOptionsJson.Deserialize(json, NetworkOptionsJsonContext.Default.DhariwalUNetOptions, static o => o.Validate());
}

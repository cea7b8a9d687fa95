using System.Text.Json;

namespace DiffusionCore.Networks.Edm2;

public sealed partial record Edm2UNetOptions
{
    /// <summary>The network family name of these options in model files (<c>edm2</c>).</summary>
    public const string Family = "edm2";

    /// <summary>The options as JSON (snake_case, enums as names), as stored in a model file's description.</summary>
    public JsonElement ToJson() => NetworkOptionsJson.Serialize(this, NetworkOptionsJsonContext.Default.Edm2UNetOptions);

    /// <summary>Reads options written by <see cref="ToJson"/> and validates them.</summary>
    /// <exception cref="DiffusionCore.Models.ModelFileException">The JSON does not describe valid options.</exception>
    public static Edm2UNetOptions FromJson(JsonElement json) => NetworkOptionsJson.Deserialize(json, NetworkOptionsJsonContext.Default.Edm2UNetOptions, static o => o.Validate());
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace DiffusionCore.Networks.Edm;

public sealed partial record DhariwalUNetOptions
{
    /// <summary>The network family name of these options in model files (<c>dhariwal-unet</c>).</summary>
    public const string Family = "dhariwal-unet";

    /// <summary>The options as JSON (snake_case, enums as names), as stored in a model file's description.</summary>
    public JsonElement ToJson() => NetworkOptionsJson.Serialize(this, DhariwalUNetOptionsJsonContext.Default.DhariwalUNetOptions);

    /// <summary>Reads options written by <see cref="ToJson"/> and validates them.</summary>
    /// <exception cref="DiffusionCore.Models.ModelFileException">The JSON does not describe valid options.</exception>
    public static DhariwalUNetOptions FromJson(JsonElement json) => NetworkOptionsJson.Deserialize(json, DhariwalUNetOptionsJsonContext.Default.DhariwalUNetOptions, static o => o.Validate());
}

/// <summary>Source-generated JSON of <see cref="DhariwalUNetOptions"/> (no reflection).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UseStringEnumConverter = true,
    IgnoreReadOnlyProperties = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(DhariwalUNetOptions))]
internal sealed partial class DhariwalUNetOptionsJsonContext : JsonSerializerContext;

using System.Text.Json;
using System.Text.Json.Serialization;
using DiffusionCore.Labels;

namespace DiffusionCore.Models;

/// <summary>
/// What a self-describing model file says about its tensors (stored as JSON under <see cref="MetadataKey"/> in the
/// safetensors <c>__metadata__</c>): the network family and its options, the module layout, the preconditioning /
/// parameterisation (Karras et al. 2022, Table 1), the class-label input and its unconditional representation (Ho &amp;
/// Salimans 2022, §3.2) and, for EMA exports, the EMA length σ_rel (Karras et al. 2024, §3). Versioned by
/// <see cref="Schema"/>; a reader refuses other versions with a <see cref="ModelFileException"/>.
/// </summary>
public sealed record ModelDescription
{
    /// <summary>The metadata key of the description in a safetensors file.</summary>
    public const string MetadataKey = "diffusioncore.model";

    /// <summary>The schema version this library writes and reads.</summary>
    public const int CurrentSchema = 1;

    /// <summary>The schema version of the description.</summary>
    public int Schema { get; init; } = CurrentSchema;

    /// <summary>The network family, a name registered with the network registry (<c>edm2</c>, <c>song-unet</c>, <c>dhariwal-unet</c>, <c>dit</c>, or a user's).</summary>
    public required string Family { get; init; }

    /// <summary>The family's options, in the family's own JSON serialisation.</summary>
    public required JsonElement Options { get; init; }

    /// <summary>The shape of one sample, <c>[C, H, W]</c> (what a generator draws noise of).</summary>
    public IReadOnlyList<int>? SampleShape { get; init; }

    /// <summary>How the tensors are arranged around the network.</summary>
    public ModelLayout Layout { get; init; }

    /// <summary>The preconditioning; required for <see cref="ModelLayout.Network"/> and <see cref="ModelLayout.PreconditionedNetwork"/>.</summary>
    public PreconditioningDescription? Preconditioning { get; init; }

    /// <summary>The class-label input, or null for a network without class labels.</summary>
    public ClassLabelSpec? ClassLabels { get; init; }

    /// <summary>The EMA length σ_rel of an EMA export (Karras et al. 2024, Eq. 3), or null for raw weights.</summary>
    public double? EmaSigmaRel { get; init; }

    /// <summary>The description as JSON (snake_case property names).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, ModelDescriptionJsonContext.Default.ModelDescription);

    /// <summary>Parses a description and checks its schema version.</summary>
    /// <param name="json">The JSON.</param>
    /// <param name="source">The file it came from (for messages).</param>
    /// <exception cref="ModelFileException">The JSON is malformed, of another schema version, or lacks the family.</exception>
    public static ModelDescription Parse(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        int schema;
        try
        {
            using JsonDocument doc = JsonDocument.Parse(json);
            schema = doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("schema", out JsonElement s) && s.TryGetInt32(out int v) ? v : 0;
        }
        catch (JsonException e)
        {
            throw new ModelFileException($"{source}: the model description ('{MetadataKey}') is not valid JSON: {e.Message}", e);
        }

        if (schema != CurrentSchema)
        {
            throw new ModelFileException(
                $"{source}: the model description has schema version {schema}, but this library reads version {CurrentSchema}. " +
                (schema > CurrentSchema ? "Update DiffusionCore to read it." : "Rewrite the file with ModelFile.Save."));
        }

        ModelDescription? description;
        try
        {
            description = JsonSerializer.Deserialize(json, ModelDescriptionJsonContext.Default.ModelDescription);
        }
        catch (JsonException e)
        {
            throw new ModelFileException($"{source}: the model description ('{MetadataKey}') is malformed: {e.Message}", e);
        }

        if (description is null || string.IsNullOrWhiteSpace(description.Family))
        {
            throw new ModelFileException($"{source}: the model description names no network family.");
        }

        try
        {
            description.ClassLabels?.Validate();
        }
        catch (ArgumentException e)
        {
            throw new ModelFileException($"{source}: the model description's class labels are invalid: {e.Message}", e);
        }

        return description;
    }

    /// <summary>The description in a file's metadata, or null when it has none (a file written before model descriptions).</summary>
    /// <exception cref="ModelFileException">The description is present but unreadable.</exception>
    public static ModelDescription? TryRead(IReadOnlyDictionary<string, string> metadata, string source)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        return metadata.TryGetValue(MetadataKey, out string? json) ? Parse(json, source) : null;
    }
}

/// <summary>Source-generated JSON of <see cref="ModelDescription"/> (no reflection).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    IgnoreReadOnlyProperties = true)]
[JsonSerializable(typeof(ModelDescription))]
internal sealed partial class ModelDescriptionJsonContext : JsonSerializerContext;

using System.Text.Json;
using System.Text.Json.Serialization;
using DiffusionCore.Torch;

namespace DiffusionCore.Networks.Control;

/// <summary>
/// The JSON of <see cref="ControlConditioningOptions.SigmaFromNoiseLabel"/>: only null (the network family's own
/// conversion) can be stored. A custom conversion is code, so a model file could not rebuild it: writing one fails
/// with a message instead of silently storing nothing.
/// </summary>
internal sealed class SigmaFromNoiseLabelJsonConverter : JsonConverter<Func<Tensor, Tensor>>
{
    /// <inheritdoc />
    public override Func<Tensor, Tensor> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new JsonException("ControlConditioningOptions.SigmaFromNoiseLabel can only be stored as null (the network family's conversion from noise labels to σ).");

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, Func<Tensor, Tensor> value, JsonSerializerOptions options) =>
        throw new InvalidOperationException(
            "ControlConditioningOptions.SigmaFromNoiseLabel is a custom function, which a model file cannot store, so the file could not rebuild the network. " +
            "Leave it null (the family's conversion, ControlNoiseLabels) to write self-describing files, or save the weights with SaveStateDict and rebuild the network in code.");
}

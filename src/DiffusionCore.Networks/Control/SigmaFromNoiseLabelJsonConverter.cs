using System.Text.Json;
using System.Text.Json.Serialization;
using DiffusionCore.Torch;

namespace DiffusionCore.Networks.Control;

/// <summary>
/// The JSON of <see cref="ControlConditioningOptions.SigmaFromNoiseLabel"/>: null (the network family's own
/// conversion) or the name of one of <see cref="ControlNoiseLabels"/>' preconditioning inverses (<c>"edm"</c>,
/// <c>"vp"</c>, <c>"ve"</c>). Any other conversion is code, so a model file could not rebuild it: writing one fails
/// with a message instead of silently storing nothing.
/// </summary>
internal sealed class SigmaFromNoiseLabelJsonConverter : JsonConverter<Func<Tensor, Tensor>>
{
    /// <inheritdoc />
    public override Func<Tensor, Tensor> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        string? name = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        foreach ((string known, Func<Tensor, Tensor> conversion) in ControlNoiseLabels.Named)
        {
            if (name == known) return conversion;
        }

        throw new JsonException(
            $"ControlConditioningOptions.SigmaFromNoiseLabel must be null (the network family's conversion) or one of {Names()}; got {(name is null ? reader.TokenType.ToString() : $"'{name}'")}.");
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, Func<Tensor, Tensor> value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        foreach ((string name, Func<Tensor, Tensor> conversion) in ControlNoiseLabels.Named)
        {
            if (ReferenceEquals(value, conversion))
            {
                writer.WriteStringValue(name);
                return;
            }
        }

        throw new InvalidOperationException(
            "ControlConditioningOptions.SigmaFromNoiseLabel is a custom function, which a model file cannot store, so the file could not rebuild the network. " +
            $"Leave it null (the family's conversion) or use one of ControlNoiseLabels' named conversions ({Names()}) to write self-describing files, " +
            "or save the weights with SaveStateDict and rebuild the network in code.");
    }

    private static string Names() => string.Join(", ", ControlNoiseLabels.Named.Select(n => $"'{n.Name}'"));
}

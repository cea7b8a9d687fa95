using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace DiffusionCore.Control;

/// <summary>
/// The JSON of an <see cref="IControlGate"/> (applied to every property of that type): <c>{"kind": …}</c> followed by
/// the gate's parameters, e.g. <c>{"kind":"cosine","sigma_low":0.1,"sigma_high":10}</c> or
/// <c>{"kind":"constant","value":1}</c>; the kinds come from a <see cref="ControlGateRegistry"/>. An empty object
/// <c>{}</c> — what files written before gates carried their kind hold — reads as the default gate,
/// <see cref="CosineControlGate"/> with its defaults.
/// </summary>
public sealed class ControlGateJsonConverter : JsonConverter<IControlGate>
{
    /// <summary>The discriminator member.</summary>
    public const string KindProperty = "kind";

    private readonly ControlGateRegistry _registry;

    /// <summary>A converter over <see cref="ControlGateRegistry.Default"/>.</summary>
    public ControlGateJsonConverter()
        : this(ControlGateRegistry.Default)
    {
    }

    /// <summary>A converter over <paramref name="registry"/>.</summary>
    public ControlGateJsonConverter(ControlGateRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _registry = registry;
    }

    /// <inheritdoc />
    /// <exception cref="JsonException">The JSON is not an object, has no string <c>kind</c>, names an unregistered kind, or holds invalid parameters.</exception>
    public override IControlGate Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (JsonNode.Parse(ref reader) is not JsonObject body)
        {
            throw new JsonException($"A control gate must be a JSON object {{\"{KindProperty}\": …}}.");
        }

        if (body.Count == 0) return new CosineControlGate();
        if (!body.TryGetPropertyValue(KindProperty, out JsonNode? kindNode) || kindNode is not JsonValue value || !value.TryGetValue(out string? kind))
        {
            throw new JsonException(
                $"A control gate needs a string '{KindProperty}' (registered: {string.Join(", ", _registry.Kinds)}); got {body.ToJsonString()}.");
        }

        body.Remove(KindProperty);
        return _registry.Read(kind, body);
    }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The gate's type is not registered (the message says how to register it).</exception>
    public override void Write(Utf8JsonWriter writer, IControlGate value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        (string kind, JsonObject body) = _registry.Write(value);
        writer.WriteStartObject();
        writer.WriteString(KindProperty, kind);
        foreach ((string name, JsonNode? member) in body)
        {
            writer.WritePropertyName(name);
            if (member is null) writer.WriteNullValue();
            else member.WriteTo(writer);
        }

        writer.WriteEndObject();
    }
}

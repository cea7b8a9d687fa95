using System.Text.Json.Serialization;

namespace DiffusionCore.Control;

/// <summary>Source-generated JSON of the built-in control gates (no reflection): snake_case, unknown members refused.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(CosineControlGate))]
[JsonSerializable(typeof(ConstantControlGate))]
internal sealed partial class ControlGateJsonContext : JsonSerializerContext;

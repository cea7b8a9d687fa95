using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace DiffusionCore.Control;

/// <summary>
/// The control gates (<see cref="IControlGate"/>, Berrada et al. 2024; docs/recipes.md §6) that network options and
/// model files can store: an explicit table from a <c>kind</c> name to the gate type and its JSON contract (no
/// reflection over types). <see cref="Default"/> holds the built-in gates — <c>cosine</c>
/// (<see cref="CosineControlGate"/>: <c>sigma_low</c>, <c>sigma_high</c>) and <c>constant</c>
/// (<see cref="ConstantControlGate"/>: <c>value</c>) — and takes a user's own with <see cref="Register{TGate}"/>.
/// Thread-safe.
/// </summary>
/// <example>
/// <code>
/// [JsonSerializable(typeof(LinearGate))] partial class MyGateJson : JsonSerializerContext;
/// ControlGateRegistry.Default.Register("my-linear", MyGateJson.Default.LinearGate);   // before saving or loading
/// </code>
/// </example>
public sealed class ControlGateRegistry
{
    /// <summary>The kind of <see cref="CosineControlGate"/>.</summary>
    public const string CosineKind = "cosine";

    /// <summary>The kind of <see cref="ConstantControlGate"/>.</summary>
    public const string ConstantKind = "constant";

    private readonly Dictionary<string, Entry> _byKind = new(StringComparer.Ordinal);
    private readonly Dictionary<Type, Entry> _byType = [];
    private readonly Lock _lock = new();

    /// <summary>The process-wide registry with the built-in gates, used by <see cref="ControlGateJsonConverter"/> by default.</summary>
    public static ControlGateRegistry Default { get; } = CreateWithBuiltIns();

    /// <summary>The registered kinds, in ordinal order.</summary>
    public IReadOnlyList<string> Kinds
    {
        get
        {
            lock (_lock) return [.. _byKind.Keys.Order(StringComparer.Ordinal)];
        }
    }

    /// <summary>A new registry with the built-in gates only.</summary>
    public static ControlGateRegistry CreateWithBuiltIns()
    {
        var registry = new ControlGateRegistry();
        registry.Register(CosineKind, ControlGateJsonContext.Default.CosineControlGate);
        registry.Register(ConstantKind, ControlGateJsonContext.Default.ConstantControlGate);
        return registry;
    }

    /// <summary>
    /// Registers a gate type under <paramref name="kind"/>: it is written as <c>{"kind": kind, …}</c> followed by the
    /// members of its JSON object, and read back through the same contract (a source-generated
    /// <see cref="JsonTypeInfo{T}"/>, or one from your own <see cref="JsonSerializerOptions"/>). Registering the same
    /// type under the same kind again replaces its contract.
    /// </summary>
    /// <typeparam name="TGate">The gate type (matched exactly; JSON of an object with no member named <c>kind</c>).</typeparam>
    /// <param name="kind">The name written in the JSON (non-empty; compared ordinally).</param>
    /// <param name="typeInfo">The JSON contract of the gate.</param>
    /// <exception cref="ArgumentException">The kind is taken by another type, the type is registered under another kind, or the contract is not a JSON object.</exception>
    public void Register<TGate>(string kind, JsonTypeInfo<TGate> typeInfo)
        where TGate : class, IControlGate
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        ArgumentNullException.ThrowIfNull(typeInfo);
        if (typeInfo.Kind != JsonTypeInfoKind.Object)
        {
            throw new ArgumentException($"The JSON contract of the control gate {typeof(TGate).Name} must describe a JSON object (it is {typeInfo.Kind}).", nameof(typeInfo));
        }

        var entry = new Entry(
            kind,
            typeof(TGate),
            gate => JsonSerializer.SerializeToNode((TGate)gate, typeInfo),
            body => body.Deserialize(typeInfo));
        lock (_lock)
        {
            if (_byKind.TryGetValue(kind, out Entry? taken) && taken.Type != typeof(TGate))
            {
                throw new ArgumentException($"The control gate kind '{kind}' is already registered for {taken.Type.FullName}; choose another kind for {typeof(TGate).FullName}.", nameof(kind));
            }

            if (_byType.TryGetValue(typeof(TGate), out Entry? existing) && !string.Equals(existing.Kind, kind, StringComparison.Ordinal))
            {
                throw new ArgumentException($"The control gate {typeof(TGate).FullName} is already registered as '{existing.Kind}'.", nameof(kind));
            }

            _byKind[kind] = entry;
            _byType[typeof(TGate)] = entry;
        }
    }

    /// <summary>The kind of <paramref name="gate"/> and the members of its JSON object (without <c>kind</c>).</summary>
    /// <exception cref="InvalidOperationException">The gate's type is not registered, or its JSON is not an object free of a <c>kind</c> member.</exception>
    internal (string Kind, JsonObject Body) Write(IControlGate gate)
    {
        Type type = gate.GetType();
        Entry? entry;
        lock (_lock) _byType.TryGetValue(type, out entry);
        if (entry is null)
        {
            throw new InvalidOperationException(
                $"The control gate {type.FullName} is not registered, so a model file could not rebuild it (registered kinds: {string.Join(", ", Kinds)}). " +
                $"Register it before saving and loading: ControlGateRegistry.Default.Register(\"<kind>\", <a JsonTypeInfo<{type.Name}>>), e.g. from a " +
                "[JsonSerializable] context; or use one of the built-in gates.");
        }

        if (entry.Write(gate) is not JsonObject body || body.ContainsKey(ControlGateJsonConverter.KindProperty))
        {
            throw new InvalidOperationException(
                $"The JSON contract registered for the control gate {type.FullName} ('{entry.Kind}') must write an object without a '{ControlGateJsonConverter.KindProperty}' member.");
        }

        return (entry.Kind, body);
    }

    /// <summary>The gate of <paramref name="kind"/> read from the members of its JSON object (without <c>kind</c>).</summary>
    /// <exception cref="JsonException">The kind is not registered, or the members do not make a valid gate of that kind.</exception>
    internal IControlGate Read(string kind, JsonObject body)
    {
        Entry? entry;
        lock (_lock) _byKind.TryGetValue(kind, out entry);
        if (entry is null)
        {
            throw new JsonException(
                $"Unknown control gate kind '{kind}' (registered: {string.Join(", ", Kinds)}). Register the gate type with " +
                "ControlGateRegistry.Default.Register before loading.");
        }

        try
        {
            return entry.Read(body) ?? throw new JsonException($"The '{kind}' control gate is null.");
        }
        catch (ArgumentException e)
        {
            throw new JsonException($"The '{kind}' control gate's parameters are invalid: {e.Message}", e);
        }
    }

    private sealed record Entry(string Kind, Type Type, Func<IControlGate, JsonNode?> Write, Func<JsonObject, IControlGate?> Read);
}

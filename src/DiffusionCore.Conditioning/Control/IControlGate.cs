using System.Text.Json.Serialization;
using DiffusionCore.Torch;

namespace DiffusionCore.Control;

/// <summary>
/// The noise-level-dependent weight g(σ) ∈ [0, 1] that multiplies the control-metadata embedding before it joins a
/// network's embedding (Berrada et al. 2024, "On improved conditioning mechanisms and pre-training strategies for
/// diffusion models"; docs/recipes.md §6 and docs/control-conditioning.md). g(σ) = 0 makes the network ignore the
/// controls exactly; a gate that rises toward low noise lets the controls act late in denoising, after the semantics
/// are settled.
/// </summary>
/// <remarks>
/// A gate is part of a network's options, so model files store it as JSON with a <c>kind</c>
/// (<see cref="ControlGateJsonConverter"/>): the built-in gates are registered; register your own gate type with
/// <see cref="ControlGateRegistry.Register{TGate}"/> before saving or loading a model that uses it.
/// </remarks>
[JsonConverter(typeof(ControlGateJsonConverter))]
public interface IControlGate
{
    /// <summary>The gate g(σ) per sample: <c>[B]</c> in the dtype and on the device of <paramref name="sigma"/>.</summary>
    /// <param name="sigma">The noise levels σ ≥ 0, <c>[B]</c>.</param>
    Tensor Evaluate(Tensor sigma);
}

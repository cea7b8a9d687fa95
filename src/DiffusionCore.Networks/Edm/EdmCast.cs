using DiffusionCore.Torch;

namespace DiffusionCore.Networks.Edm;

/// <summary>dtype helpers shared by the EDM layers (the reference casts parameters to the activation dtype).</summary>
internal static class EdmCast
{
    /// <summary>A handle to <paramref name="parameter"/> in the dtype of <paramref name="activation"/> (an alias when equal; differentiable).</summary>
    public static Tensor Like(Tensor parameter, Tensor activation)
    {
        DType want = activation.DType;
        return parameter.DType == want ? parameter.Alias() : parameter.To(want);
    }
}

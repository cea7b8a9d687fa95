namespace DiffusionCore.Torch.Nn;

/// <summary>SiLU x·σ(x) as a module (Elfwing et al. 2018; torch.nn.SiLU), for use in <see cref="Sequential"/>.</summary>
public sealed class Silu : Module, ITensorModule
{
    /// <summary>Applies SiLU element-wise.</summary>
    public Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Silu();
    }
}

/// <summary>GELU as a module, exact or tanh-approximated (Hendrycks &amp; Gimpel 2016; torch.nn.GELU).</summary>
public sealed class Gelu : Module, ITensorModule
{
    /// <summary>Creates the activation; <paramref name="tanhApproximation"/> mirrors <c>approximate="tanh"</c>.</summary>
    public Gelu(bool tanhApproximation = false) => TanhApproximation = tanhApproximation;

    /// <summary>Whether the tanh approximation is used.</summary>
    public bool TanhApproximation { get; }

    /// <summary>Applies GELU element-wise.</summary>
    public Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Gelu(TanhApproximation);
    }

    /// <inheritdoc />
    protected override string ExtraRepresentation() => TanhApproximation ? "approximate='tanh'" : string.Empty;
}

/// <summary>ReLU max(x, 0) as a module (torch.nn.ReLU).</summary>
public sealed class Relu : Module, ITensorModule
{
    /// <summary>Applies ReLU element-wise.</summary>
    public Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Relu();
    }
}

namespace DiffusionCore.Torch.Optim;

/// <summary>
/// AdamW: Adam with decoupled weight decay (Loshchilov &amp; Hutter 2019, Algorithm 2; torch.optim.AdamW). Before the Adam
/// update each parameter is scaled by 1 − lr·weight_decay instead of adding weight_decay·θ to the gradient. Default
/// weight decay 0.01 (<see cref="AdamWOptions"/>).
/// </summary>
public sealed class AdamW : Adam
{
    /// <summary>Optimizes <paramref name="parameters"/> as one group with <paramref name="options"/> (PyTorch's AdamW defaults when null).</summary>
    public AdamW(IEnumerable<Tensor> parameters, AdamOptions? options = null)
        : base([new ParameterGroup(parameters, options ?? new AdamWOptions())], decoupledWeightDecay: true)
    {
    }

    /// <summary>Optimizes several parameter groups, each with its own options (use <see cref="AdamWOptions"/> for the 0.01 default decay).</summary>
    public AdamW(IEnumerable<ParameterGroup> groups)
        : base(groups, decoupledWeightDecay: true)
    {
    }

    /// <inheritdoc />
    public override string Name => "AdamW";
}

using DiffusionCore.Torch.Interop;

namespace DiffusionCore.Torch.Optim;

/// <summary>
/// Adam (Kingma &amp; Ba 2015, Algorithm 1; torch.optim.Adam) with optional L2 weight decay added to the gradient and
/// AMSGrad (Reddi et al. 2018). Per parameter with gradient g at its own step t:
/// m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², θ ← θ − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε).
/// State per parameter: exp_avg (m), exp_avg_sq (v), max_exp_avg_sq (AMSGrad only), step. One native call per group.
/// </summary>
public class Adam : Optimizer
{
    private static readonly string[] StateNames = ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"];

    /// <summary>Optimizes <paramref name="parameters"/> as one group with <paramref name="options"/> (PyTorch's defaults when null).</summary>
    public Adam(IEnumerable<Tensor> parameters, AdamOptions? options = null)
        : this([new ParameterGroup(parameters, options ?? new AdamOptions())], decoupledWeightDecay: false)
    {
    }

    /// <summary>Optimizes several parameter groups, each with its own <see cref="AdamOptions"/>.</summary>
    public Adam(IEnumerable<ParameterGroup> groups)
        : this(groups, decoupledWeightDecay: false)
    {
    }

    /// <summary>For <see cref="AdamW"/>: the same update with weight decay applied to the parameters instead of the gradient.</summary>
    private protected Adam(IEnumerable<ParameterGroup> groups, bool decoupledWeightDecay)
        : base(groups, StateNames) => DecoupledWeightDecay = decoupledWeightDecay;

    /// <inheritdoc />
    public override string Name => "Adam";

    /// <summary>Whether weight decay is decoupled from the gradient (true for <see cref="AdamW"/>).</summary>
    public bool DecoupledWeightDecay { get; }

    private protected override string OptionsTypeName => nameof(AdamOptions);

    private protected override bool AcceptsOptions(OptimizerOptions options) => options is AdamOptions;

    private protected override unsafe void StepGroup(ParameterGroup group, ParameterGroupState state)
    {
        var o = (AdamOptions)group.Options;
        int rc;
        using (TensorHandleLease ps = state.LeaseParameters(group.Parameters))
        using (TensorHandleLease m = state.LeaseSlot(0))
        using (TensorHandleLease v = state.LeaseSlot(1))
        using (TensorHandleLease vmax = state.LeaseSlot(2))
        fixed (IntPtr* pp = ps.Pointers, pm = m.Pointers, pv = v.Pointers, pmax = vmax.Pointers)
        fixed (long* steps = state.Steps)
        {
            rc = NativeMethods.dc_adam_step_lazy(
                pp, pm, pv, pmax, steps, group.Parameters.Count, o.LearningRate, o.Beta1, o.Beta2, o.Eps, o.WeightDecay,
                DecoupledWeightDecay ? 1 : 0, o.Amsgrad ? 1 : 0, o.Maximize ? 1 : 0);
        }

        state.AdoptCreated(0);
        state.AdoptCreated(1);
        state.AdoptCreated(2);
        NativeStatus.Check(rc);
    }
}

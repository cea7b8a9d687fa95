using DiffusionCore.Torch.Interop;

namespace DiffusionCore.Torch.Optim;

/// <summary>
/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum (Sutskever et al. 2013) and L2
/// weight decay (torch.optim.SGD). Per parameter: g ← g + wd·θ; b ← g on its first update, else b ← μb + (1−τ)g;
/// g ← g + μb (Nesterov) or b; θ ← θ − lr·g. State per parameter: momentum_buffer (when momentum ≠ 0).
/// </summary>
public sealed class Sgd : Optimizer
{
    private static readonly string[] StateNames = ["momentum_buffer"];

    /// <summary>Optimizes <paramref name="parameters"/> as one group with <paramref name="options"/> (plain SGD, lr 1e-3, when null).</summary>
    public Sgd(IEnumerable<Tensor> parameters, SgdOptions? options = null)
        : this([new ParameterGroup(parameters, options ?? new SgdOptions())])
    {
    }

    /// <summary>Optimizes several parameter groups, each with its own <see cref="SgdOptions"/>.</summary>
    public Sgd(IEnumerable<ParameterGroup> groups)
        : base(groups, StateNames)
    {
    }

    /// <inheritdoc />
    public override string Name => "SGD";

    private protected override string OptionsTypeName => nameof(SgdOptions);

    private protected override bool AcceptsOptions(OptimizerOptions options) => options is SgdOptions;

    private protected override unsafe void StepGroup(ParameterGroup group, ParameterGroupState state)
    {
        var o = (SgdOptions)group.Options;
        int rc;
        using (TensorHandleLease ps = state.LeaseParameters(group.Parameters))
        using (TensorHandleLease buffers = state.LeaseSlot(0))
        fixed (IntPtr* pp = ps.Pointers, pb = buffers.Pointers)
        {
            rc = NativeMethods.dc_sgd_step_lazy(
                pp, pb, group.Parameters.Count, o.LearningRate, o.Momentum, o.Dampening, o.WeightDecay, o.Nesterov ? 1 : 0, o.Maximize ? 1 : 0);
        }

        state.AdoptCreated(0);
        NativeStatus.Check(rc);
    }
}

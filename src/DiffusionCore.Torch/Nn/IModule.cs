namespace DiffusionCore.Torch.Nn;

/// <summary>A module with a forward computation from <typeparamref name="TInput"/> to <typeparamref name="TOutput"/> (torch.nn.Module.forward).</summary>
/// <typeparam name="TInput">The input: a tensor, or a tuple/record of tensors and conditioning.</typeparam>
/// <typeparam name="TOutput">The output.</typeparam>
public interface IModule<in TInput, out TOutput>
{
    /// <summary>Computes the module's output; new tensors belong to the current <see cref="TensorScope"/>.</summary>
    TOutput Forward(TInput input);
}

/// <summary>A module mapping one tensor to one tensor; such modules chain in <see cref="Sequential"/>.</summary>
public interface ITensorModule : IModule<Tensor, Tensor>
{
}

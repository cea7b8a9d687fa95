namespace DiffusionCore.Torch.Nn;

/// <summary>A placeholder that returns its input (torch.nn.Identity), e.g. where an optional projection is absent.</summary>
public sealed class Identity : Module, ITensorModule
{
    /// <summary>A new handle to <paramref name="input"/> (same tensor, owned by the current scope).</summary>
    public Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Alias();
    }
}

namespace DiffusionCore.Torch.Nn;

/// <summary>
/// Inverted dropout (Srivastava et al. 2014; torch.nn.Dropout): in training mode each element is zeroed with
/// probability <see cref="P"/> and the others are scaled by 1/(1−p), with the mask drawn from <see cref="Generator"/>;
/// in evaluation mode it is the identity.
/// </summary>
public sealed class Dropout : Module, ITensorModule
{
    /// <summary>Creates the layer.</summary>
    /// <param name="p">Probability of zeroing an element, in [0, 1].</param>
    /// <param name="generator">The generator masks are drawn from; the default generator when null. Not owned by the module.</param>
    public Dropout(double p = 0.5, Generator? generator = null)
    {
        if (p is < 0 or > 1 || double.IsNaN(p))
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability must be in [0, 1]");
        }

        P = p;
        Generator = generator;
    }

    /// <summary>Probability of zeroing an element.</summary>
    public double P { get; }

    /// <summary>The generator masks are drawn from (null: <see cref="DiffusionCore.Torch.Generator.Default"/>).</summary>
    public Generator? Generator { get; set; }

    /// <summary>Applies dropout in training mode; returns a new handle to the input in evaluation mode (torch.nn.functional.dropout).</summary>
    public Tensor Forward(Tensor input) => Functional.Dropout(input, P, IsTraining, Generator);

    /// <inheritdoc />
    protected override string ExtraRepresentation() => FormattableString.Invariant($"p={P}");
}

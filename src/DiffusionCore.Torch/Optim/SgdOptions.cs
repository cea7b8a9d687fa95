namespace DiffusionCore.Torch.Optim;

/// <summary>Hyperparameters of <see cref="Sgd"/> (torch.optim.SGD: momentum 0, dampening 0, no Nesterov, no weight decay).</summary>
public sealed record SgdOptions : OptimizerOptions
{
    /// <summary>Momentum factor (momentum).</summary>
    public double Momentum { get; set; }

    /// <summary>Dampening of the gradient's contribution to the momentum buffer (dampening).</summary>
    public double Dampening { get; set; }

    /// <summary>Nesterov momentum (nesterov); needs momentum &gt; 0 and dampening 0.</summary>
    public bool Nesterov { get; set; }

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        if (!(Momentum >= 0) || double.IsInfinity(Momentum))
        {
            throw new ArgumentOutOfRangeException(nameof(Momentum), Momentum, "Invalid momentum: it must be finite and >= 0.");
        }

        if (double.IsNaN(Dampening) || double.IsInfinity(Dampening))
        {
            throw new ArgumentOutOfRangeException(nameof(Dampening), Dampening, "Invalid dampening: it must be finite.");
        }

        if (Nesterov && (Momentum <= 0 || Dampening != 0))
        {
            throw new ArgumentException("Nesterov momentum requires a momentum and zero dampening.", nameof(Nesterov));
        }
    }

    internal override OptimizerOptions Copy() => this with { };

    internal override void Write(IDictionary<string, string> metadata, string prefix)
    {
        base.Write(metadata, prefix);
        metadata[prefix + "momentum"] = Format(Momentum);
        metadata[prefix + "dampening"] = Format(Dampening);
        metadata[prefix + "nesterov"] = Format(Nesterov);
    }

    internal override void Read(IReadOnlyDictionary<string, string> metadata, string prefix)
    {
        base.Read(metadata, prefix);
        Momentum = ReadDouble(metadata, prefix + "momentum", Momentum);
        Dampening = ReadDouble(metadata, prefix + "dampening", Dampening);
        Nesterov = ReadBool(metadata, prefix + "nesterov", Nesterov);
    }
}

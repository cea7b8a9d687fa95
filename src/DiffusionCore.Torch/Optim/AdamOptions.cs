namespace DiffusionCore.Torch.Optim;

/// <summary>Hyperparameters of <see cref="Adam"/> (torch.optim.Adam defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, no weight decay).</summary>
public record AdamOptions : OptimizerOptions
{
    /// <summary>Decay rate of the first-moment estimate (betas[0]).</summary>
    public double Beta1 { get; set; } = 0.9;

    /// <summary>Decay rate of the second-moment estimate (betas[1]).</summary>
    public double Beta2 { get; set; } = 0.999;

    /// <summary>Added to the denominator for numerical stability (eps).</summary>
    public double Eps { get; set; } = 1e-8;

    /// <summary>Use the maximum of past second moments (AMSGrad, Reddi et al. 2018).</summary>
    public bool Amsgrad { get; set; }

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        if (!(Beta1 >= 0 && Beta1 < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Beta1), Beta1, "Invalid beta1: it must be in [0, 1).");
        }

        if (!(Beta2 >= 0 && Beta2 < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Beta2), Beta2, "Invalid beta2: it must be in [0, 1).");
        }

        if (!(Eps >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(Eps), Eps, "Invalid epsilon: it must be >= 0.");
        }
    }

    internal override OptimizerOptions Copy() => this with { };

    internal override void Write(IDictionary<string, string> metadata, string prefix)
    {
        base.Write(metadata, prefix);
        metadata[prefix + "beta1"] = Format(Beta1);
        metadata[prefix + "beta2"] = Format(Beta2);
        metadata[prefix + "eps"] = Format(Eps);
        metadata[prefix + "amsgrad"] = Format(Amsgrad);
    }

    internal override void Read(IReadOnlyDictionary<string, string> metadata, string prefix)
    {
        base.Read(metadata, prefix);
        Beta1 = ReadDouble(metadata, prefix + "beta1", Beta1);
        Beta2 = ReadDouble(metadata, prefix + "beta2", Beta2);
        Eps = ReadDouble(metadata, prefix + "eps", Eps);
        Amsgrad = ReadBool(metadata, prefix + "amsgrad", Amsgrad);
    }
}

/// <summary>Hyperparameters of <see cref="AdamW"/>: those of Adam with PyTorch's AdamW default weight decay 0.01.</summary>
public sealed record AdamWOptions : AdamOptions
{
    /// <summary>Creates the defaults (torch.optim.AdamW: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 0.01).</summary>
    public AdamWOptions() => WeightDecay = 0.01;
}

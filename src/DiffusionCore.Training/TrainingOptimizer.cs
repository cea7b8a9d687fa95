namespace DiffusionCore.Training;

/// <summary>The optimizer a <see cref="DiffusionTrainer"/> builds from <see cref="TrainingOptions"/>.</summary>
public enum TrainingOptimizer
{
    /// <summary>Adam (Kingma &amp; Ba 2015); EDM2 uses β = (0.9, 0.99), ε = 10⁻⁸, no weight decay.</summary>
    Adam,

    /// <summary>AdamW (Loshchilov &amp; Hutter 2019), decoupled weight decay; DiT uses it with lr 10⁻⁴ and no decay.</summary>
    AdamW,
}

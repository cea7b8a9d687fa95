namespace DiffusionCore.Torch.Optim;

/// <summary>
/// A set of parameters that share hyperparameters (a torch.optim param_group), e.g. a backbone with a smaller learning
/// rate than a new head. The group keeps its own copy of the options; change them between steps through
/// <see cref="Options"/> or <see cref="LearningRate"/>.
/// </summary>
public sealed class ParameterGroup
{
    /// <summary>Creates a group; <paramref name="options"/> is copied and must suit the optimizer it is given to.</summary>
    public ParameterGroup(IEnumerable<Tensor> parameters, OptimizerOptions options)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(options);
        Parameters = [.. parameters];
        Options = options.Copy();
    }

    /// <summary>The parameters, in order; their positions number the optimizer's state (0, 1, … across groups).</summary>
    public IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>This group's hyperparameters (an <see cref="AdamOptions"/> or <see cref="SgdOptions"/>).</summary>
    public OptimizerOptions Options { get; }

    /// <summary>This group's learning rate; set it before <see cref="Optimizer.Step"/> to follow a schedule.</summary>
    public double LearningRate
    {
        get => Options.LearningRate;
        set => Options.LearningRate = value;
    }
}

namespace DiffusionCore.Torch.Distributed;

/// <summary>How <see cref="ProcessGroup.AllReduce(IReadOnlyList{Tensor}, ReduceOperation)"/> combines the ranks' values, element by element.</summary>
public enum ReduceOperation
{
    /// <summary>The sum over ranks.</summary>
    Sum = 0,

    /// <summary>The sum over ranks divided by the world size (floating-point tensors only).</summary>
    Average = 1,

    /// <summary>The minimum over ranks.</summary>
    Min = 2,

    /// <summary>The maximum over ranks.</summary>
    Max = 3,
}

using DiffusionCore.Torch.Tests.Infrastructure;

namespace DiffusionCore.Torch.Tests.Ops;

/// <summary>Finite-difference gradient checks of index-based selection and writes.</summary>
public class IndexingGradTests
{
    [Fact]
    public void IndexSelect_gradient_with_repeated_indices()
    {
        using var scope = new TensorScope();
        Tensor index = T64.Longs([2, 0, 2, 1]);
        GradCheck.Check(t => t[0].IndexSelect(0, index), T64.Randn(401, 3, 4));
        GradCheck.Check(t => t[0].IndexSelect(1, index), T64.Randn(402, 2, 3));
    }

    [Fact]
    public void Gather_gradient_with_repeated_indices()
    {
        using var scope = new TensorScope();
        Tensor index = T64.Longs([0, 0, 3, 2, 1, 1], 3, 2);
        GradCheck.Check(t => t[0].Gather(1, index), T64.Randn(403, 3, 4));
    }

    [Fact]
    public void Scatter_gradient_with_respect_to_self_and_source()
    {
        using var scope = new TensorScope();
        Tensor index = T64.Longs([0, 2, 1, 3, 3, 0], 3, 2); // unique per row: scatter is then deterministic
        GradCheck.Check(t => t[0].Scatter(1, index, t[1]), T64.Randn(404, 3, 4), T64.Randn(405, 3, 2));
    }

    [Fact]
    public void ScatterAdd_gradient_with_duplicate_indices()
    {
        using var scope = new TensorScope();
        Tensor index = T64.Longs([0, 0, 2, 1, 2, 2], 2, 3);
        GradCheck.Check(t => t[0].ScatterAdd(0, index, t[1]), T64.Randn(406, 3, 3), T64.Randn(407, 2, 3));
    }

    [Fact]
    public void MaskedFill_gradient_is_zero_where_filled()
    {
        using var scope = new TensorScope();
        Tensor mask = T64.Bools([true, false, false, true, false, true], 2, 3);
        GradCheck.Check(t => t[0].MaskedFill(mask, 0.7), T64.Randn(408, 2, 3));
        GradCheck.Check(t => t[0].MaskedFill(T64.Bools([false, true, false]), -1.0), T64.Randn(409, 2, 3)); // broadcast mask
    }

    [Fact]
    public void MaskedSelect_gradient()
    {
        using var scope = new TensorScope();
        Tensor mask = T64.Bools([true, false, false, true, false, true], 2, 3);
        GradCheck.Check(t => t[0].MaskedSelect(mask), T64.Randn(410, 2, 3));
    }
}

using DiffusionCore.Torch.Tests.Infrastructure;

namespace DiffusionCore.Torch.Tests.Ops;

/// <summary>Finite-difference gradient checks of reductions over chosen dimensions.</summary>
public class ReductionGradTests
{
    private static readonly Dictionary<string, Func<Tensor, Tensor>> Reductions = new()
    {
        ["SumAll"] = x => x.Sum(),
        ["SumDim1"] = x => x.Sum([1]),
        ["SumDims02KeepDim"] = x => x.Sum([0, 2], keepDim: true),
        ["SumNegativeDim"] = x => x.Sum([-1]),
        ["MeanAll"] = x => x.Mean(),
        ["MeanDim2"] = x => x.Mean([2]),
        ["MeanDims01KeepDim"] = x => x.Mean([0, 1], keepDim: true),
        ["VarAllUnbiased"] = x => x.Var(),
        ["VarDim1"] = x => x.Var([1]),
        ["VarDims12Biased"] = x => x.Var([1, 2], correction: 0),
        ["VarDim2KeepDim"] = x => x.Var([2], keepDim: true),
        ["StdAll"] = x => x.Std(),
        ["StdDim2"] = x => x.Std([2]),
        ["StdDims01Biased"] = x => x.Std([0, 1], correction: 0, keepDim: true),
        ["Norm2All"] = x => x.Norm(),
        ["Norm2Dim1"] = x => x.Norm(2, [1]),
        ["Norm1Dim2"] = x => x.Norm(1, [2]),
        ["Norm3Dims12KeepDim"] = x => x.Norm(3, [1, 2], keepDim: true),
        ["LogSumExpDim1"] = x => x.LogSumExp([1]),
        ["ProdDim2"] = x => x.Prod(2),
        ["AmaxDim1"] = x => x.Amax([1]),
        ["CumSumDim2"] = x => x.CumSum(2),
    };

    public static TheoryData<string> Names => new(Reductions.Keys);

    [Theory]
    [MemberData(nameof(Names))]
    public void Reduction_gradient_matches_central_differences(string name)
    {
        using var scope = new TensorScope();
        Tensor x = T64.Randn(61, 2, 3, 4);
        GradCheck.Check(t => Reductions[name](t[0]), x);
    }
}

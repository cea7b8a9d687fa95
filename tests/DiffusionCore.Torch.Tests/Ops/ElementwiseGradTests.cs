using DiffusionCore.Torch.Tests.Infrastructure;

namespace DiffusionCore.Torch.Tests.Ops;

/// <summary>Finite-difference gradient checks of elementwise arithmetic, with and without broadcasting.</summary>
public class ElementwiseGradTests
{
    // name → (domain low, domain high, op). Domains keep inputs away from poles, kinks and branch cuts.
    private static readonly Dictionary<string, (double Lo, double Hi, Func<Tensor, Tensor> Op)> Unary = new()
    {
        ["Neg"] = (-2, 2, x => x.Neg()),
        ["Sqrt"] = (0.5, 2, x => x.Sqrt()),
        ["Rsqrt"] = (0.5, 2, x => x.Rsqrt()),
        ["Exp"] = (-1.5, 1.5, x => x.Exp()),
        ["Log"] = (0.5, 2, x => x.Log()),
        ["Log2"] = (0.5, 2, x => x.Log2()),
        ["Log1p"] = (-0.5, 2, x => x.Log1p()),
        ["Expm1"] = (-1.5, 1.5, x => x.Expm1()),
        ["Sin"] = (-3, 3, x => x.Sin()),
        ["Cos"] = (-3, 3, x => x.Cos()),
        ["Tanh"] = (-2, 2, x => x.Tanh()),
        ["Atan"] = (-2, 2, x => x.Atan()),
        ["Sigmoid"] = (-3, 3, x => x.Sigmoid()),
        ["Erf"] = (-2, 2, x => x.Erf()),
        ["Square"] = (-2, 2, x => x.Square()),
        ["Reciprocal"] = (0.5, 2, x => x.Reciprocal()),
        ["Relu"] = (-1, 1, x => x.Relu()),
        ["PowScalar3"] = (-2, 2, x => x.Pow(3.0)),
        ["PowScalar2.5"] = (0.5, 2, x => x.Pow(2.5)),
        ["PowInteger2"] = (-2, 2, x => x.Pow(2L)),
        ["RPow"] = (-1, 1, x => x.RPow(2.0)),
        ["AddScalar"] = (-2, 2, x => x + 2.5),
        ["AddIntegerScalar"] = (-2, 2, x => x.Add(3L)),
        ["ScalarPlusTensor"] = (-2, 2, x => 2.5 + x),
        ["SubScalar"] = (-2, 2, x => x - 1.5),
        ["ScalarMinusTensor"] = (-2, 2, x => 1.5 - x),
        ["MulScalar"] = (-2, 2, x => x * -3.0),
        ["ScalarTimesTensor"] = (-2, 2, x => 0.5 * x),
        ["DivScalar"] = (-2, 2, x => x / 4.0),
        ["ScalarOverTensor"] = (0.5, 2, x => 3.0 / x),
        ["ClampBoth"] = (-1, 1, x => x.Clamp(-0.5, 0.5)),
        ["ClampMin"] = (-1, 1, x => x.Clamp(min: -0.25)),
        ["ClampMax"] = (-1, 1, x => x.Clamp(max: 0.25)),
        ["Hardtanh"] = (-1, 1, x => x.Hardtanh(-0.5, 0.5)),
        ["MaximumScalar"] = (-1, 1, x => x.Maximum(0.1)),
        ["MinimumScalar"] = (-1, 1, x => x.Minimum(0.1)),
        ["NanToNumFinite"] = (-2, 2, x => x.NanToNum()),
        ["Silu"] = (-3, 3, x => x.Silu()),
        ["GeluExact"] = (-3, 3, x => x.Gelu()),
        ["GeluTanh"] = (-3, 3, x => x.Gelu(tanhApproximation: true)),
        ["Clone"] = (-2, 2, x => x.Clone()),
    };

    public static TheoryData<string> UnaryNames => new(Unary.Keys);

    [Theory]
    [MemberData(nameof(UnaryNames))]
    public void Unary_op_gradient_matches_central_differences(string name)
    {
        using var scope = new TensorScope();
        (double lo, double hi, Func<Tensor, Tensor> op) = Unary[name];
        Tensor x = T64.Uniform(11, lo, hi, 2, 3, 2);
        GradCheck.Check(a => op(a[0]), x);
    }

    [Fact]
    public void Abs_gradient_away_from_zero()
    {
        using var scope = new TensorScope();
        Tensor x = T64.Of([-1.5, -0.3, 0.2, 0.9, -2.1, 1.1], 2, 3);
        GradCheck.Check(a => a[0].Abs(), x);
    }

    // name → (a domain, b domain, op).
    private static readonly Dictionary<string, (double ALo, double AHi, double BLo, double BHi, Func<Tensor, Tensor, Tensor> Op)> Binary = new()
    {
        ["Add"] = (-2, 2, -2, 2, (a, b) => a + b),
        ["Sub"] = (-2, 2, -2, 2, (a, b) => a - b),
        ["Mul"] = (-2, 2, -2, 2, (a, b) => a * b),
        ["Div"] = (-2, 2, 0.5, 2, (a, b) => a / b),
        ["Pow"] = (0.5, 2, -1.5, 1.5, (a, b) => a.Pow(b)),
        ["AddAlpha"] = (-2, 2, -2, 2, (a, b) => a.Add(b, -0.75)),
        ["Maximum"] = (-2, 2, -2, 2, (a, b) => a.Maximum(b)),
        ["Minimum"] = (-2, 2, -2, 2, (a, b) => a.Minimum(b)),
        ["Atan2"] = (0.5, 2, -2, 2, (a, b) => a.Atan2(b)),
        ["LerpScalarWeight"] = (-2, 2, -2, 2, (a, b) => a.Lerp(b, 0.3)),
    };

    // Broadcast layouts: same shape, trailing vector, and both sides expanding.
    private static readonly long[][][] Layouts =
    [
        [[2, 3], [2, 3]],
        [[2, 3], [3]],
        [[2, 1, 3], [4, 1]],
        [[1, 3], [2, 1]],
    ];

    public static TheoryData<string, int> BinaryCases
    {
        get
        {
            var data = new TheoryData<string, int>();
            foreach (string name in Binary.Keys)
            {
                for (int l = 0; l < Layouts.Length; l++) data.Add(name, l);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(BinaryCases))]
    public void Binary_op_gradient_with_broadcasting(string name, int layout)
    {
        using var scope = new TensorScope();
        (double aLo, double aHi, double bLo, double bHi, Func<Tensor, Tensor, Tensor> op) = Binary[name];
        Tensor a = T64.Uniform(21, aLo, aHi, Layouts[layout][0]);
        Tensor b = T64.Uniform(22, bLo, bHi, Layouts[layout][1]);
        GradCheck.Check(t => op(t[0], t[1]), a, b);
    }

    [Fact]
    public void Where_gradient_flows_to_both_branches_with_broadcasting()
    {
        using var scope = new TensorScope();
        Tensor cond = T64.Bools([true, false, true, false, false, true], 2, 3);
        Tensor a = T64.Randn(31, 2, 3);
        Tensor b = T64.Randn(32, 3);
        GradCheck.Check(t => Tensor.Where(cond, t[0], t[1]), a, b);
    }

    [Fact]
    public void Lerp_with_tensor_weight_differentiates_start_end_and_weight()
    {
        using var scope = new TensorScope();
        Tensor start = T64.Randn(41, 2, 3);
        Tensor end = T64.Randn(42, 2, 3);
        Tensor weight = T64.Uniform(43, 0, 1, 3);
        GradCheck.Check(t => t[0].Lerp(t[1], t[2]), start, end, weight);
    }

    [Fact]
    public void Composite_expression_gradient()
    {
        using var scope = new TensorScope();
        Tensor x = T64.Uniform(51, 0.5, 1.5, 3, 2);
        Tensor y = T64.Randn(52, 2);
        GradCheck.Check(t => (t[0].Log() * t[1]).Sin() / (1.0 + t[0].Square()) - t[1].Exp().Sqrt(), x, y);
    }
}

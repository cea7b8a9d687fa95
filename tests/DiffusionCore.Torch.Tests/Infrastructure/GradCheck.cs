using System.Globalization;

namespace DiffusionCore.Torch.Tests.Infrastructure;

/// <summary>
/// Finite-difference gradient checker in float64. For f and inputs x₁…xₙ it draws a fixed random weight w shaped like
/// f(x), forms the scalar L = Σ w·f(x), and compares ∂L/∂xᵢ from libtorch's autograd (both
/// <see cref="Autograd.Grad"/> and <see cref="Tensor.Backward"/> with <see cref="Tensor.Grad"/>, which must agree) with
/// central differences (L(x + ε·eⱼ) − L(x − ε·eⱼ)) / 2ε for every element j. A random w makes one check cover the
/// whole vector–Jacobian product, not only the gradient of a plain sum.
/// </summary>
internal static class GradCheck
{
    /// <summary>Step of the central differences.</summary>
    internal const double Eps = 1e-6;

    /// <summary>Accepted error: |analytic − numeric| ≤ tolerance · max(1, |numeric|).</summary>
    internal const double Tolerance = 1e-6;

    /// <summary>The outcome of a comparison.</summary>
    internal sealed record Report(int Checked, double MaxError, IReadOnlyList<string> Failures);

    /// <summary>Asserts that the analytic gradients of <paramref name="f"/> match central differences.</summary>
    public static void Check(Func<Tensor[], Tensor> f, params Tensor[] inputs) => Check(f, inputs, Tolerance);

    /// <summary>Asserts with an explicit tolerance and step.</summary>
    public static void Check(Func<Tensor[], Tensor> f, Tensor[] inputs, double tolerance, double eps = Eps, bool requireNonZero = true)
    {
        Report r = Compare(f, inputs, tolerance, eps, requireNonZero);
        r.Checked.Should().BeGreaterThan(0, "a gradient check must compare at least one element");
        r.Failures.Should().BeEmpty(
            "analytic gradients must match central differences within {0} (largest error {1})",
            tolerance, r.MaxError.ToString("E2", CultureInfo.InvariantCulture));
    }

    /// <summary>Compares and reports instead of asserting (used to prove the checker catches a wrong gradient).</summary>
    public static Report Compare(Func<Tensor[], Tensor> f, Tensor[] inputs, double tolerance = Tolerance, double eps = Eps, bool requireNonZero = true)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(inputs);
        using var scope = new TensorScope();
        var failures = new List<string>();
        long[][] shapes = inputs.Select(t => t.Shape).ToArray();
        double[][] values = inputs.Select(t =>
        {
            t.DType.Should().Be(DType.Float64, "gradient checks run in float64");
            return t.ToArray<double>();
        }).ToArray();

        // Analytic: autograd through libtorch, once functionally and once by Backward into .Grad.
        Tensor[] leaves = values.Select((v, i) => Tensor.FromSpan<double>(v, shapes[i]).RequiresGradInPlace()).ToArray();
        Tensor y = f(leaves);
        y.DType.Should().Be(DType.Float64, "the checked function must stay in float64");
        y.RequiresGrad.Should().BeTrue("the output must depend differentiably on the inputs");
        Tensor w;
        using (var gen = new Generator(20240607))
        {
            w = Tensor.Randn(y.Shape, gen, DType.Float64);
        }

        Tensor loss = y.Mul(w).Sum();
        Tensor?[] viaGrad = Autograd.Grad([loss], leaves, retainGraph: true, allowUnused: true);
        loss.Backward();

        double Evaluate(int which, double[] perturbed)
        {
            using var inner = new TensorScope();
            using var noGrad = new NoGradScope();
            var args = new Tensor[values.Length];
            for (int i = 0; i < args.Length; i++)
            {
                args[i] = Tensor.FromSpan<double>(i == which ? perturbed : values[i], shapes[i]);
            }

            return f(args).Mul(w).Sum().ToDouble();
        }

        int checkedCount = 0;
        double maxError = 0;
        for (int i = 0; i < values.Length; i++)
        {
            double[] analytic = viaGrad[i]?.ToArray<double>() ?? new double[values[i].Length];
            double[] backward = leaves[i].Grad?.ToArray<double>() ?? new double[values[i].Length];
            for (int j = 0; j < analytic.Length; j++)
            {
                if (Math.Abs(analytic[j] - backward[j]) > 1e-12 * Math.Max(1, Math.Abs(analytic[j])))
                {
                    failures.Add($"input {i} element {j}: Autograd.Grad gives {analytic[j]:R} but Backward/.Grad gives {backward[j]:R}");
                }
            }

            double[] x = (double[])values[i].Clone();
            double largestNumeric = 0;
            for (int j = 0; j < x.Length; j++)
            {
                double x0 = x[j];
                x[j] = x0 + eps;
                double plus = Evaluate(i, x);
                x[j] = x0 - eps;
                double minus = Evaluate(i, x);
                x[j] = x0;
                double numeric = (plus - minus) / (2 * eps);
                largestNumeric = Math.Max(largestNumeric, Math.Abs(numeric));
                double error = Math.Abs(analytic[j] - numeric) / Math.Max(1, Math.Abs(numeric));
                maxError = Math.Max(maxError, error);
                checkedCount++;
                if (!(error <= tolerance))
                {
                    failures.Add($"input {i} element {j}: analytic {analytic[j]:R}, numeric {numeric:R}");
                }
            }

            if (requireNonZero && largestNumeric < 1e-8)
            {
                failures.Add($"input {i}: every numeric derivative is zero, so the check proves nothing for it");
            }
        }

        return new Report(checkedCount, maxError, failures);
    }
}

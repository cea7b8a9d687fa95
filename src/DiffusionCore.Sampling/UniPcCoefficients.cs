namespace DiffusionCore.Sampling;

/// <summary>
/// The step coefficients of UniPC (Zhao et al. 2023, "UniPC", Sect. 3: UniP-p, UniC-p and the B(h) variants) for a
/// data-prediction step of length h in λ, with z = −h: <c>B(h)</c> is z (bh1) or e^z − 1 (bh2), the right-hand side
/// <c>b_j = z·φ_{j+1}(z)·j!/B(h)</c> (j = 1..p) and the matrix <c>R[j][k] = r_k^{j−1}</c> of the normalised past
/// step positions r_k (with r = 1 for the new point in the corrector). Scalar double arithmetic on at most 3×3 systems.
/// </summary>
internal static class UniPcCoefficients
{
    public static double B(UniPcVariant variant, double z) => variant == UniPcVariant.Bh1 ? z : double.ExpM1(z);

    /// <summary>The predictor weights ρ (p − 1 of them): none for p = 1, ½ for p = 2 (the paper's choice), else R ρ = b.</summary>
    public static double[] Predictor(int order, double[] rks, double z, double bh) => order switch
    {
        1 => [],
        2 => [0.5],
        _ => Solve(rks, RightHandSide(order - 1, z, bh)),
    };

    /// <summary>The corrector weights ρ (p of them, the last for the new point): ½ for p = 1, else R ρ = b with r = 1 appended.</summary>
    public static double[] Corrector(int order, double[] rks, double z, double bh) =>
        order == 1 ? [0.5] : Solve([.. rks, 1.0], RightHandSide(order, z, bh));

    private static double[] RightHandSide(int count, double z, double bh)
    {
        var b = new double[count];
        double factorial = 1;
        for (int j = 1; j <= count; j++)
        {
            factorial *= j;
            b[j - 1] = z * ExponentialIntegrator.Phi(j + 1, z) * factorial / bh;
        }

        return b;
    }

    // Solves Σ_k r_k^{j−1}·ρ_k = b_j, j = 1..n (a Vandermonde system), by Gaussian elimination with partial pivoting.
    private static double[] Solve(double[] r, double[] b)
    {
        int n = b.Length;
        var a = new double[n, n + 1];
        for (int j = 0; j < n; j++)
        {
            for (int k = 0; k < n; k++) a[j, k] = Math.Pow(r[k], j);
            a[j, n] = b[j];
        }

        for (int c = 0; c < n; c++)
        {
            int pivot = c;
            for (int row = c + 1; row < n; row++)
            {
                if (Math.Abs(a[row, c]) > Math.Abs(a[pivot, c])) pivot = row;
            }

            for (int k = 0; k <= n; k++) (a[c, k], a[pivot, k]) = (a[pivot, k], a[c, k]);
            for (int row = 0; row < n; row++)
            {
                if (row == c) continue;
                double f = a[row, c] / a[c, c];
                for (int k = c; k <= n; k++) a[row, k] -= f * a[c, k];
            }
        }

        var x = new double[n];
        for (int j = 0; j < n; j++) x[j] = a[j, n] / a[j, j];
        return x;
    }
}

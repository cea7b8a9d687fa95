using DiffusionCore.Torch;

namespace DiffusionCore.Schedules;

/// <summary>
/// The discrete noise levels <c>u_0 &gt; u_1 &gt; … &gt; u_M = 0</c> of the improved DDPM cosine schedule in σ form
/// (Karras et al. 2022, Table 1, "iDDPM"; Nichol and Dhariwal 2021):
/// <c>ᾱ(j) = sin²(π/2 · j/(M(C2+1)))</c>, <c>u_M = 0</c>, <c>u_{j−1} = √((u_j²+1)/max(ᾱ(j−1)/ᾱ(j), C1) − 1)</c>.
/// </summary>
public sealed class IddpmUTable
{
    private readonly double[] _u;

    /// <summary>Builds the table.</summary>
    /// <param name="steps">M, the number of training timesteps (1000).</param>
    /// <param name="c1">C1, the clamp of the α ratio (0.001).</param>
    /// <param name="c2">C2, the cosine offset (0.008).</param>
    public IddpmUTable(int steps = 1000, double c1 = 0.001, double c2 = 0.008)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 2);
        if (!(c1 > 0) || !(c2 >= 0)) throw new ArgumentOutOfRangeException(nameof(c1), "C1 must be positive and C2 non-negative (EDM: C1 = 0.001, C2 = 0.008).");
        M = steps;
        C1 = c1;
        C2 = c2;
        _u = new double[steps + 1];
        for (int j = steps; j > 0; j--)
        {
            double ratio = Math.Max(AlphaBar(j - 1) / AlphaBar(j), c1);
            _u[j - 1] = Math.Sqrt((((_u[j] * _u[j]) + 1) / ratio) - 1);
        }
    }

    /// <summary>M, the number of steps; the table has M+1 entries.</summary>
    public int M { get; }

    /// <summary>C1.</summary>
    public double C1 { get; }

    /// <summary>C2.</summary>
    public double C2 { get; }

    /// <summary>The levels u_0..u_M (descending, u_M = 0).</summary>
    public IReadOnlyList<double> Values => _u;

    /// <summary>u_j.</summary>
    public double this[int j] => _u[j];

    /// <summary>The smallest non-zero level u_{M−1} (EDM: σ_min of iDDPM preconditioning).</summary>
    public double SigmaMin => _u[M - 1];

    /// <summary>The largest level u_0 (EDM: σ_max of iDDPM preconditioning).</summary>
    public double SigmaMax => _u[0];

    /// <summary>The index j of the level nearest to σ: argmin_j |u_j − σ| over j = 0..M (ties to the lower j).</summary>
    public int NearestIndex(double sigma)
    {
        // u is strictly decreasing: find the first j with u_j ≤ σ by bisection, then compare it with j − 1.
        int lo = 0, hi = _u.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_u[mid] <= sigma) hi = mid;
            else lo = mid + 1;
        }

        if (lo == _u.Length) return _u.Length - 1;
        if (lo == 0) return 0;
        return Math.Abs(_u[lo - 1] - sigma) <= Math.Abs(_u[lo] - sigma) ? lo - 1 : lo;
    }

    /// <summary>The level nearest to σ (EDM's <c>round_sigma</c> for iDDPM).</summary>
    public double Round(double sigma) => _u[NearestIndex(sigma)];

    /// <summary>
    /// Tensor form of <see cref="NearestIndex(double)"/>: int64 indices <c>[B]</c> for σ <c>[B]</c> on σ's device
    /// (a bisection per sample on the host: scalar schedule maths, O(B log M)).
    /// </summary>
    public Tensor NearestIndex(Tensor sigma)
    {
        ArgumentNullException.ThrowIfNull(sigma);
        using var scope = new TensorScope();
        double[] s = sigma.To(Device.Cpu, DType.Float64).Reshape(-1).ToArray<double>();
        long[] idx = s.Select(v => (long)NearestIndex(v)).ToArray();
        return Tensor.FromArray(idx).To(sigma.Device).MoveToOuterScope();
    }

    private double AlphaBar(int j) => Math.Pow(Math.Sin(0.5 * Math.PI * j / (M * (C2 + 1))), 2);
}

namespace DiffusionCore.Training.Ema;

/// <summary>
/// Cholesky factorisation with diagonal pivoting of a symmetric positive semidefinite matrix: Pᵀ·A·P = L·Lᵀ with L of
/// rank r, stopping when the largest remaining diagonal falls to the tolerance (Higham, "Accuracy and Stability of
/// Numerical Algorithms", §10.3). Solving with it sets the variables of the dropped (dependent) pivots to zero.
/// </summary>
internal sealed class PivotedCholesky
{
    private readonly double[,] _l;
    private readonly int[] _perm;

    private PivotedCholesky(double[,] l, int[] perm, int rank)
    {
        _l = l;
        _perm = perm;
        Rank = rank;
    }

    /// <summary>The numerical rank r.</summary>
    public int Rank { get; }

    public static PivotedCholesky Factor(double[,] a, double tolerance)
    {
        int n = a.GetLength(0);
        var w = (double[,])a.Clone();
        var perm = Enumerable.Range(0, n).ToArray();
        int rank = n;
        for (int k = 0; k < n; k++)
        {
            int pivot = k;
            for (int j = k + 1; j < n; j++)
            {
                if (w[j, j] > w[pivot, pivot])
                {
                    pivot = j;
                }
            }

            if (!(w[pivot, pivot] > tolerance))
            {
                rank = k;
                break;
            }

            if (pivot != k)
            {
                Swap(w, k, pivot, n);
                (perm[k], perm[pivot]) = (perm[pivot], perm[k]);
            }

            double lkk = Math.Sqrt(w[k, k]);
            w[k, k] = lkk;
            for (int i = k + 1; i < n; i++)
            {
                w[i, k] /= lkk;
            }

            for (int j = k + 1; j < n; j++)
            {
                for (int i = j; i < n; i++)
                {
                    w[i, j] -= w[i, k] * w[j, k];
                    w[j, i] = w[i, j]; // keep the trailing block symmetric for the next pivot swap
                }
            }
        }

        return new PivotedCholesky(w, perm, rank);
    }

    /// <summary>Solves A·X = B (columns of B independently), zero for the dropped pivots.</summary>
    public double[,] Solve(double[,] b)
    {
        int n = b.GetLength(0);
        int m = b.GetLength(1);
        int r = Rank;
        var x = new double[n, m];
        var z = new double[r];
        for (int k = 0; k < m; k++)
        {
            // Forward: L₁₁·y = (Pᵀb)[0..r).
            for (int i = 0; i < r; i++)
            {
                double s = b[_perm[i], k];
                for (int j = 0; j < i; j++)
                {
                    s -= _l[i, j] * z[j];
                }

                z[i] = s / _l[i, i];
            }

            // Backward: L₁₁ᵀ·u = y.
            for (int i = r - 1; i >= 0; i--)
            {
                double s = z[i];
                for (int j = i + 1; j < r; j++)
                {
                    s -= _l[j, i] * z[j];
                }

                z[i] = s / _l[i, i];
            }

            for (int i = 0; i < r; i++)
            {
                x[_perm[i], k] = z[i];
            }
        }

        return x;
    }

    /// <summary>Swaps rows and columns p and q: permutes the computed rows of L and the (symmetric) trailing block.</summary>
    private static void Swap(double[,] w, int p, int q, int n)
    {
        for (int j = 0; j < n; j++)
        {
            (w[p, j], w[q, j]) = (w[q, j], w[p, j]);
        }

        for (int i = 0; i < n; i++)
        {
            (w[i, p], w[i, q]) = (w[i, q], w[i, p]);
        }
    }
}

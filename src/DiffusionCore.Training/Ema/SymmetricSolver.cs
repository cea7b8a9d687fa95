namespace DiffusionCore.Training.Ema;

/// <summary>
/// Solves A·X = B in float64 for a symmetric positive semidefinite A (a Gram matrix) by symmetric equilibration,
/// Cholesky factorisation with diagonal pivoting (rank-revealing), and iterative refinement. Numerically dependent
/// directions (remaining pivot below n·ε of the unit diagonal) are dropped, giving a basic least-squares solution.
/// </summary>
internal static class SymmetricSolver
{
    private const double MachineEpsilon = 2.220446049250313e-16;
    private const int RefinementSteps = 2;

    public static double[,] SolvePositiveSemidefinite(double[,] a, double[,] b)
    {
        int n = a.GetLength(0);
        int m = b.GetLength(1);
        if (a.GetLength(1) != n || b.GetLength(0) != n)
        {
            throw new ArgumentException($"A must be square and B must have as many rows ([{n}×{a.GetLength(1)}] and [{b.GetLength(0)}×{m}]).");
        }

        // Equilibrate: A' = D·A·D with D = diag(A)^−½, so every pivot is relative to 1.
        var d = new double[n];
        for (int i = 0; i < n; i++)
        {
            if (!(a[i, i] > 0) || !double.IsFinite(a[i, i]))
            {
                throw new ArgumentException($"A[{i},{i}] = {a[i, i]} is not a positive number; A is not a Gram matrix of non-zero profiles.");
            }

            d[i] = 1 / Math.Sqrt(a[i, i]);
        }

        var scaled = new double[n, n];
        var rhs = new double[n, m];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                scaled[i, j] = d[i] * a[i, j] * d[j];
            }

            for (int k = 0; k < m; k++)
            {
                rhs[i, k] = d[i] * b[i, k];
            }
        }

        var factor = PivotedCholesky.Factor(scaled, tolerance: Math.Max(n, 1) * MachineEpsilon);
        double[,] y = factor.Solve(rhs);
        for (int step = 0; step < RefinementSteps; step++)
        {
            var residual = new double[n, m];
            for (int i = 0; i < n; i++)
            {
                for (int k = 0; k < m; k++)
                {
                    double r = rhs[i, k];
                    for (int j = 0; j < n; j++)
                    {
                        r -= scaled[i, j] * y[j, k];
                    }

                    residual[i, k] = r;
                }
            }

            double[,] correction = factor.Solve(residual);
            for (int i = 0; i < n; i++)
            {
                for (int k = 0; k < m; k++)
                {
                    y[i, k] += correction[i, k];
                }
            }
        }

        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < m; k++)
            {
                y[i, k] *= d[i];
            }
        }

        return y;
    }
}

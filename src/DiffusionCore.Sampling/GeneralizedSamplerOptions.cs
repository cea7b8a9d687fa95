using DiffusionCore.Schedules;

namespace DiffusionCore.Sampling;

/// <summary>The ODE solver of the <see cref="GeneralizedSampler"/> (Karras et al. 2022, Algorithm 1 and Sect. 3).</summary>
public enum OdeSolver
{
    /// <summary>Euler's method, first order.</summary>
    Euler = 0,

    /// <summary>Heun's method: explicit second-order Runge–Kutta with α = 1.</summary>
    Heun = 1,

    /// <summary>Explicit second-order Runge–Kutta with a free α ∈ (0, 1] (Algorithm 1 as a family; α = ½ is the midpoint method).</summary>
    RungeKutta2 = 2,
}

/// <summary>The noise level as a function of time σ(t) (Karras et al. 2022, Table 1).</summary>
public enum SigmaFunction
{
    /// <summary><c>σ(t) = √(exp(½β_d·t² + β_min·t) − 1)</c> (VP).</summary>
    Vp = 0,

    /// <summary><c>σ(t) = √t</c> (VE).</summary>
    Ve = 1,

    /// <summary><c>σ(t) = t</c> (iDDPM + DDIM and EDM).</summary>
    Linear = 2,

    /// <summary><c>σ(t) = t/(1 − t)</c>: rectified-flow time (Esser et al. 2024, "SD3", Sect. 2; pair with <see cref="ScalingFunction.RectifiedFlow"/>).</summary>
    RectifiedFlow = 3,
}

/// <summary>The signal scaling s(t) (Karras et al. 2022, Table 1).</summary>
public enum ScalingFunction
{
    /// <summary><c>s(t) = 1/√(1 + σ(t)²)</c> (VP).</summary>
    Vp = 0,

    /// <summary><c>s(t) = 1</c> (VE, iDDPM, EDM).</summary>
    None = 1,

    /// <summary><c>s(t) = 1 − t</c>: the linear path <c>x_t = (1 − t)·y + t·ε</c> of rectified flow (SD3, Eq. 1–3).</summary>
    RectifiedFlow = 2,
}

/// <summary>Options of the <see cref="GeneralizedSampler"/>.</summary>
public sealed record GeneralizedSamplerOptions : SamplerOptions
{
    /// <summary>The solver (Heun by default).</summary>
    public OdeSolver Solver { get; init; } = OdeSolver.Heun;

    /// <summary>α of <see cref="OdeSolver.RungeKutta2"/>, in (0, 1] (ignored otherwise; Heun uses 1).</summary>
    public double Alpha { get; init; } = 1;

    /// <summary>σ(t) (linear, as in EDM, by default).</summary>
    public SigmaFunction Sigma { get; init; } = SigmaFunction.Linear;

    /// <summary>s(t) (none, as in EDM, by default).</summary>
    public ScalingFunction Scaling { get; init; } = ScalingFunction.None;

    /// <summary>The constants of σ(t) = VP.</summary>
    public VpNoiseLevel VpNoiseLevel { get; init; } = VpNoiseLevel.Default;

    /// <summary>Optional EDM churn (Algorithm 2 generalised to σ(t), s(t)).</summary>
    public StochasticityOptions Stochasticity { get; init; } = StochasticityOptions.None;

    /// <summary>The VP column of Karras et al. 2022, Table 1: σ(t) VP, s(t) VP (pair with <see cref="SigmaSchedules.Vp"/>).</summary>
    public static GeneralizedSamplerOptions VpPreset(OdeSolver solver = OdeSolver.Heun) =>
        new() { Solver = solver, Sigma = SigmaFunction.Vp, Scaling = ScalingFunction.Vp };

    /// <summary>The VE column: σ(t) = √t, s(t) = 1 (pair with <see cref="SigmaSchedules.Ve"/>).</summary>
    public static GeneralizedSamplerOptions VePreset(OdeSolver solver = OdeSolver.Heun) =>
        new() { Solver = solver, Sigma = SigmaFunction.Ve, Scaling = ScalingFunction.None };

    /// <summary>The iDDPM/DDIM and EDM columns: σ(t) = t, s(t) = 1 (pair with <see cref="SigmaSchedules.Iddpm"/> or <see cref="SigmaSchedules.Karras"/>).</summary>
    public static GeneralizedSamplerOptions LinearPreset(OdeSolver solver = OdeSolver.Heun) =>
        new() { Solver = solver, Sigma = SigmaFunction.Linear, Scaling = ScalingFunction.None };

    /// <summary>
    /// Rectified flow: σ(t) = t/(1 − t), s(t) = 1 − t, so the ODE of Karras et al. 2022, Eq. 4 becomes the flow ODE
    /// <c>dx_t/dt = (x_t − D)/t = v(x_t; t)</c> and the solver steps in t on x_t: Euler is the flow-matching Euler sampler
    /// of SD3 (the same steps as DDIM and Euler in σ), Heun its second-order counterpart. Any σ grid works; pair with
    /// <see cref="SigmaSchedules.FlowShift"/>. Input and output are in σ form, as for every sampler.
    /// </summary>
    public static GeneralizedSamplerOptions RectifiedFlowPreset(OdeSolver solver = OdeSolver.Heun) =>
        new() { Solver = solver, Sigma = SigmaFunction.RectifiedFlow, Scaling = ScalingFunction.RectifiedFlow };

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        if (!Enum.IsDefined(Solver)) throw new ArgumentException($"Unknown solver {Solver}.", nameof(Solver));
        if (!Enum.IsDefined(Sigma)) throw new ArgumentException($"Unknown σ(t) {Sigma}.", nameof(Sigma));
        if (!Enum.IsDefined(Scaling)) throw new ArgumentException($"Unknown s(t) {Scaling}.", nameof(Scaling));
        if (Solver == OdeSolver.RungeKutta2 && !(Alpha > 0 && Alpha <= 1))
        {
            throw new ArgumentException($"α must lie in (0, 1] for second-order Runge–Kutta; got {Alpha} (1 = Heun, 0.5 = midpoint).", nameof(Alpha));
        }

        ArgumentNullException.ThrowIfNull(VpNoiseLevel, nameof(VpNoiseLevel));
        VpNoiseLevel.Validate();
        ArgumentNullException.ThrowIfNull(Stochasticity, nameof(Stochasticity));
        Stochasticity.Validate();
    }
}

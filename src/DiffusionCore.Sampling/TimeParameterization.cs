using DiffusionCore.Schedules;

namespace DiffusionCore.Sampling;

/// <summary>σ(t), σ'(t), σ⁻¹ and s(t), s'(t) of Karras et al. 2022, Table 1, for the generalised sampler.</summary>
internal sealed class TimeParameterization
{
    private readonly SigmaFunction _sigma;
    private readonly ScalingFunction _scaling;
    private readonly VpNoiseLevel _vp;

    public TimeParameterization(SigmaFunction sigma, ScalingFunction scaling, VpNoiseLevel vp)
    {
        _sigma = sigma;
        _scaling = scaling;
        _vp = vp;
    }

    public double Sigma(double t) => _sigma switch
    {
        SigmaFunction.Vp => _vp.Sigma(t),
        SigmaFunction.Ve => Math.Sqrt(t),
        _ => t,
    };

    public double SigmaDerivative(double t) => _sigma switch
    {
        SigmaFunction.Vp => _vp.SigmaDerivative(t),
        SigmaFunction.Ve => 0.5 / Math.Sqrt(t),
        _ => 1,
    };

    public double Time(double sigma) => _sigma switch
    {
        SigmaFunction.Vp => _vp.Time(sigma),
        SigmaFunction.Ve => sigma * sigma,
        _ => sigma,
    };

    public double Scale(double t) => _scaling == ScalingFunction.Vp ? 1 / Math.Sqrt(1 + Math.Pow(Sigma(t), 2)) : 1;

    public double ScaleDerivative(double t) =>
        _scaling == ScalingFunction.Vp ? -Sigma(t) * SigmaDerivative(t) * Math.Pow(Scale(t), 3) : 0;
}

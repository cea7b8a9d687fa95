using DiffusionCore.Schedules;

namespace DiffusionCore.Sampling;

/// <summary>σ(t), σ'(t), σ⁻¹ and s(t), s'(t) of Karras et al. 2022, Table 1 (and the rectified-flow column), for the generalised sampler.</summary>
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
        SigmaFunction.RectifiedFlow => t / (1 - t),
        _ => t,
    };

    public double SigmaDerivative(double t) => _sigma switch
    {
        SigmaFunction.Vp => _vp.SigmaDerivative(t),
        SigmaFunction.Ve => 0.5 / Math.Sqrt(t),
        SigmaFunction.RectifiedFlow => 1 / ((1 - t) * (1 - t)),
        _ => 1,
    };

    public double Time(double sigma) => _sigma switch
    {
        SigmaFunction.Vp => _vp.Time(sigma),
        SigmaFunction.Ve => sigma * sigma,
        SigmaFunction.RectifiedFlow => sigma / (1 + sigma),
        _ => sigma,
    };

    public double Scale(double t) => _scaling switch
    {
        ScalingFunction.Vp => 1 / Math.Sqrt(1 + Math.Pow(Sigma(t), 2)),
        ScalingFunction.RectifiedFlow => 1 - t,
        _ => 1,
    };

    public double ScaleDerivative(double t) => _scaling switch
    {
        ScalingFunction.Vp => -Sigma(t) * SigmaDerivative(t) * Math.Pow(Scale(t), 3),
        ScalingFunction.RectifiedFlow => -1,
        _ => 0,
    };
}

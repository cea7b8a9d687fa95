namespace DiffusionCore.Torch.Nn;

/// <summary>How <see cref="Init.KaimingUniform"/> and <see cref="Init.KaimingNormal"/> pick the fan.</summary>
public enum FanMode
{
    /// <summary>Preserve the variance of activations in the forward pass (fan_in).</summary>
    FanIn,

    /// <summary>Preserve the variance of gradients in the backward pass (fan_out).</summary>
    FanOut,
}

/// <summary>Nonlinearities known to <see cref="Init.CalculateGain"/> (torch.nn.init.calculate_gain).</summary>
public enum Nonlinearity
{
    /// <summary>Identity / linear layer: gain 1.</summary>
    Linear,

    /// <summary>Convolution (any dimension, transposed or not): gain 1.</summary>
    Conv,

    /// <summary>Sigmoid: gain 1.</summary>
    Sigmoid,

    /// <summary>Tanh: gain 5/3.</summary>
    Tanh,

    /// <summary>ReLU: gain √2.</summary>
    Relu,

    /// <summary>Leaky ReLU with negative slope a: gain √(2/(1+a²)).</summary>
    LeakyRelu,

    /// <summary>SELU: gain 3/4.</summary>
    Selu,
}

/// <summary>
/// In-place weight initialisation (torch.nn.init), with the same formulas and the same libtorch draws, so a seeded
/// <see cref="Generator"/> gives the tensors PyTorch gives with the same generator state. Every method runs under
/// <see cref="NoGradScope"/>, works on parameters that require gradients, and returns its argument.
/// </summary>
public static class Init
{
    /// <summary>The recommended gain for a nonlinearity (torch.nn.init.calculate_gain).</summary>
    /// <param name="nonlinearity">The nonlinearity.</param>
    /// <param name="negativeSlope">For <see cref="Nonlinearity.LeakyRelu"/> only: the slope (PyTorch's default 0.01 when null).</param>
    public static double CalculateGain(Nonlinearity nonlinearity, double? negativeSlope = null) => nonlinearity switch
    {
        Nonlinearity.Linear or Nonlinearity.Conv or Nonlinearity.Sigmoid => 1.0,
        Nonlinearity.Tanh => 5.0 / 3.0,
        Nonlinearity.Relu => Math.Sqrt(2.0),
        Nonlinearity.LeakyRelu => Math.Sqrt(2.0 / (1 + Math.Pow(negativeSlope ?? 0.01, 2))),
        Nonlinearity.Selu => 3.0 / 4.0,
        _ => throw new ArgumentOutOfRangeException(nameof(nonlinearity), nonlinearity, "unknown nonlinearity"),
    };

    /// <summary>
    /// fan_in = size(1)·receptive field and fan_out = size(0)·receptive field, where the receptive field is the product
    /// of the sizes after the first two (torch.nn.init._calculate_fan_in_and_fan_out). For a transposed-convolution
    /// weight [in, out/groups, kh, kw] this is PyTorch's convention too.
    /// </summary>
    /// <exception cref="ArgumentException">The tensor has fewer than 2 dimensions.</exception>
    public static (long FanIn, long FanOut) CalculateFanInAndFanOut(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        long[] shape = tensor.Shape;
        if (shape.Length < 2)
        {
            throw new ArgumentException(
                $"Fan in and fan out cannot be computed for a tensor with fewer than 2 dimensions (shape [{string.Join(", ", shape)}]).", nameof(tensor));
        }

        long receptive = 1;
        for (int i = 2; i < shape.Length; i++)
        {
            receptive *= shape[i];
        }

        return (shape[1] * receptive, shape[0] * receptive);
    }

    /// <summary>Fills with U(a, b) (torch.nn.init.uniform_).</summary>
    public static Tensor Uniform(Tensor tensor, double a = 0, double b = 1, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        using var noGrad = new NoGradScope();
        return tensor.UniformInPlace(a, b, generator);
    }

    /// <summary>Fills with N(mean, std²) (torch.nn.init.normal_).</summary>
    public static Tensor Normal(Tensor tensor, double mean = 0, double std = 1, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        using var noGrad = new NoGradScope();
        return tensor.NormalInPlace(mean, std, generator);
    }

    /// <summary>Fills with a constant (torch.nn.init.constant_).</summary>
    public static Tensor Constant(Tensor tensor, double value)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        using var noGrad = new NoGradScope();
        return tensor.FillInPlace(value);
    }

    /// <summary>Fills with zeros (torch.nn.init.zeros_).</summary>
    public static Tensor Zeros(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        using var noGrad = new NoGradScope();
        return tensor.ZeroInPlace();
    }

    /// <summary>Fills with ones (torch.nn.init.ones_).</summary>
    public static Tensor Ones(Tensor tensor) => Constant(tensor, 1.0);

    /// <summary>
    /// Glorot/Xavier uniform: U(−a, a) with a = gain·√(6/(fan_in + fan_out)) (Glorot &amp; Bengio 2010, Eq. 16;
    /// torch.nn.init.xavier_uniform_).
    /// </summary>
    public static Tensor XavierUniform(Tensor tensor, double gain = 1.0, Generator? generator = null)
    {
        (long fanIn, long fanOut) = CalculateFanInAndFanOut(tensor);
        double std = gain * Math.Sqrt(2.0 / (fanIn + fanOut));
        double a = Math.Sqrt(3.0) * std;
        return Uniform(tensor, -a, a, generator);
    }

    /// <summary>Glorot/Xavier normal: N(0, std²) with std = gain·√(2/(fan_in + fan_out)) (torch.nn.init.xavier_normal_).</summary>
    public static Tensor XavierNormal(Tensor tensor, double gain = 1.0, Generator? generator = null)
    {
        (long fanIn, long fanOut) = CalculateFanInAndFanOut(tensor);
        double std = gain * Math.Sqrt(2.0 / (fanIn + fanOut));
        return Normal(tensor, 0, std, generator);
    }

    /// <summary>
    /// He/Kaiming uniform: U(−b, b) with b = gain·√(3/fan), gain = <see cref="CalculateGain"/>(nonlinearity, a)
    /// (He et al. 2015, §2.2; torch.nn.init.kaiming_uniform_); a no-op on a zero-element tensor. PyTorch's layers use a = √5 with leaky ReLU, which gives
    /// b = 1/√fan_in.
    /// </summary>
    /// <param name="tensor">The tensor to fill (at least 2-D).</param>
    /// <param name="a">Negative slope of the rectifier after this layer (leaky ReLU only).</param>
    /// <param name="mode">Which fan to preserve.</param>
    /// <param name="nonlinearity">The nonlinearity after this layer; <see cref="Nonlinearity.Relu"/> or <see cref="Nonlinearity.LeakyRelu"/> recommended.</param>
    /// <param name="generator">The generator to draw from (the default generator when null).</param>
    public static Tensor KaimingUniform(Tensor tensor, double a = 0, FanMode mode = FanMode.FanIn, Nonlinearity nonlinearity = Nonlinearity.LeakyRelu, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.NumElements == 0)
        {
            return tensor;
        }

        double bound = Math.Sqrt(3.0) * KaimingStd(tensor, a, mode, nonlinearity);
        return Uniform(tensor, -bound, bound, generator);
    }

    /// <summary>He/Kaiming normal: N(0, std²) with std = gain/√fan (He et al. 2015, Eq. 10; torch.nn.init.kaiming_normal_).</summary>
    /// <param name="tensor">The tensor to fill (at least 2-D).</param>
    /// <param name="a">Negative slope of the rectifier after this layer (leaky ReLU only).</param>
    /// <param name="mode">Which fan to preserve.</param>
    /// <param name="nonlinearity">The nonlinearity after this layer.</param>
    /// <param name="generator">The generator to draw from (the default generator when null).</param>
    public static Tensor KaimingNormal(Tensor tensor, double a = 0, FanMode mode = FanMode.FanIn, Nonlinearity nonlinearity = Nonlinearity.LeakyRelu, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return tensor.NumElements == 0 ? tensor : Normal(tensor, 0, KaimingStd(tensor, a, mode, nonlinearity), generator);
    }

    /// <summary>
    /// PyTorch's default initialisation of Linear and convolution layers (their <c>reset_parameters</c>): the weight by
    /// kaiming_uniform_(a = √5), i.e. U(−1/√fan_in, 1/√fan_in), then the bias by U(−1/√fan_in, 1/√fan_in); same draw order.
    /// </summary>
    internal static void DefaultLayerInit(Tensor weight, Tensor? bias, Generator? generator)
    {
        KaimingUniform(weight, a: Math.Sqrt(5.0), generator: generator);
        if (bias is not null)
        {
            long fanIn = CalculateFanInAndFanOut(weight).FanIn;
            double bound = fanIn > 0 ? 1.0 / Math.Sqrt(fanIn) : 0.0;
            Uniform(bias, -bound, bound, generator);
        }
    }

    private static double KaimingStd(Tensor tensor, double a, FanMode mode, Nonlinearity nonlinearity)
    {
        (long fanIn, long fanOut) = CalculateFanInAndFanOut(tensor);
        long fan = mode == FanMode.FanIn ? fanIn : fanOut;
        return CalculateGain(nonlinearity, a) / Math.Sqrt(fan);
    }
}

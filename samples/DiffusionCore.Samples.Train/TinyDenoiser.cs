using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Samples.Train;

/// <summary>
/// A residual convolutional denoiser D(y) = y − F(y), where F (conv 3x3 → SiLU → conv 3x3 → SiLU → conv 3x3) estimates
/// the noise, as in DnCNN (Zhang et al. 2017). State-dict keys: body.0.weight, body.0.bias, body.2.weight, …
/// </summary>
internal sealed class TinyDenoiser : Module, ITensorModule
{
    private readonly Sequential _body;

    public TinyDenoiser(int channels, Generator generator)
    {
        _body = RegisterModule("body", new Sequential(
            new Conv2d(1, channels, 3, padding: 1, generator: generator),
            new Silu(),
            new Conv2d(channels, channels, 3, padding: 1, generator: generator),
            new Silu(),
            new Conv2d(channels, 1, 3, padding: 1, generator: generator)));
    }

    public Tensor Forward(Tensor input) => input - _body.Forward(input);
}

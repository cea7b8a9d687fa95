using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Data;

/// <summary>
/// Augmentations whose parameters become the sample's control metadata (Berrada et al. 2024, "On improved conditioning
/// mechanisms and pre-training strategies for diffusion models"; docs/control-conditioning.md): a random resized
/// square crop (side s·H, uniform s in [MinCropScale, MaxCropScale], placed uniformly inside the image, resized back to
/// H×W bilinearly) and a horizontal flip. The control vector <c>[B, 4]</c> is
/// <c>[flip, 1 − s, t_x, t_y]</c> with flip ∈ {0, 1} and (t_x, t_y) the crop centre in normalised image coordinates
/// ([−1, 1], |t| ≤ 1 − s): all zeros for an unaugmented sample, so the neutral controls at sampling
/// (<see cref="Neutral"/>) mean "the whole image, not mirrored". Draws come from the caller's CPU generator in a fixed
/// order (flip, crop, scale, centre), one of each per sample whether used or not, so the same seed gives the same batch.
/// </summary>
public sealed class ControlAugmentation
{
    /// <summary>The number of control values per sample.</summary>
    public const int Width = 4;

    private readonly ControlAugmentationOptions _options;

    /// <summary>Creates the augmentation.</summary>
    public ControlAugmentation(ControlAugmentationOptions? options = null)
    {
        _options = options ?? new ControlAugmentationOptions();
        _options.Validate();
    }

    /// <summary>The options in use.</summary>
    public ControlAugmentationOptions Options => _options;

    /// <summary>The neutral controls <c>[B, 4]</c> (zeros): whole image, not mirrored.</summary>
    public static Tensor Neutral(long batch, Device? device = null) => Tensor.Zeros([batch, Width], DType.Float32, device);

    /// <summary>
    /// The control vectors <c>[B, 4]</c> of chosen augmentation parameters (for sampling with controls): per sample a
    /// flip flag, the crop side fraction s ∈ (0, 1] and the crop centre (t_x, t_y) in normalised coordinates.
    /// </summary>
    /// <exception cref="ArgumentException">An array has another length than the batch, or a crop leaves the image.</exception>
    public static Tensor Controls(bool[] flip, double[] scale, double[] centreX, double[] centreY)
    {
        ArgumentNullException.ThrowIfNull(flip);
        ArgumentNullException.ThrowIfNull(scale);
        ArgumentNullException.ThrowIfNull(centreX);
        ArgumentNullException.ThrowIfNull(centreY);
        int b = flip.Length;
        if (scale.Length != b || centreX.Length != b || centreY.Length != b)
        {
            throw new ArgumentException($"Give one flip, scale and centre per sample; got {b}, {scale.Length}, {centreX.Length}, {centreY.Length}.", nameof(scale));
        }

        var values = new float[b * Width];
        for (int i = 0; i < b; i++)
        {
            double s = scale[i];
            if (!(s is > 0 and <= 1) || Math.Abs(centreX[i]) > 1 - s + 1e-9 || Math.Abs(centreY[i]) > 1 - s + 1e-9)
            {
                throw new ArgumentException(
                    $"Sample {i}: a crop of side {s} centred at ({centreX[i]}, {centreY[i]}) must have 0 < s ≤ 1 and |centre| ≤ 1 − s to stay inside the image.", nameof(scale));
            }

            values[(i * Width) + 0] = flip[i] ? 1 : 0;
            values[(i * Width) + 1] = (float)(1 - s);
            values[(i * Width) + 2] = (float)centreX[i];
            values[(i * Width) + 3] = (float)centreY[i];
        }

        return Tensor.FromArray(values).Reshape(b, Width);
    }

    /// <summary>
    /// Augments float images <c>[B, C, H, W]</c>; returns the images and their float32 control vectors <c>[B, 4]</c>
    /// (on the images' device), both in the caller's current <see cref="TensorScope"/>.
    /// </summary>
    /// <param name="images">Floating-point images (any device).</param>
    /// <param name="generator">The CPU generator every draw comes from.</param>
    public AugmentedBatch Apply(Tensor images, Generator generator)
    {
        AugmentationInput.Check(images, generator);

        long batch = images.Size(0);
        Device device = images.Device;
        Tensor result;
        Tensor controls;
        using (new TensorScope())
        {
            Tensor flip = Tensor.Rand([batch], generator).Lt(_options.FlipProbability).To(DType.Float32);
            Tensor crop = Tensor.Rand([batch], generator).Lt(_options.CropProbability).To(DType.Float32);
            Tensor u = Tensor.Rand([batch], generator);
            Tensor centre = Tensor.Rand([batch, 2], generator).Mul(2).Sub(1);           // uniform in [−1, 1]
            Tensor scale = u.Mul(_options.MaxCropScale - _options.MinCropScale).Add(_options.MinCropScale);
            Tensor shrink = scale.RSub(1.0).Mul(crop);                                    // 1 − s, 0 when not cropped
            Tensor offset = centre.Mul(shrink.Unsqueeze(1));                              // |t| ≤ 1 − s

            Tensor x = Tensor.Where(PerImage(flip.Gt(0.5), device), images.Flip(3), images);
            Tensor side = shrink.RSub(1.0);
            Tensor zero = side.ZerosLike();
            Tensor theta = Tensor.Stack(
                [Tensor.Stack([side, zero, offset.Select(1, 0)], 1), Tensor.Stack([zero, side, offset.Select(1, 1)], 1)], 1); // [B, 2, 3]
            Tensor grid = Functional.AffineGrid(theta.To(device, images.DType), images.Shape, alignCorners: false);
            Tensor cropped = Functional.GridSample(x, grid, GridSampleMode.Bilinear, GridSamplePadding.Border, alignCorners: false);
            x = Tensor.Where(PerImage(crop.Gt(0.5), device), cropped, x);

            controls = Tensor.Stack([flip, shrink, offset.Select(1, 0), offset.Select(1, 1)], 1).To(device).MoveToOuterScope();
            result = x.MoveToOuterScope();
        }

        return new AugmentedBatch(result, controls);
    }

    private static Tensor PerImage(Tensor perSample, Device device) => perSample.To(device).View(-1, 1, 1, 1);
}

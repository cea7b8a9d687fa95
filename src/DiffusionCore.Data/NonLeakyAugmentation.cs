using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Data;

/// <summary>
/// EDM's non-leaky geometric augmentation (Karras et al. 2022, App. C.4 and Table 7): x-flip, y-flip, integer
/// translation, isotropic scaling, fractional rotation and anisotropic scaling, each applied per sample with
/// probability min(1, p × multiplier), returning the 9-value label vector of <see cref="AugmentationLabels"/> that
/// conditions the network. All arithmetic runs in libtorch; every random draw comes from the caller's
/// <see cref="Generator"/>, in a fixed order, so the same seed gives the same batch.
/// </summary>
/// <remarks>
/// Flips and the integer translation move pixels exactly (translation reflects at the border, as EDM pads with
/// reflection). Scaling, rotation and anisotropy are combined into one affine matrix per sample and applied by
/// <see cref="Functional.AffineGrid"/> + <see cref="Functional.GridSample"/> (bilinear, reflection padding) only to the
/// samples that drew one of them; EDM additionally filters with a wavelet kernel to suppress aliasing, which this
/// implementation omits. Random draws happen only for transforms whose probability is above zero, in this order:
/// x-flip, y-flip, translation, scale, rotation, anisotropy.
/// </remarks>
public sealed class NonLeakyAugmentation
{
    private readonly AugmentationOptions _options;

    /// <summary>Creates the augmentation.</summary>
    public NonLeakyAugmentation(AugmentationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <summary>The options in use.</summary>
    public AugmentationOptions Options => _options;

    /// <summary>
    /// Augments a batch of float images [B, C, H, W]. Returns the augmented images (new tensor) and float32 labels
    /// [B, 9]; both belong to the caller's current <see cref="TensorScope"/>.
    /// </summary>
    /// <param name="images">Floating-point images [B, C, H, W] (any range, any device).</param>
    /// <param name="generator">The CPU generator all draws come from.</param>
    public AugmentedBatch Apply(Tensor images, Generator generator)
    {
        AugmentationInput.Check(images, generator);

        long batch = images.Size(0);
        long height = images.Size(2);
        long width = images.Size(3);
        AugmentationOptions o = _options;
        Device device = images.Device;

        Tensor xImages;
        Tensor labels;
        using (new TensorScope())
        {
            Tensor x = images;
            Tensor zero = Tensor.Zeros([batch]);
            Tensor xflip = zero, yflip = zero, logScale = zero, rotCos = zero, rotSin = zero;
            Tensor anisoX = zero, anisoY = zero, transX = zero, transY = zero;

            if (Chance(o.XFlip) > 0)
            {
                xflip = GatedFlip(batch, Chance(o.XFlip), generator);
                x = Tensor.Where(Mask(xflip.Gt(0.5), device), x.Flip(3), x);
            }

            if (Chance(o.YFlip) > 0)
            {
                yflip = GatedFlip(batch, Chance(o.YFlip), generator);
                x = Tensor.Where(Mask(yflip.Gt(0.5), device), x.Flip(2), x);
            }

            if (Chance(o.Translate) > 0 && o.TranslateMax > 0)
            {
                Tensor t = Tensor.Rand([batch, 2], generator).Mul(2).Sub(1);
                t = t.Mul(Gate(batch, Chance(o.Translate), generator).Unsqueeze(1));
                Tensor shiftX = t.Select(1, 0).Mul(width * o.TranslateMax).Round();
                Tensor shiftY = t.Select(1, 1).Mul(height * o.TranslateMax).Round();
                transX = shiftX.Div((double)width);
                transY = shiftY.Div((double)height);
                x = IntegerTranslate(x, shiftX, shiftY);
            }

            Tensor needsWarp = Tensor.Zeros([batch], DType.Bool);
            if (Chance(o.Scale) > 0 && o.ScaleStd > 0)
            {
                logScale = Tensor.Randn([batch], generator).Mul(o.ScaleStd).Mul(Gate(batch, Chance(o.Scale), generator));
                needsWarp = needsWarp.LogicalOr(logScale.Ne(0.0));
            }

            Tensor angle = zero;
            if (Chance(o.Rotate) > 0 && o.RotateMax > 0)
            {
                angle = Tensor.Rand([batch], generator).Mul(2).Sub(1).Mul(Math.PI * o.RotateMax).Mul(Gate(batch, Chance(o.Rotate), generator));
                rotCos = angle.Cos().Sub(1.0);
                rotSin = angle.Sin();
                needsWarp = needsWarp.LogicalOr(angle.Ne(0.0));
            }

            Tensor stretch = zero, direction = zero;
            if (Chance(o.Anisotropy) > 0 && o.AnisotropyStd > 0)
            {
                stretch = Tensor.Randn([batch], generator).Mul(o.AnisotropyStd);
                direction = Tensor.Rand([batch], generator).Mul(2).Sub(1).Mul(Math.PI);
                stretch = stretch.Mul(Gate(batch, Chance(o.Anisotropy), generator));
                anisoX = stretch.Mul(direction.Cos());
                anisoY = stretch.Mul(direction.Sin());
                needsWarp = needsWarp.LogicalOr(stretch.Ne(0.0));
            }

            if (needsWarp.Any().ToBoolean())
            {
                Tensor theta = InverseAffine(logScale, angle, stretch, direction, height, width).To(device, images.DType);
                Tensor grid = Functional.AffineGrid(theta, [batch, images.Size(1), height, width], alignCorners: false);
                Tensor warped = Functional.GridSample(x, grid, GridSampleMode.Bilinear, GridSamplePadding.Reflection, alignCorners: false);
                x = Tensor.Where(Mask(needsWarp, device), warped, x);
            }

            xImages = ReferenceEquals(x, images) ? images.Clone() : x;
            labels = Tensor.Stack([xflip, yflip, logScale, rotCos, rotSin, anisoX, anisoY, transX, transY], 1).To(device);
            xImages.MoveToOuterScope();
            labels.MoveToOuterScope();
        }

        return new AugmentedBatch(xImages, labels);
    }

    private double Chance(double multiplier) => Math.Min(1.0, _options.Probability * multiplier);

    /// <summary>1.0 where a sample draws the transform (probability <paramref name="p"/>), else 0.0; float32 [B].</summary>
    private static Tensor Gate(long batch, double p, Generator generator) => Tensor.Rand([batch], generator).Lt(p).To(DType.Float32);

    /// <summary>A fair coin per sample, zeroed where the transform is not drawn.</summary>
    private static Tensor GatedFlip(long batch, double p, Generator generator)
    {
        Tensor coin = Tensor.RandInt(0, 2, [batch], generator, DType.Float32);
        return coin.Mul(Gate(batch, p, generator));
    }

    private static Tensor Mask(Tensor perSample, Device device) => perSample.To(device).View(-1, 1, 1, 1);

    /// <summary>Moves sample b's content by (shiftX[b], shiftY[b]) whole pixels, reflecting at the border (no repeated edge).</summary>
    private static Tensor IntegerTranslate(Tensor x, Tensor shiftX, Tensor shiftY)
    {
        long batch = x.Size(0), channels = x.Size(1), height = x.Size(2), width = x.Size(3);
        Tensor cols = Reflect(Tensor.Arange(width).View(1, width).Sub(shiftX.To(DType.Int64).View(batch, 1)), width);
        Tensor rows = Reflect(Tensor.Arange(height).View(1, height).Sub(shiftY.To(DType.Int64).View(batch, 1)), height);
        Tensor colIndex = cols.To(x.Device).View(batch, 1, 1, width).Expand([batch, channels, height, width]);
        Tensor rowIndex = rows.To(x.Device).View(batch, 1, height, 1).Expand([batch, channels, height, width]);
        return x.Gather(3, colIndex).Gather(2, rowIndex);
    }

    /// <summary>Reflects indices into [0, n − 1] without repeating the edge (valid for |overshoot| ≤ n − 1).</summary>
    private static Tensor Reflect(Tensor index, long n) => index.Abs().Sub(n - 1).Abs().Neg().Add(n - 1);

    /// <summary>
    /// The output→input matrix for AffineGrid, [B, 2, 3]: the inverse of S(2^s)·R(θ)·A with
    /// A = R(φ)·diag(2^w, 2^−w)·R(−φ), expressed in normalised coordinates (corrected for non-square images).
    /// </summary>
    private static Tensor InverseAffine(Tensor logScale, Tensor angle, Tensor stretch, Tensor direction, long height, long width)
    {
        Tensor inverseScale = logScale.Neg().Exp2();
        Tensor m = Rotation(direction)
            .Bmm(Diagonal(stretch.Neg().Exp2(), stretch.Exp2()))
            .Bmm(Rotation(direction.Neg()))
            .Bmm(Rotation(angle.Neg()))
            .Bmm(Diagonal(inverseScale, inverseScale));
        Tensor aspect = Tensor.FromArray(new[] { 1f, (float)height / width, (float)width / height, 1f }, 1, 2, 2);
        Tensor translation = Tensor.Zeros([logScale.Size(0), 2, 1]);
        return Tensor.Cat([m.Mul(aspect), translation], 2);
    }

    private static Tensor Rotation(Tensor angle)
    {
        Tensor c = angle.Cos(), s = angle.Sin();
        return Tensor.Stack([Tensor.Stack([c, s.Neg()], 1), Tensor.Stack([s, c], 1)], 1);
    }

    private static Tensor Diagonal(Tensor a, Tensor b)
    {
        Tensor z = a.ZerosLike();
        return Tensor.Stack([Tensor.Stack([a, z], 1), Tensor.Stack([z, b], 1)], 1);
    }
}

/// <summary>Small tensor helpers for the augmentation.</summary>
file static class AugmentationTensorExtensions
{
    /// <summary>2^x.</summary>
    public static Tensor Exp2(this Tensor x) => x.Mul(Math.Log(2)).Exp();
}

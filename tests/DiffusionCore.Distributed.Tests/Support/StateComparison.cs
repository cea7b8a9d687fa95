using DiffusionCore.Torch;
using DiffusionCore.Torch.Serialization;

namespace DiffusionCore.Distributed.Tests.Support;

/// <summary>Compares two safetensors files holding the same tensors.</summary>
internal static class StateComparison
{
    /// <summary>How far <c>a</c> is from <c>b</c>.</summary>
    /// <param name="Relative">‖a − b‖ / ‖b‖ over all tensors together.</param>
    /// <param name="WorstTensor">The largest per-tensor ‖a − b‖ / ‖b‖, and the tensor's name.</param>
    /// <param name="BitForBit">Whether every element has the same bits.</param>
    internal readonly record struct Difference(double Relative, (double Relative, string Name) WorstTensor, bool BitForBit)
    {
        public override string ToString() =>
            $"relative {Relative:G3} (worst tensor {WorstTensor.Name}: {WorstTensor.Relative:G3}), bit for bit {BitForBit}";
    }

    public static Difference Compare(string a, string b)
    {
        using var scope = new TensorScope();
        using SafeTensorsContents x = SafeTensors.Load(a);
        using SafeTensorsContents y = SafeTensors.Load(b);
        x.Tensors.Keys.Should().BeEquivalentTo(y.Tensors.Keys);
        double totalDiff = 0, totalNorm = 0;
        (double Relative, string Name) worst = (0, "none");
        bool exact = true;
        foreach ((string name, Tensor ta) in x.Tensors)
        {
            float[] va = ta.To(DType.Float32).Contiguous().ToArray<float>();
            float[] vb = y.Tensors[name].To(DType.Float32).Contiguous().ToArray<float>();
            va.Length.Should().Be(vb.Length, name);
            double diff = 0, norm = 0;
            for (int i = 0; i < va.Length; i++)
            {
                exact &= BitConverter.SingleToInt32Bits(va[i]) == BitConverter.SingleToInt32Bits(vb[i]);
                diff += ((double)va[i] - vb[i]) * ((double)va[i] - vb[i]);
                norm += (double)vb[i] * vb[i];
            }

            totalDiff += diff;
            totalNorm += norm;
            double relative = diff > 0 ? Math.Sqrt(diff / Math.Max(norm, double.Epsilon)) : 0;
            if (relative > worst.Relative) worst = (relative, name);
        }

        return new Difference(totalDiff > 0 ? Math.Sqrt(totalDiff / totalNorm) : 0, worst, exact);
    }
}

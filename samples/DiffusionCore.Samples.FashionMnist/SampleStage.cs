using DiffusionCore.Networks.Edm2;
using DiffusionCore.Sampling;
using DiffusionCore.Sampling.Guidance;
using DiffusionCore.Schedules;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Serialization;
using DiffusionCore.Training.Checkpoints;

namespace DiffusionCore.Samples.FashionMnist;

/// <summary>Class-conditional sampling with a chosen solver, one noise stream per image seed, optional CFG.</summary>
internal static class SampleStage
{
    public sealed record Samples(Tensor Images, int[] Classes, long FunctionEvaluations) : IDisposable
    {
        public void Dispose() => Images.Dispose();
    }

    /// <summary>Loads the post-hoc EMA weights if reconstructed, else the newest checkpoint's raw network weights.</summary>
    public static Edm2Denoiser LoadNetwork(JobOptions o, out string source)
    {
        Edm2Denoiser net = FashionMnistModel.Create(o, (ulong)o.Seed);
        string posthoc = PostHocStage.PathFor(o);
        if (File.Exists(posthoc))
        {
            net.LoadStateDict(posthoc);
            source = posthoc;
        }
        else
        {
            string? newest = Directory.Exists(o.RunDirectory)
                ? Directory.GetFiles(o.RunDirectory, "training-state-*.safetensors").OrderDescending(StringComparer.Ordinal).FirstOrDefault()
                : null;
            if (newest is null)
            {
                net.Dispose();
                throw new InvalidOperationException($"No trained weights in {o.RunDirectory}: run `main.sh train` (and `main.sh posthoc`) first.");
            }

            net.LoadStateDict(newest, keyPrefix: TrainingStateKeys.Network);
            source = newest;
        }

        net.Eval();
        return net;
    }

    /// <summary>Generates <paramref name="classes"/>.Length images; image k uses seed <c>o.Seed·10⁶ + firstSeed + k</c>.</summary>
    public static Samples Generate(JobOptions o, IDenoiser denoiser, int[] classes, long firstSeed = 0, int batch = 250)
    {
        double[] sigmas = SigmaSchedules.Karras(o.Steps);
        ISampler sampler = o.Sampler switch
        {
            "euler" => new EulerSampler(new EulerOptions { Precision = o.Precision }),
            "dpm2m" => new DpmSolverPlusPlus2MSampler(new DpmSolverPlusPlus2MOptions { Precision = o.Precision }),
            _ => new HeunSampler(new HeunOptions { Precision = o.Precision }),
        };
        IDenoiser guided = o.Guidance == 1.0 ? denoiser : new ClassifierFreeGuidance(denoiser, o.Guidance, Unconditional.ZeroClassLabels());
        var parts = new List<Tensor>();
        long nfe = 0;
        ProgressDisplay.Run("sample", classes.Length, report =>
        {
            for (int start = 0; start < classes.Length; start += batch)
            {
                int n = Math.Min(batch, classes.Length - start);
                ulong[] seeds = Enumerable.Range(0, n).Select(k => ((ulong)o.Seed * 1_000_000UL) + (ulong)(firstSeed + start + k)).ToArray();
                using var noise = new PerSampleNoiseSource(seeds);
                using var scope = new TensorScope();
                Tensor labels = Tensor.FromArray(classes.Skip(start).Take(n).Select(c => (long)c).ToArray()).OneHot(FashionMnistModel.Classes).To(DType.Float32);
                Tensor x = Latents.Initial(noise, [n, 1, FashionMnistModel.Resolution, FashionMnistModel.Resolution], sigmas);
                SamplingResult r = sampler.Sample(guided, x, sigmas, Conditioning.FromClassLabels(labels), noise);
                nfe = r.FunctionEvaluations;
                parts.Add(r.Samples.Clamp(-1, 1).DetachFromScope());
                report(start + n, $"{start + n}/{classes.Length} images, {nfe} NFE each");
            }

            return 0;
        });
        using var join = new TensorScope();
        Tensor images = Tensor.Cat(parts).DetachFromScope();
        foreach (Tensor p in parts) p.Dispose();
        return new Samples(images, classes, nfe);
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text;
using DiffusionCore.Denoisers;
using DiffusionCore.Evaluation;
using DiffusionCore.Networks.Edm2;
using DiffusionCore.Sampling;
using DiffusionCore.Guidance;
using DiffusionCore.Schedules;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Serialization;
using DiffusionCore.Data;

namespace DiffusionCore.SolverStudy;

/// <summary>
/// FD-FMNIST against function evaluations: the main job's EDM2 model and the flow-matching run, each sampled with
/// several solvers at several NFE budgets, the same seeds (S..S+n−1) and classes (k mod 10) for every row, with
/// classifier-free guidance (one batched call per step, so NFE counts guided evaluations).
/// </summary>
internal static class SolverSweep
{
    private sealed record Setup(string Model, string Solver, string Grid, Func<int, (ISampler Sampler, double[] Sigmas)> ForNfe);

    public static void Run(StudyOptions o)
    {
        using var scope = new TensorScope();
        using var init = new Generator(JobNetwork.Seed);
        using var edm2 = new Edm2Denoiser(JobNetwork.Options, init);
        edm2.LoadStateDict(Existing(JobNetwork.PostHocPath(o.Edm2Run), "./eng/main.sh, then ./eng/main.sh posthoc (σ_rel 0.10)"));
        edm2.Eval();
        using var unet = new Edm2UNet(JobNetwork.Options, init);
        unet.LoadStateDict(Existing(JobNetwork.PostHocPath(o.FlowRun), "the train-flow command"));
        unet.Eval();
        IDenoiser flow = PreconditionedDenoiser.FlowMatching(unet);

        Setup[] setups =
        [
            new("EDM2", "Heun", "Karras", n => (new HeunSampler(), SigmaSchedules.Karras((n + 1) / 2))),
            new("EDM2", "DPM-Solver++(2M)", "Karras", n => (new DpmSolverPlusPlus2MSampler(), SigmaSchedules.Karras(n))),
            new("EDM2", "UniPC-2 (bh2)", "Karras", n => (new UniPcSampler(), SigmaSchedules.Karras(n))),
            new("EDM2", "DPM-Solver++(3M) SDE", "Karras", n => (new DpmSolverPlusPlus3MSdeSampler(), SigmaSchedules.Karras(n))),
            new("flow", "Heun in t", "flow shift 1", n => (new GeneralizedSampler(GeneralizedSamplerOptions.RectifiedFlowPreset()), SigmaSchedules.FlowShift((n + 1) / 2))),
            new("flow", "Heun", "Karras", n => (new HeunSampler(), SigmaSchedules.Karras((n + 1) / 2))),
            new("flow", "DPM-Solver++(2M)", "Karras", n => (new DpmSolverPlusPlus2MSampler(), SigmaSchedules.Karras(n))),
            new("flow", "UniPC-2 (bh2)", "Karras", n => (new UniPcSampler(), SigmaSchedules.Karras(n))),
        ];

        using FashionMnistEvaluator evaluator = FashionMnistEvaluator.Create();
        FashionMnistDataset train = FashionMnistDataset.Load(new FashionMnistOptions { Resolution = JobNetwork.Resolution });
        double floor = evaluator.FrechetDistance(train, o.Samples);
        var table = new StringBuilder();
        ulong lastSeed = o.FirstSeed + (ulong)o.Samples - 1;
        table.AppendLine(CultureInfo.InvariantCulture,
            $"{o.Samples} images per row (seeds {o.FirstSeed}..{lastSeed}, class k mod 10), guidance w = {o.Guidance}; " +
            $"FD of {o.Samples} real training images: {floor:F1}.");
        table.AppendLine();
        table.AppendLine("| model | solver | grid | steps | NFE | FD-FMNIST | class agreement | seconds |");
        table.AppendLine("|---|---|---|---:|---:|---:|---:|---:|");
        Console.Write(table);
        ulong[] seeds = [.. Enumerable.Range(0, o.Samples).Select(k => o.FirstSeed + (ulong)k)];
        long[] classes = [.. Enumerable.Range(0, o.Samples).Select(k => (long)(k % JobNetwork.Classes))];
        foreach (Setup setup in setups.Where(s => o.Only is null || $"{s.Model} {s.Solver}".Contains(o.Only, StringComparison.Ordinal)))
        {
            IDenoiser denoiser = setup.Model == "EDM2" ? edm2 : flow;
            IDenoiser guided = o.Guidance == 1 ? denoiser : new ClassifierFreeGuidance(denoiser, o.Guidance, Unconditional.ZeroClassLabels());
            foreach (int nfe in o.Nfe)
            {
                using var rowScope = new TensorScope();
                (ISampler sampler, double[] sigmas) = setup.ForNfe(nfe);
                var clock = Stopwatch.StartNew();
                Tensor labels = Tensor.FromArray(classes).OneHot(JobNetwork.Classes).To(DType.Float32);
                BatchedSamplingResult r = sampler.Generate(guided, seeds, [1, JobNetwork.Resolution, JobNetwork.Resolution], sigmas,
                    Conditioning.FromClassLabels(labels), new SamplingBatchOptions { BatchSize = 64 });
                EvaluationResult e = evaluator.Evaluate([new ImageBatch(r.Samples.Clamp(-1, 1), Tensor.FromArray(classes))]);
                string row = string.Create(CultureInfo.InvariantCulture,
                    $"| {setup.Model} | {setup.Solver} | {setup.Grid} | {sigmas.Length - 1} | {r.FunctionEvaluations} | " +
                    $"{e.FrechetDistance:F1} | {e.ClassAgreement:P1} | {clock.Elapsed.TotalSeconds:F0} |");
                Console.WriteLine(row);
                table.AppendLine(row);
                if (o.Out is not null) File.WriteAllText(o.Out, table.ToString());
            }
        }
    }

    private static string Existing(string path, string how) =>
        File.Exists(path) ? path : throw new FileNotFoundException($"{path} does not exist: run {how} first.", path);
}

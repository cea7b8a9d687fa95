using System.Diagnostics;
using System.Globalization;
using System.Text;
using DiffusionCore.Data;
using DiffusionCore.Evaluation;
using DiffusionCore.Merge;
using DiffusionCore.Networks.Edm2;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Serialization;
using TorchLib = DiffusionCore.Torch.Torch;

namespace DiffusionCore.DeMeStudy;

/// <summary>
/// The study (docs/deme.md): from the main job's post-hoc EMA θ₀ (with identity channel projections added), fine-tune
/// N range copies and one full-range copy with N times the images, search task-arithmetic weights for the copies by FD
/// on a small sample, and score (a) θ₀, (b) the full-range fine-tune, (c) the searched merge, (d) the plain average and
/// (e) TIES on the same seeds; θ₀ is scored on a second seed set as well, which measures the sampling noise of FD.
/// Everything runs with one libtorch thread; the fine-tunes' costs are the training loop's CPU seconds.
/// </summary>
internal static class Study
{
    private const ulong SearchSeed = 0;
    private const ulong FinalSeed = 1_000_000;
    private const ulong NoiseSeed = 2_000_000;

    public static void Run(StudyOptions o)
    {
        TorchLib.NumThreads = 1;
        Directory.CreateDirectory(o.Out);
        var log = new StringBuilder();
        void Say(string line)
        {
            string stamped = $"{DateTime.UtcNow:HH:mm:ss} {line}";
            Console.WriteLine(stamped);
            log.AppendLine(stamped);
            File.WriteAllText(Path.Combine(o.Out, "log.txt"), log.ToString());
        }

        Say($"load: {File.ReadAllText("/proc/loadavg").Trim()}; θ₀ from {o.Pretrained}, fine-tuning seed set {o.Seed}, lr {o.LearningRate}, {o.ImagesPerRange} images per range");
        string basePath = PrepareBase(o, Say);
        FashionMnistDataset data = FashionMnistDataset.Load(new FashionMnistOptions { Resolution = JobModel.Resolution });
        var arms = new List<FineTune.Arm> { new("full", 1, 0, o.ImagesPerRange * o.Ranges, 1000 + (100L * o.Seed)) };
        arms.AddRange(Enumerable.Range(0, o.Ranges).Select(k => new FineTune.Arm($"range{k}", o.Ranges, k, o.ImagesPerRange, 1001 + (100L * o.Seed) + k)));
        var paths = new Dictionary<string, string>();
        foreach (FineTune.Arm arm in arms)
        {
            (string path, double cpu) = FineTune.Run(arm, basePath, o, data);
            paths[arm.Name] = path;
            Say($"fine-tune {arm.Name}: {arm.Images} images, range {arm.Range}/{arm.Ranges}, {cpu:F0} CPU s (training loop), load {File.ReadAllText("/proc/loadavg").Trim()}");
        }

        StateDictSource theta0 = StateDictSource.FromFile(basePath);
        StateDictSource[] copies = [.. Enumerable.Range(0, o.Ranges).Select(k => StateDictSource.FromFile(paths[$"range{k}"]))];
        using FashionMnistEvaluator evaluator = FashionMnistEvaluator.Create();
        var scorer = new Scorer(evaluator, o.Steps);
        using Edm2Denoiser net = JobModel.Create(projections: true);
        net.Eval();

        var search = MergeWeightSearch.Search(o.Ranges, w =>
        {
            using (MergedStateDict merged = TaskMerging.TaskArithmetic(theta0, copies, w))
            {
                merged.LoadInto(net);
            }

            return scorer.Score(net, o.SearchSamples, SearchSeed).FrechetDistance;
        }, new WeightSearchOptions { Method = WeightSearchMethod.Coordinate, Budget = o.SearchBudget }, c => Say($"search {Weights(c.Weights)}: FD {c.Score:F2}"));
        File.WriteAllLines(Path.Combine(o.Out, "search.csv"),
            ["candidate," + string.Join(',', Enumerable.Range(0, o.Ranges).Select(k => $"w{k}")) + ",fd"]);
        File.AppendAllLines(Path.Combine(o.Out, "search.csv"),
            search.Candidates.Select((c, i) => string.Create(CultureInfo.InvariantCulture, $"{i},{string.Join(',', c.Weights)},{c.Score:F3}")));
        SearchFigure.Save(search, o.SearchSamples, Path.Combine(o.Out, "deme-search.png"));
        Say($"best weights {Weights(search.Best.Weights)} (FD {search.Best.Score:F2} on {o.SearchSamples} samples)");

        var rows = new List<(string Arm, string Model, EvaluationResult Result, double Seconds)>();
        void Final(string arm, string model, Func<MergedStateDict?> load, ulong seed = FinalSeed)
        {
            var clock = Stopwatch.StartNew();
            using (MergedStateDict? merged = load())
            {
                if (merged is null) net.LoadStateDict(paths.GetValueOrDefault(model, basePath));
                else merged.LoadInto(net);
            }

            EvaluationResult r = scorer.Score(net, o.FinalSamples, seed);
            rows.Add((arm, model, r, clock.Elapsed.TotalSeconds));
            Say($"final {arm} {model} seeds {seed}+: FD {r.FrechetDistance:F2}, class agreement {r.ClassAgreement:P1}");
        }

        Final("(a)", "pretrained θ₀", () => null);
        Final("(a')", "pretrained θ₀, second seed set", () => null, NoiseSeed);
        Final("(b)", "full", () => null);
        Final("(c)", $"DeMe merge, searched weights {Weights(search.Best.Weights)}", () => TaskMerging.TaskArithmetic(theta0, copies, search.Best.Weights));
        Final("(d)", "plain average of the range copies", () => TaskMerging.Average(copies));
        Final("(e)", "TIES merge of the range copies (density 0.2, λ 1)", () => TiesMerging.Merge(theta0, copies));

        var table = new StringBuilder();
        table.AppendLine(CultureInfo.InvariantCulture, $"| arm | model | FD-FMNIST ({o.FinalSamples} samples) | class agreement |");
        table.AppendLine("|---|---|---:|---:|");
        foreach ((string arm, string model, EvaluationResult r, _) in rows)
        {
            table.AppendLine(CultureInfo.InvariantCulture, $"| {arm} | {model} | {r.FrechetDistance:F2} | {r.ClassAgreement:P1} |");
        }

        File.WriteAllText(Path.Combine(o.Out, "results.md"), table.ToString());
        Say("results:\n" + table);
        Say($"load: {File.ReadAllText("/proc/loadavg").Trim()}");
    }

    /// <summary>θ₀ with identity projections, saved once; checks that the projections leave its output bit for bit unchanged.</summary>
    private static string PrepareBase(StudyOptions o, Action<string> say)
    {
        string path = Path.Combine(o.Out, "base.safetensors");
        string posthoc = JobModel.PostHoc(o.Pretrained);
        using Edm2Denoiser plain = JobModel.Create(projections: false);
        plain.LoadStateDict(posthoc);
        plain.Eval();
        using Edm2Denoiser projected = JobModel.Create(projections: true);
        var loaded = projected.LoadStateDict(posthoc, strict: false);
        projected.Eval();
        using var scope = new TensorScope();
        using var g = new Generator(7);
        Tensor x = Tensor.Randn([8, 1, JobModel.Resolution, JobModel.Resolution], g);
        Tensor sigma = Tensor.FromArray(new[] { 0.01f, 0.1f, 0.3f, 1f, 2f, 5f, 20f, 80f });
        var c = Conditioning.FromClassLabels(Tensor.Arange(8).Remainder(JobModel.Classes).OneHot(JobModel.Classes).To(DType.Float32));
        Tensor a, b;
        using (new NoGradScope())
        {
            a = plain.Denoise(x * sigma.Reshape(-1, 1, 1, 1), sigma, c);
            b = projected.Denoise(x * sigma.Reshape(-1, 1, 1, 1), sigma, c);
        }

        bool identical = a.Eq(b).All().To(DType.Int64).ToArray<long>()[0] == 1;
        say($"θ₀ = {posthoc}; {loaded.MissingKeys.Count} projection weights added (identity); outputs with and without them bit-identical: {identical}");
        if (!File.Exists(path)) projected.SaveStateDict(path);
        return path;
    }

    private static string Weights(IReadOnlyList<double> w) => "[" + string.Join(", ", w.Select(v => v.ToString("0.##", CultureInfo.InvariantCulture))) + "]";
}

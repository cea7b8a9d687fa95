using System.Diagnostics;
using System.Globalization;
using DiffusionCore.Samples.Cli;
using DiffusionCore.Samples.Train;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;
using DiffusionCore.Torch.Optim;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

return CommandLineApp.Run(TrainCommandLine.Create(Train), args);

static int Train(TrainOptions options)
{
    Console.WriteLine($"DiffusionCore sample trainer on libtorch {Torch.Version}, {Torch.NumThreads} thread(s)");
    using var generator = new Generator(options.Seed);
    using var model = new TinyDenoiser(channels: 32, generator);
    using var adam = new Adam(model.Parameters(), new AdamOptions { LearningRate = options.LearningRate });
    Console.WriteLine($"Denoiser: {model.NumParameters():N0} parameters; {options.Steps} steps of {options.BatchSize} images, noise sigma {options.Sigma}");
    Console.WriteLine($"Loss of returning the noisy input unchanged: {options.Sigma * options.Sigma:F4}");

    // Mean squared error of D(clean + sigma·noise) against clean; records a graph unless under NoGradScope.
    Tensor DenoisingLoss(Tensor clean)
    {
        using var scope = new TensorScope();
        Tensor noisy = clean + clean.RandnLike(generator) * options.Sigma;
        return Functional.MseLoss(model.Forward(noisy), clean).MoveToOuterScope();
    }

    var clock = Stopwatch.StartNew();
    double running = 0;
    int counted = 0;
    for (int step = 1; step <= options.Steps; step++)
    {
        using var scope = new TensorScope();
        adam.ZeroGrad();
        Tensor loss = DenoisingLoss(SmoothImages.Sample(options.BatchSize, generator));
        loss.Backward();
        adam.Step();
        running += loss.ToDouble();
        counted++;
        if (step % options.LogEvery == 0 || step == options.Steps)
        {
            Console.WriteLine($"step {step,5}  loss {running / counted:F4}  ({clock.Elapsed.TotalSeconds:F1} s)");
            running = 0;
            counted = 0;
        }
    }

    model.Eval();
    double heldOut;
    using (new TensorScope())
    using (new NoGradScope())
    {
        using var evalGenerator = new Generator(options.Seed + 1);
        Tensor clean = SmoothImages.Sample(256, evalGenerator);
        Tensor noisy = clean + clean.RandnLike(evalGenerator) * options.Sigma;
        heldOut = Functional.MseLoss(model.Forward(noisy), clean).ToDouble();
    }

    double baseline = options.Sigma * options.Sigma;
    Console.WriteLine($"Held-out loss {heldOut:F4} vs {baseline:F4} for the noisy input ({baseline / heldOut:F1}x lower), {clock.Elapsed.TotalSeconds:F1} s in all");
    if (!(heldOut < baseline))
    {
        Console.Error.WriteLine("Training did not learn to denoise: the held-out loss is not below that of the noisy input.");
        return 1;
    }

    return 0;
}

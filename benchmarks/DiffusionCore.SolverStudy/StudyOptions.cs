using System.Globalization;

namespace DiffusionCore.SolverStudy;

/// <summary>The command line of the study: a command and <c>--name value</c> options.</summary>
internal sealed class StudyOptions
{
    public const string Usage = """
        Solver study on the Fashion-MNIST main job (FD-FMNIST against function evaluations).

          train-flow   trains the main job's network as a rectified-flow model (same budget, schedule, EMA and label
                       dropout as the EDM2 default) and reconstructs its post-hoc EMA
          sweep        samples both models with each solver at several NFE and evaluates FD-FMNIST

        Options:
          --edm2-run DIR   the main job's run directory (./eng/main.sh writes it)       [runs/fashion-mnist]
          --flow-run DIR   the flow-matching run directory                                [runs/fashion-mnist-flow]
          --images N       training budget in images (train-flow)                          [28000]
          --samples N      images per FD evaluation (sweep)                                [300]
          --first-seed S   image k uses seed S + k (sweep; the main job evaluates with 100000)  [0]
          --nfe LIST       comma-separated function-evaluation budgets (sweep)             [5,10,15,20,35]
          --guidance W     classifier-free guidance scale                                  [2.0]
          --only TEXT      sweep only the rows whose "model solver" contains TEXT
          --out FILE       also write the table to FILE (sweep)
        """;

    public string Command { get; private init; } = "help";

    public string Edm2Run { get; private set; } = "runs/fashion-mnist";

    public string FlowRun { get; private set; } = "runs/fashion-mnist-flow";

    public long Images { get; private set; } = 28_000;

    public int Samples { get; private set; } = 300;

    public ulong FirstSeed { get; private set; }

    public int[] Nfe { get; private set; } = [5, 10, 15, 20, 35];

    public double Guidance { get; private set; } = 2.0;

    public string? Out { get; private set; }

    public string? Only { get; private set; }

    public static StudyOptions Parse(string[] args)
    {
        var o = new StudyOptions { Command = args.Length > 0 ? args[0] : "help" };
        for (int i = 1; i < args.Length; i += 2)
        {
            string key = args[i];
            string value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"Option {key} needs a value.");
            switch (key)
            {
                case "--edm2-run": o.Edm2Run = value; break;
                case "--flow-run": o.FlowRun = value; break;
                case "--images": o.Images = Positive(key, long.Parse(value, CultureInfo.InvariantCulture)); break;
                case "--samples": o.Samples = (int)Positive(key, int.Parse(value, CultureInfo.InvariantCulture)); break;
                case "--first-seed": o.FirstSeed = ulong.Parse(value, CultureInfo.InvariantCulture); break;
                case "--nfe": o.Nfe = [.. value.Split(',').Select(v => (int)Positive(key, int.Parse(v, CultureInfo.InvariantCulture)))]; break;
                case "--guidance": o.Guidance = double.Parse(value, CultureInfo.InvariantCulture) is var w && double.IsFinite(w) ? w : throw new ArgumentException("--guidance must be a finite number."); break;
                case "--out": o.Out = value; break;
                case "--only": o.Only = value; break;
                default: throw new ArgumentException($"Unknown option {key}.\n{Usage}");
            }
        }

        return o;
    }

    private static T Positive<T>(string key, T value)
        where T : System.Numerics.INumber<T> =>
        value > T.Zero ? value : throw new ArgumentException($"{key} must be positive, got {value}.");
}

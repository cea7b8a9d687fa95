namespace DiffusionCore.SolverStudy;

/// <summary>
/// Entry point of the solver study (docs/sampling.md, "Solvers on the main job"): <c>train-flow</c>, then <c>sweep</c>.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        StudyOptions o;
        try
        {
            o = StudyOptions.Parse(args);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }

        switch (o.Command)
        {
            case "train-flow": FlowTraining.Run(o); return 0;
            case "sweep": SolverSweep.Run(o); return 0;
            default: Console.WriteLine(StudyOptions.Usage); return o.Command is "help" or "--help" or "-h" ? 0 : 2;
        }
    }
}

using DiffusionCore.Distributed.Worker;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Distributed;

// Usage: DiffusionCore.Distributed.Worker <scenario> [options], under the launch variables of one rank.
Torch.NumThreads = 1;
var env = DistributedEnvironment.FromEnvironment();
string scenario = args.Length > 0 ? args[0] : string.Empty;
TimeSpan timeout = TimeSpan.FromSeconds(args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 20);
switch (scenario)
{
    case "collectives":
        CollectiveScenario.Run(env, timeout);
        break;
    case "peer-killed":
        FaultScenarios.PeerKilled(env, timeout);
        break;
    case "peer-hangs":
        FaultScenarios.PeerHangs(env, timeout);
        break;
    case "rendezvous":
        FaultScenarios.Rendezvous(env, timeout);
        break;
    case "train":
        return TrainingScenario.Run(env, timeout, args[2..]);
    default:
        Console.Error.WriteLine($"unknown scenario '{scenario}'");
        return 2;
}

return 0;

namespace DiffusionCore.Hosting;

/// <summary>How <see cref="DiffusionTrainingService"/> runs the trainer.</summary>
public sealed class TrainingServiceOptions
{
    /// <summary>Stop the application when training ends, finished or cancelled (default true): a training host is a job, not a server.</summary>
    public bool StopApplicationWhenDone { get; set; } = true;

    /// <summary>The name of the dedicated training thread (default "DiffusionCore training"), as debuggers and dumps show it.</summary>
    public string ThreadName { get; set; } = "DiffusionCore training";
}

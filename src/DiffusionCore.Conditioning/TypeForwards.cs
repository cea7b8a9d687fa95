using System.Runtime.CompilerServices;

// ClassLabelFormat moved to the DiffusionCore assembly (same namespace) so that ClassLabelSpec and model files can name it.
[assembly: TypeForwardedTo(typeof(DiffusionCore.Labels.ClassLabelFormat))]

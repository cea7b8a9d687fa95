using System.Text.Json;
using System.Text.Json.Serialization;

namespace DiffusionCore.Evaluation;

/// <summary>
/// The outcome of <see cref="FashionMnistEvaluator.Evaluate(IEnumerable{Data.ImageBatch})"/>, shaped for a
/// run's JSON summary (snake_case names via <see cref="ToJson"/> or any System.Text.Json serializer).
/// </summary>
/// <param name="FrechetDistance">FD-FMNIST: the Fréchet distance (Heusel et al. 2017, eq. 6) between the classifier
/// features of the evaluated images and those of the 10,000 Fashion-MNIST test images. Lower is better; 0 for identical
/// feature statistics.</param>
/// <param name="ImageCount">How many images were evaluated.</param>
/// <param name="ClassAgreement">The fraction of labelled images the classifier assigns to their requested class;
/// null when no image carried a label.</param>
/// <param name="LabelledImageCount">How many images carried a requested class.</param>
/// <param name="ReferenceImageCount">How many reference (test-set) images the FD compares against.</param>
/// <param name="ClassifierTestAccuracy">The classifier's own accuracy on the test set (how far its judgement goes).</param>
/// <param name="FeatureDimension">The dimension of the feature vectors.</param>
public sealed record EvaluationResult(
    [property: JsonPropertyName("fd_fmnist")] double FrechetDistance,
    [property: JsonPropertyName("images")] long ImageCount,
    [property: JsonPropertyName("class_agreement")] double? ClassAgreement,
    [property: JsonPropertyName("labelled_images")] long LabelledImageCount,
    [property: JsonPropertyName("reference_images")] long ReferenceImageCount,
    [property: JsonPropertyName("classifier_test_accuracy")] double ClassifierTestAccuracy,
    [property: JsonPropertyName("feature_dimension")] int FeatureDimension)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The result as an indented JSON object with snake_case property names.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Indented);
}

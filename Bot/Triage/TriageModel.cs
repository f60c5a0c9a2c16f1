using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Text;

namespace SupportBot.Triage;

// Two text classifiers trained with ML.NET on the project's labelled messages: urgency (emergency/normal/unclear)
// and category. Fixed seed and one thread, so the same data always gives the same model.
public sealed class TriageModel
{
    public const int MaxChars = 4000;
    readonly MLContext ml;
    readonly ITransformer model;
    readonly DataViewSchema inputSchema;
    readonly ThreadLocal<PredictionEngine<Input, Output>> engine;

    TriageModel(MLContext ml, ITransformer model, DataViewSchema inputSchema)
    {
        this.ml = ml;
        this.model = model;
        this.inputSchema = inputSchema;
        engine = new(() => ml.Model.CreatePredictionEngine<Input, Output>(model, inputSchema));
        var output = model.GetOutputSchema(inputSchema);
        UrgencyLabels = SlotNames(output, nameof(Output.UrgencyScore));
        CategoryLabels = SlotNames(output, nameof(Output.CategoryScore));
    }

    public IReadOnlyList<string> UrgencyLabels { get; }
    public IReadOnlyList<string> CategoryLabels { get; }

    public static TriageModel Train(IEnumerable<LabelledMessage> data)
    {
        var ml = new MLContext(seed: 7);
        var rows = data.Select(m => new Input { Text = Prepare(m.Text), Label = m.Label, Category = m.Category }).ToList();
        var view = ml.Data.LoadFromEnumerable(rows);
        return new TriageModel(ml, Pipeline(ml).Fit(view), view.Schema);
    }

    public static TriageModel Load(string directory)
    {
        var ml = new MLContext(seed: 7);
        var model = ml.Model.Load(Path.Combine(directory, "triage.zip"), out var schema);
        return new TriageModel(ml, model, schema);
    }

    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        ml.Model.Save(model, inputSchema, Path.Combine(directory, "triage.zip"));
    }

    public IReadOnlyDictionary<string, float> Urgency(string text) => Predict(text).Urgency;

    // Both answers from one pass over the text: featurising is most of the cost.
    public (IReadOnlyDictionary<string, float> Urgency, IReadOnlyDictionary<string, float> Category) Predict(string text)
    {
        var output = engine.Value!.Predict(new Input { Text = Prepare(text) });
        return (Zip(UrgencyLabels, output.UrgencyScore), Zip(CategoryLabels, output.CategoryScore));
    }

    static Dictionary<string, float> Zip(IReadOnlyList<string> labels, float[] scores)
    {
        var result = new Dictionary<string, float>(labels.Count);
        for (var i = 0; i < labels.Count && i < scores.Length; i++)
            result[labels[i]] = scores[i];
        return result;
    }

    static string Prepare(string text) => Signals.Normalize(text.Length > MaxChars ? text[..MaxChars] : text);

    static IEstimator<ITransformer> Pipeline(MLContext ml) =>
        ml.Transforms.Text.FeaturizeText("Features", new TextFeaturizingEstimator.Options
            {
                CaseMode = TextNormalizingEstimator.CaseMode.Lower,
                KeepDiacritics = false,
                KeepPunctuations = false,
                KeepNumbers = true,
                WordFeatureExtractor = new WordBagEstimator.Options { NgramLength = 2, UseAllLengths = true },
                CharFeatureExtractor = new WordBagEstimator.Options { NgramLength = 4, UseAllLengths = false },
                Norm = TextFeaturizingEstimator.NormFunction.L2,
            }, nameof(Input.Text))
            .Append(Classifier(ml, nameof(Input.Label), nameof(Output.UrgencyScore)))
            .Append(Classifier(ml, nameof(Input.Category), nameof(Output.CategoryScore)));

    // Each classifier writes "Score"; copy it aside so the next one can write its own.
    static IEstimator<ITransformer> Classifier(MLContext ml, string labelColumn, string scoreColumn) =>
        ml.Transforms.Conversion.MapValueToKey("LabelKey", labelColumn)
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(new()
            {
                LabelColumnName = "LabelKey",
                FeatureColumnName = "Features",
                NumberOfThreads = 1,
                MaximumNumberOfIterations = 60,
                L2Regularization = 1e-4f,
            }))
            .Append(ml.Transforms.CopyColumns(scoreColumn, "Score"));

    static string[] SlotNames(DataViewSchema schema, string column)
    {
        VBuffer<ReadOnlyMemory<char>> names = default;
        schema[column].GetSlotNames(ref names);
        return names.DenseValues().Select(n => n.ToString()).ToArray();
    }

    sealed class Input
    {
        public string Text { get; set; } = "";
        public string Label { get; set; } = "";
        public string Category { get; set; } = "";
    }

    sealed class Output
    {
        public float[] UrgencyScore { get; set; } = [];
        public float[] CategoryScore { get; set; } = [];
    }
}

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
    readonly ITransformer urgency;
    readonly ITransformer category;
    readonly ThreadLocal<PredictionEngine<Input, Output>> urgencyEngine;
    readonly ThreadLocal<PredictionEngine<Input, Output>> categoryEngine;

    TriageModel(MLContext ml, ITransformer urgency, ITransformer category, DataViewSchema schema)
    {
        this.ml = ml;
        this.urgency = urgency;
        this.category = category;
        urgencyEngine = new(() => ml.Model.CreatePredictionEngine<Input, Output>(urgency, schema));
        categoryEngine = new(() => ml.Model.CreatePredictionEngine<Input, Output>(category, schema));
        UrgencyLabels = LabelsOf(urgency, schema);
        CategoryLabels = LabelsOf(category, schema);
    }

    public IReadOnlyList<string> UrgencyLabels { get; }
    public IReadOnlyList<string> CategoryLabels { get; }

    public static TriageModel Train(IEnumerable<LabelledMessage> data)
    {
        var ml = new MLContext(seed: 7);
        var rows = data.Select(m => new Input { Text = Prepare(m.Text), Label = m.Label, Category = m.Category }).ToList();
        var view = ml.Data.LoadFromEnumerable(rows);
        var urgency = Pipeline(ml, nameof(Input.Label)).Fit(view);
        var category = Pipeline(ml, nameof(Input.Category)).Fit(view);
        return new TriageModel(ml, urgency, category, view.Schema);
    }

    public static TriageModel Load(string directory)
    {
        var ml = new MLContext(seed: 7);
        var urgency = ml.Model.Load(Path.Combine(directory, "urgency.zip"), out var schema);
        var category = ml.Model.Load(Path.Combine(directory, "category.zip"), out _);
        return new TriageModel(ml, urgency, category, schema);
    }

    public void Save(string directory, DataViewSchema? schema = null)
    {
        Directory.CreateDirectory(directory);
        var inputSchema = schema ?? ml.Data.LoadFromEnumerable(Array.Empty<Input>()).Schema;
        ml.Model.Save(urgency, inputSchema, Path.Combine(directory, "urgency.zip"));
        ml.Model.Save(category, inputSchema, Path.Combine(directory, "category.zip"));
    }

    public IReadOnlyDictionary<string, float> Urgency(string text) => Scores(urgencyEngine.Value!, UrgencyLabels, text);

    public IReadOnlyDictionary<string, float> Category(string text) => Scores(categoryEngine.Value!, CategoryLabels, text);

    static Dictionary<string, float> Scores(PredictionEngine<Input, Output> engine, IReadOnlyList<string> labels, string text)
    {
        var output = engine.Predict(new Input { Text = Prepare(text) });
        var scores = new Dictionary<string, float>(labels.Count);
        for (var i = 0; i < labels.Count && i < output.Score.Length; i++)
            scores[labels[i]] = output.Score[i];
        return scores;
    }

    static string Prepare(string text) => Signals.Normalize(text.Length > MaxChars ? text[..MaxChars] : text);

    static IEstimator<ITransformer> Pipeline(MLContext ml, string labelColumn) =>
        ml.Transforms.Conversion.MapValueToKey("LabelKey", labelColumn)
            .Append(ml.Transforms.Text.FeaturizeText("Features", new TextFeaturizingEstimator.Options
            {
                CaseMode = TextNormalizingEstimator.CaseMode.Lower,
                KeepDiacritics = false,
                KeepPunctuations = false,
                KeepNumbers = true,
                WordFeatureExtractor = new WordBagEstimator.Options { NgramLength = 2, UseAllLengths = true },
                CharFeatureExtractor = new WordBagEstimator.Options { NgramLength = 4, UseAllLengths = false },
                Norm = TextFeaturizingEstimator.NormFunction.L2,
            }, nameof(Input.Text)))
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(new()
            {
                LabelColumnName = "LabelKey",
                FeatureColumnName = "Features",
                NumberOfThreads = 1,
                MaximumNumberOfIterations = 60,
                L2Regularization = 1e-4f,
            }));

    static string[] LabelsOf(ITransformer model, DataViewSchema schema)
    {
        var output = model.GetOutputSchema(schema);
        VBuffer<ReadOnlyMemory<char>> names = default;
        output["Score"].GetSlotNames(ref names);
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
        public float[] Score { get; set; } = [];
    }
}

using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Text;

namespace SupportBot.Knowledge;

// Two text models learnt with ML.NET, the ranker's signals for what the words say rather than which words match:
// which article a message asks for (from the tuning messages and queries, and each article's title and tags so every
// article has a voice, with "none" for the messages no article answers), and whether it is an IT problem at all (the
// same messages, plus the triage's training messages, every one an IT problem). Fixed seeds and one thread, so the same
// data always gives the same models.
public sealed class ArticleClassifier
{
    public const string None = "none";
    public const string FileName = "classifier.zip";
    public const string GateFileName = "it-question.zip";
    readonly MLContext ml;
    readonly (ITransformer Model, DataViewSchema Schema) articles;
    readonly (ITransformer Model, DataViewSchema Schema) gate;
    readonly ThreadLocal<PredictionEngine<Input, ArticleOutput>> articleEngine;
    readonly ThreadLocal<PredictionEngine<Input, GateOutput>> gateEngine;
    readonly string[] labels;

    ArticleClassifier(MLContext ml, (ITransformer, DataViewSchema) articles, (ITransformer, DataViewSchema) gate)
    {
        this.ml = ml;
        this.articles = articles;
        this.gate = gate;
        articleEngine = new(() => ml.Model.CreatePredictionEngine<Input, ArticleOutput>(this.articles.Model, this.articles.Schema));
        gateEngine = new(() => ml.Model.CreatePredictionEngine<Input, GateOutput>(this.gate.Model, this.gate.Schema));
        VBuffer<ReadOnlyMemory<char>> names = default;
        this.articles.Model.GetOutputSchema(this.articles.Schema)["Score"].GetSlotNames(ref names);
        labels = [.. names.DenseValues().Select(n => n.ToString())];
    }

    // itProblems: other messages known to be IT problems (the triage's training set).
    public static ArticleClassifier Train(IEnumerable<Article> source, IReadOnlyList<KnowledgeQuery> examples, IEnumerable<string> itProblems)
    {
        var ml = new MLContext(seed: 11);
        var rows = source.SelectMany(a => new[] { $"{a.Title} {string.Join(' ', a.Tags)}", Opening(a) }.Select(text => new Input { Text = Prepare(text), Label = a.Id }))
            .Concat(examples.SelectMany(e => e.Answerable
                ? e.Ids.Select(id => new Input { Text = Prepare(e.Query), Label = id })
                : [new Input { Text = Prepare(e.Query), Label = None }]))
            .ToList();
        var view = ml.Data.LoadFromEnumerable(rows);
        var gateRows = examples.Select(e => new Input { Text = Prepare(e.Query), IsIt = e.Answerable })
            .Concat(itProblems.Select(t => new Input { Text = Prepare(t), IsIt = true }))
            .ToList();
        var gateView = ml.Data.LoadFromEnumerable(gateRows);
        return new ArticleClassifier(ml, (ArticlePipeline(ml).Fit(view), view.Schema), (GatePipeline(ml).Fit(gateView), gateView.Schema));
    }

    public static ArticleClassifier Load(string directory)
    {
        var ml = new MLContext(seed: 11);
        var articles = ml.Model.Load(Path.Combine(directory, FileName), out var schema);
        var gate = ml.Model.Load(Path.Combine(directory, GateFileName), out var gateSchema);
        return new ArticleClassifier(ml, (articles, schema), (gate, gateSchema));
    }

    public void Save(string directory)
    {
        ml.Model.Save(articles.Model, articles.Schema, Path.Combine(directory, FileName));
        ml.Model.Save(gate.Model, gate.Schema, Path.Combine(directory, GateFileName));
    }

    // Each label's probability for the text (articles by id, and "none"), and the probability that it is an IT problem.
    public (Dictionary<string, float> Articles, float ItProblem) Predict(string text)
    {
        var input = new Input { Text = Prepare(text) };
        var scores = articleEngine.Value!.Predict(input).Score;
        var result = new Dictionary<string, float>(labels.Length, StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < labels.Length && i < scores.Length; i++)
            result[labels[i]] = scores[i];
        return (result, gateEngine.Value!.Predict(input).Probability);
    }

    // The article's first paragraph: "Use this when ...", in the words of the problem.
    static string Opening(Article article) => article.Body.Split("\n\n", 2)[0];

    static string Prepare(string text) => ChatText.Normalise(text.Length > 2000 ? text[..2000] : text);

    static IEstimator<ITransformer> GatePipeline(MLContext ml) =>
        Featurize(ml).Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression(new()
        {
            LabelColumnName = nameof(Input.IsIt),
            FeatureColumnName = "Features",
            NumberOfThreads = 1,
            MaximumNumberOfIterations = 60,
            L2Regularization = 1e-5f,
        }));

    static IEstimator<ITransformer> ArticlePipeline(MLContext ml) =>
        ml.Transforms.Conversion.MapValueToKey("LabelKey", nameof(Input.Label))
            .Append(Featurize(ml))
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(new()
            {
                LabelColumnName = "LabelKey",
                FeatureColumnName = "Features",
                NumberOfThreads = 1,
                MaximumNumberOfIterations = 60,
                L2Regularization = 1e-5f,
            }));

    static IEstimator<ITransformer> Featurize(MLContext ml) =>
        ml.Transforms.Text.FeaturizeText("Features", new TextFeaturizingEstimator.Options
            {
                CaseMode = TextNormalizingEstimator.CaseMode.Lower,
                KeepDiacritics = false,
                KeepPunctuations = false,
                KeepNumbers = false,
                StopWordsRemoverOptions = new StopWordsRemovingEstimator.Options { Language = TextFeaturizingEstimator.Language.English },
                WordFeatureExtractor = new WordBagEstimator.Options { NgramLength = 2, UseAllLengths = true },
                CharFeatureExtractor = new WordBagEstimator.Options { NgramLength = 4, UseAllLengths = false },
                Norm = TextFeaturizingEstimator.NormFunction.L2,
            }, nameof(Input.Text));

    sealed class Input
    {
        public string Text { get; set; } = "";
        public string Label { get; set; } = "";
        public bool IsIt { get; set; }
    }

    sealed class ArticleOutput
    {
        public float[] Score { get; set; } = [];
    }

    sealed class GateOutput
    {
        public float Probability { get; set; }
    }
}

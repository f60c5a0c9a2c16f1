using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Util;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Analysis.En;
using Lucene.Net.Analysis.Standard;
using Lucene.Net.Analysis.Synonym;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Store;
using Lucene.Net.Util;

namespace SupportBot.Knowledge;

// Score: how likely the article is to help, as the ranker estimates it (0 to 1).
public sealed record SearchHit(Article Article, float Score);

// An article the search found for a message, with the evidence the ranker weighs.
public sealed record Candidate(Article Article, float[] Features);

// An immutable Lucene index over a set of articles and over the labelled example messages that name them (the tuning
// sets: how people really ask for each article). A message finds candidates both ways, BM25 with English stemming,
// query-time synonyms and typo tolerance; the ranker then keeps those likely to help. Queries are built term by term,
// never parsed, so Lucene syntax in what users type is just text.
public sealed class KnowledgeIndex : IDisposable
{
    const LuceneVersion Version = LuceneVersion.LUCENE_48;
    const int MaxQueryTerms = 32;
    const int MaxQueryChars = 1000;
    const int ArticleCandidates = 10;
    const int ExampleCandidates = 20;
    const int BucketScoringFrom = 2000;
    static readonly (string Field, float Boost)[] ArticleFields = [("title", 3f), ("tags", 2f), ("body", 1f)];
    static readonly (string Field, float Boost)[] ExampleFields = [("text", 1f)];
    static readonly SynonymMap SynonymMap = BuildSynonyms();
    // Lucene analyzers are safe to share across threads (each thread gets its own token stream).
    static readonly Analyzer TermAnalyzer = new EnglishStemmingAnalyzer(SynonymMap);
    static readonly Analyzer IndexAnalyzer = new EnglishStemmingAnalyzer(synonyms: null);

    // A text's words as search sees them (stemmed, stop words out), each word and its synonyms as one term (the first in
    // ordinal order), so "log in" and "login" compare equal: for comparing texts with each other.
    public static IReadOnlyList<string> Terms(string text) => [.. Analyze(TermAnalyzer, text).Select(concept => concept.Min(StringComparer.Ordinal)!)];

    readonly RAMDirectory articleDirectory;
    readonly DirectoryReader articleReader;
    readonly IndexSearcher articleSearcher;
    readonly string[] articleIdByDoc;
    readonly RAMDirectory exampleDirectory;
    readonly DirectoryReader exampleReader;
    readonly IndexSearcher exampleSearcher;
    readonly string[] exampleIdByDoc;
    readonly Dictionary<string, Article> articles;
    readonly Dictionary<string, HashSet<string>> termsById;
    readonly Dictionary<string, HashSet<string>> titleTermsById;
    readonly HashSet<string> articlesWithExamples;
    readonly Dictionary<string, int> documentFrequency;
    readonly Dictionary<string, int> vocabulary;
    readonly Dictionary<string, string[]> termsByPrefix;

    readonly ArticleClassifier? classifier;

    KnowledgeIndex(Dictionary<string, Article> articles, IReadOnlyList<(string ArticleId, string Text)> examples, SuggestionRanker? ranker, ArticleClassifier? classifier)
    {
        this.articles = articles;
        this.classifier = classifier;
        Ranker = ranker;
        termsById = new(StringComparer.OrdinalIgnoreCase);
        titleTermsById = new(StringComparer.OrdinalIgnoreCase);
        documentFrequency = new(StringComparer.Ordinal);
        vocabulary = new(StringComparer.Ordinal);

        articleDirectory = new RAMDirectory();
        using (var writer = new IndexWriter(articleDirectory, WriterConfig()))
        {
            foreach (var article in articles.Values)
            {
                var titleAndTags = $"{article.Title} {string.Join(' ', article.Tags)}";
                titleTermsById[article.Id] = Analyze(IndexAnalyzer, titleAndTags).SelectMany(p => p).ToHashSet(StringComparer.Ordinal);
                var terms = termsById[article.Id] = Analyze(IndexAnalyzer, $"{titleAndTags} {article.Body}").SelectMany(p => p).ToHashSet(StringComparer.Ordinal);
                foreach (var t in terms)
                    documentFrequency[t] = documentFrequency.GetValueOrDefault(t) + 1;
                writer.AddDocument(new Document
                {
                    new StringField("id", article.Id, Field.Store.YES),
                    new TextField("title", article.Title, Field.Store.NO),
                    new TextField("tags", string.Join(" , ", article.Tags), Field.Store.NO),
                    new TextField("body", article.Body, Field.Store.NO),
                });
            }
            // One segment: each query term is looked up once, not once per segment (same scores: BM25 statistics are index-wide).
            writer.ForceMerge(1);
            writer.Commit();
        }

        articlesWithExamples = new(StringComparer.OrdinalIgnoreCase);
        exampleDirectory = new RAMDirectory();
        using (var writer = new IndexWriter(exampleDirectory, WriterConfig()))
        {
            foreach (var (articleId, text) in examples)
            {
                if (!articles.ContainsKey(articleId)) continue;
                articlesWithExamples.Add(articleId);
                var normalised = ChatText.Normalise(text);
                foreach (var t in Analyze(IndexAnalyzer, normalised).SelectMany(p => p))
                    vocabulary[t] = vocabulary.GetValueOrDefault(t) + 1;
                writer.AddDocument(new Document
                {
                    new StringField("id", articleId, Field.Store.YES),
                    new TextField("text", normalised, Field.Store.NO),
                });
            }
            writer.Commit();
        }

        // A word no article has and only one example uses is more likely a typo (people's messages have them) than a
        // word: it is neither a known word nor a correction for one.
        foreach (var (t, _) in vocabulary.Where(p => p.Value < 2).ToList())
            vocabulary.Remove(t);
        foreach (var (t, n) in documentFrequency)
            vocabulary[t] = vocabulary.GetValueOrDefault(t) + n;
        termsByPrefix = vocabulary.Keys.Where(t => t.Length >= 4)
            .GroupBy(t => t[..2], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
        articleReader = DirectoryReader.Open(articleDirectory);
        articleSearcher = new IndexSearcher(articleReader) { Similarity = new BM25Similarity() };
        exampleReader = DirectoryReader.Open(exampleDirectory);
        exampleSearcher = new IndexSearcher(exampleReader) { Similarity = new BM25Similarity() };
        articleIdByDoc = IdsByDoc(articleReader);
        exampleIdByDoc = IdsByDoc(exampleReader);

        // The index never changes, so each document's id is read once here rather than from stored fields per hit.
        static string[] IdsByDoc(DirectoryReader reader) => [.. Enumerable.Range(0, reader.MaxDoc).Select(doc => reader.Document(doc).Get("id"))];

        static IndexWriterConfig WriterConfig() =>
            new(Version, IndexAnalyzer) { Similarity = new BM25Similarity(), OpenMode = OpenMode.CREATE };
    }

    public SuggestionRanker? Ranker { get; }
    public int Count => articles.Count;

    // examples: labelled messages and queries (tuning sets only); each names the articles that answer it.
    public static KnowledgeIndex Build(IEnumerable<Article> source, IEnumerable<KnowledgeQuery>? examples = null, SuggestionRanker? ranker = null,
        ArticleClassifier? classifier = null)
    {
        // Later articles with the same id replace earlier ones (a published edit of a file article).
        var byId = new Dictionary<string, Article>(StringComparer.OrdinalIgnoreCase);
        foreach (var article in source) byId[article.Id] = article;
        var pairs = (examples ?? []).SelectMany(e => e.Ids.Select(id => (id, e.Query))).ToList();
        return new KnowledgeIndex(byId, pairs, ranker, classifier);
    }

    public Article? Find(string id) => articles.GetValueOrDefault(id);

    // The articles likely to help, most likely first; none when nothing is likely enough. category: the triage's
    // category for the message, when known.
    public IReadOnlyList<SearchHit> Search(string? query, int top = 3, string? category = null) =>
        (Ranker ?? throw new InvalidOperationException("This index was built without a ranker (training only)"))
            .Choose(Candidates(query, category), top);

    public IReadOnlyList<Candidate> Candidates(string? query, string? category = null)
    {
        if (string.IsNullOrWhiteSpace(query) || articles.Count == 0)
            return [];
        var limited = query.Length > MaxQueryChars ? query[..MaxQueryChars] : query;
        var text = ChatText.Normalise(limited);
        var concepts = Analyze(TermAnalyzer, text).Take(MaxQueryTerms).ToList();
        if (concepts.Count == 0)
            return [];
        // Each concept as the words that count for it: the word typed, its synonyms, and for a typed word not in the
        // index, the indexed words one typo away.
        var typed = concepts.Select(c => c[0]).ToHashSet(StringComparer.Ordinal);
        var near = typed.ToDictionary(t => t, t => NearbyTerms(t).ToList(), StringComparer.Ordinal);
        var expanded = concepts.Select(c => c.Concat(near.GetValueOrDefault(c[0]) ?? []).ToList()).ToList();
        var weights = concepts.Select(c => c.Max(Idf)).ToList();

        var articleHits = Hits(articleSearcher, articleIdByDoc, Query(concepts, typed, near, ArticleFields), ArticleCandidates, inOrder: articles.Count < BucketScoringFrom);
        var exampleHits = Hits(exampleSearcher, exampleIdByDoc, Query(concepts, typed, near, ExampleFields), ExampleCandidates, inOrder: exampleIdByDoc.Length < BucketScoringFrom);

        var articleTop = articleHits.Count > 0 ? articleHits[0].Score : 0;
        var exampleTop = exampleHits.Count > 0 ? exampleHits[0].Score : 0;
        var exampleTotal = exampleHits.Sum(h => h.Score);
        var (predicted, itProblem) = classifier is null ? (null, 0f) : classifier.Predict(limited);
        var classifierNone = predicted?.GetValueOrDefault(ArticleClassifier.None) ?? 0;
        var classified = predicted is null ? [] : predicted.Where(p => p.Key != ArticleClassifier.None && p.Value >= 0.05f)
            .OrderByDescending(p => p.Value).Take(3).Select(p => p.Key);
        var ids = articleHits.Select(h => h.Id).Concat(exampleHits.Select(h => h.Id)).Concat(classified).Distinct(StringComparer.OrdinalIgnoreCase);
        var candidates = new List<Candidate>();
        foreach (var id in ids)
        {
            if (!articles.TryGetValue(id, out var article)) continue;
            var rank = articleHits.FindIndex(h => h.Id.Equals(id, StringComparison.OrdinalIgnoreCase));
            var articleScore = rank >= 0 ? articleHits[rank].Score : 0;
            var exampleScores = exampleHits.Where(h => h.Id.Equals(id, StringComparison.OrdinalIgnoreCase)).Select(h => h.Score).ToList();
            var exampleBest = exampleScores.Count > 0 ? exampleScores.Max() : 0;
            var (coverage, matched) = Coverage(termsById[id], expanded, weights);
            var (titleCoverage, _) = Coverage(titleTermsById[id], expanded, weights);
            candidates.Add(new Candidate(article, CandidateFeatures.Of(
                articleScore: articleScore,
                articleRelative: articleTop > 0 ? articleScore / articleTop : 0,
                articleRank: rank,
                exampleScore: exampleBest,
                exampleRelative: exampleTop > 0 ? exampleBest / exampleTop : 0,
                exampleVotes: exampleTotal > 0 ? exampleScores.Sum() / exampleTotal : 0,
                coverage: coverage,
                matchedInformation: matched,
                titleCoverage: titleCoverage,
                sameCategory: category is not null && string.Equals(category, article.Category, StringComparison.OrdinalIgnoreCase),
                concepts: concepts.Count,
                hasExamples: articlesWithExamples.Contains(id),
                classifierProbability: predicted?.GetValueOrDefault(id) ?? 0,
                classifierNone: classifierNone,
                itProblem: itProblem)));
        }
        return candidates;
    }

    // One flat disjunction of term queries: BM25 has no coord or query norm, so the scores are those of a query nested
    // per term, without a scorer per term to merge.
    static BooleanQuery Query(List<List<string>> concepts, HashSet<string> typed, Dictionary<string, List<string>> near, (string Field, float Boost)[] fields)
    {
        var boolean = new BooleanQuery();
        // At most 64 terms x 3 fields x (the term and 4 near ones) = 960 clauses, under Lucene's limit of 1,024.
        foreach (var term in concepts.SelectMany(c => c).Distinct(StringComparer.Ordinal).Take(MaxQueryTerms * 2))
        {
            var isTyped = typed.Contains(term);
            foreach (var (field, boost) in fields)
            {
                // Synonyms are matched against article titles and tags only: they name the topic, and bodies are
                // where the postings are long.
                if (!isTyped && field == "body") continue;
                // A longer word the user typed says more than a short one or a synonym: weigh it a little higher.
                var weight = isTyped && term.Length >= 5 ? boost * 1.4f : boost;
                boolean.Add(new TermQuery(new Term(field, term)) { Boost = weight }, Occur.SHOULD);
                foreach (var other in isTyped ? near[term] : [])
                    boolean.Add(new TermQuery(new Term(field, other)) { Boost = boost * 0.4f }, Occur.SHOULD);
            }
        }
        return boolean;
    }

    // Same hits and scores either way. Out of order, Lucene's BooleanScorer adds up a wide disjunction in buckets of
    // 2,048 documents, far cheaper than merging long posting lists in order (a long message against thousands of
    // articles), but it allocates its bucket table per query, which costs more than the search on a small index.
    static List<(string Id, float Score)> Hits(IndexSearcher searcher, string[] idByDoc, Query query, int count, bool inOrder)
    {
        var collector = TopScoreDocCollector.Create(count, docsScoredInOrder: inOrder);
        searcher.Search(query, collector);
        return [.. collector.GetTopDocs().ScoreDocs.Select(hit => (idByDoc[hit.Doc], hit.Score))];
    }

    // Words in the index one edit away from a typed word (same first two letters, as users rarely mistype those),
    // the most common first. Found from the index's own vocabulary, which is far cheaper than Lucene's fuzzy query.
    IEnumerable<string> NearbyTerms(string term)
    {
        if (term.Length < 5 || vocabulary.ContainsKey(term) || !termsByPrefix.TryGetValue(term[..2], out var candidates))
            return [];
        return candidates.Where(c => c != term && Close(c, term))
            .OrderByDescending(c => vocabulary[c]).ThenBy(c => c, StringComparer.Ordinal)
            .Take(4);
    }

    // The share of the message's information (IDF-weighted concepts) an article's words cover, and that information.
    static (float Share, float Matched) Coverage(HashSet<string> articleTerms, List<List<string>> concepts, List<double> weights)
    {
        double matched = 0, total = 0;
        for (var i = 0; i < concepts.Count; i++)
        {
            total += weights[i];
            if (concepts[i].Any(articleTerms.Contains))
                matched += weights[i];
        }
        return total == 0 ? (0, 0) : ((float)(matched / total), (float)matched);
    }

    // One edit apart, the same tolerance the fuzzy query gives a typo.
    static bool Close(string a, string b)
    {
        if (Math.Abs(a.Length - b.Length) > 1 || a[0] != b[0]) return false;
        int i = 0, j = 0, edits = 0;
        while (i < a.Length && j < b.Length)
        {
            if (a[i] == b[j]) { i++; j++; continue; }
            if (++edits > 1) return false;
            if (a.Length > b.Length) i++;
            else if (b.Length > a.Length) j++;
            else { i++; j++; }
        }
        return edits + (a.Length - i) + (b.Length - j) <= 1;
    }

    double Idf(string term)
    {
        var n = articles.Count;
        var df = documentFrequency.GetValueOrDefault(term);
        return Math.Log(1 + (n - df + 0.5) / (df + 0.5));
    }

    // Tokens grouped by position: a word and the synonyms injected beside it form one concept.
    static List<List<string>> Analyze(Analyzer analyzer, string text)
    {
        var concepts = new List<List<string>>();
        using var stream = analyzer.GetTokenStream("body", text);
        var term = stream.AddAttribute<ICharTermAttribute>();
        var position = stream.AddAttribute<IPositionIncrementAttribute>();
        stream.Reset();
        while (stream.IncrementToken())
        {
            var value = term.ToString();
            if (position.PositionIncrement > 0 || concepts.Count == 0)
                concepts.Add([value]);
            else if (!concepts[^1].Contains(value))
                concepts[^1].Add(value);
        }
        stream.End();
        return concepts;
    }

    static SynonymMap BuildSynonyms()
    {
        var builder = new SynonymMap.Builder(dedup: true);
        foreach (var group in Synonyms.Groups)
            foreach (var from in group)
                foreach (var to in group)
                    if (from != to)
                        builder.Add(Phrase(from), Phrase(to), includeOrig: true);
        return builder.Build();

        static CharsRef Phrase(string words) => SynonymMap.Builder.Join(words.Split(' ', StringSplitOptions.RemoveEmptyEntries), new CharsRef());
    }

    public void Dispose()
    {
        articleReader.Dispose();
        articleDirectory.Dispose();
        exampleReader.Dispose();
        exampleDirectory.Dispose();
    }

    // Lucene's English stop words plus the chat filler users wrap a problem in ("hi can you help me, my ...").
    static readonly CharArraySet StopWords = BuildStopWords();

    static CharArraySet BuildStopWords()
    {
        var set = new CharArraySet(Version, EnglishAnalyzer.DefaultStopSet, ignoreCase: true);
        foreach (var word in """
            i im ive id me my mine myself we our ours us you your youre yours he she him her his they them their its
            can could would should will shall may might must do does did done
            have has had having get gets got getting go goes going went make makes made let lets
            what whats when where who whos why how which whatever anyone someone somebody anybody everyone something anything
            hi hello hey thanks thank please pls plz help ok okay sorry just really very so too also again still keep keeps
            today now yesterday tomorrow morning afternoon day week some any all more much many lot lots bit
            am been being was were here there about up down out over off from than then
            """.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries))
            set.Add(word);
        return set.AsReadOnly();
    }

    sealed class EnglishStemmingAnalyzer(SynonymMap? synonyms) : Analyzer
    {
        protected override TokenStreamComponents CreateComponents(string fieldName, TextReader reader)
        {
            var tokenizer = new StandardTokenizer(Version, reader);
            TokenStream stream = new EnglishPossessiveFilter(Version, tokenizer);
            stream = new LowerCaseFilter(Version, stream);
            if (synonyms is not null)
                stream = new SynonymFilter(stream, synonyms, ignoreCase: true);
            stream = new StopFilter(Version, stream, StopWords);
            stream = new PorterStemFilter(stream);
            return new TokenStreamComponents(tokenizer, stream);
        }
    }
}

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

public sealed record SearchHit(Article Article, float Score);

// An immutable Lucene index over a set of articles: BM25, English stemming, query-time synonyms, typo tolerance,
// field boosts (title > tags > body) and a minimum score. Queries are built term by term, never parsed,
// so Lucene syntax in what users type is just text.
public sealed class KnowledgeIndex : IDisposable
{
    const LuceneVersion Version = LuceneVersion.LUCENE_48;
    const int MaxQueryTerms = 24;
    const int MaxQueryChars = 1000;
    static readonly (string Field, float Boost)[] Fields = [("title", 3f), ("tags", 2f), ("body", 1f)];
    static readonly SynonymMap SynonymMap = BuildSynonyms();
    // Lucene analyzers are safe to share across threads (each thread gets its own token stream).
    static readonly Analyzer TermAnalyzer = new EnglishStemmingAnalyzer(SynonymMap);

    // A text's words as search sees them (stemmed, stop words out), each word and its synonyms as one term (the first in
    // ordinal order), so "log in" and "login" compare equal: for comparing texts with each other.
    public static IReadOnlyList<string> Terms(string text) => [.. Analyze(TermAnalyzer, text).Select(concept => concept.Min(StringComparer.Ordinal)!)];

    readonly RAMDirectory directory;
    readonly DirectoryReader reader;
    readonly IndexSearcher searcher;
    readonly Dictionary<string, Article> articles;
    readonly Dictionary<string, HashSet<string>> termsById;
    readonly Dictionary<string, int> documentFrequency;
    readonly Dictionary<string, string[]> termsByPrefix;
    readonly Analyzer queryAnalyzer = new EnglishStemmingAnalyzer(SynonymMap);

    KnowledgeIndex(RAMDirectory directory, Dictionary<string, Article> articles, Dictionary<string, HashSet<string>> termsById, float minScore, double minCoverage)
    {
        this.directory = directory;
        this.articles = articles;
        this.termsById = termsById;
        MinScore = minScore;
        MinCoverage = minCoverage;
        documentFrequency = new(StringComparer.Ordinal);
        foreach (var terms in termsById.Values)
            foreach (var t in terms)
                documentFrequency[t] = documentFrequency.GetValueOrDefault(t) + 1;
        termsByPrefix = documentFrequency.Keys.Where(t => t.Length >= 4)
            .GroupBy(t => t[..2], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
        reader = DirectoryReader.Open(directory);
        searcher = new IndexSearcher(reader) { Similarity = new BM25Similarity() };
    }

    public float MinScore { get; }

    // Share of the query's information (IDF-weighted concepts, a word and its synonyms counting once) that an
    // article must contain. Keeps "what's for lunch" from matching an article on one common word.
    public double MinCoverage { get; }
    public int Count => articles.Count;

    public static KnowledgeIndex Build(IEnumerable<Article> source, float minScore = DefaultMinScore, double minCoverage = DefaultMinCoverage)
    {
        // Later articles with the same id replace earlier ones (a published edit of a file article).
        var byId = new Dictionary<string, Article>(StringComparer.OrdinalIgnoreCase);
        foreach (var article in source) byId[article.Id] = article;

        var directory = new RAMDirectory();
        using var analyzer = new EnglishStemmingAnalyzer(synonyms: null);
        var termsById = new Dictionary<string, HashSet<string>>(StringComparer.OrdinalIgnoreCase);
        var config = new IndexWriterConfig(Version, analyzer) { Similarity = new BM25Similarity(), OpenMode = OpenMode.CREATE };
        using (var writer = new IndexWriter(directory, config))
        {
            foreach (var article in byId.Values)
            {
                termsById[article.Id] = Analyze(analyzer, $"{article.Title} {string.Join(' ', article.Tags)} {article.Body}")
                    .SelectMany(p => p).ToHashSet(StringComparer.Ordinal);
                writer.AddDocument(new Document
                {
                    new StringField("id", article.Id, Field.Store.YES),
                    new TextField("title", article.Title, Field.Store.NO),
                    new TextField("tags", string.Join(" , ", article.Tags), Field.Store.NO),
                    new TextField("body", article.Body, Field.Store.NO),
                });
            }
            writer.Commit();
        }
        return new KnowledgeIndex(directory, byId, termsById, minScore, minCoverage);
    }

    public const float DefaultMinScore = 8.0f;
    public const double DefaultMinCoverage = 0.35;

    public Article? Find(string id) => articles.GetValueOrDefault(id);

    public IReadOnlyList<SearchHit> Search(string? query, int top = 3)
    {
        if (string.IsNullOrWhiteSpace(query) || top <= 0 || articles.Count == 0)
            return [];
        var concepts = Analyze(queryAnalyzer, query.Length > MaxQueryChars ? query[..MaxQueryChars] : query).Take(MaxQueryTerms).ToList();
        var terms = concepts.SelectMany(c => c).Distinct().Take(MaxQueryTerms * 2).ToList();
        if (terms.Count == 0)
            return [];
        var weights = concepts.Select(c => c.Max(Idf)).ToList();

        // Each word the user typed is also matched with a typo's tolerance; the synonyms added for it only exactly.
        var typed = concepts.Select(c => c[0]).ToHashSet(StringComparer.Ordinal);
        var boolean = new BooleanQuery();
        foreach (var term in terms)
        {
            var perTerm = new BooleanQuery();
            var isTyped = typed.Contains(term);
            foreach (var (field, boost) in Fields)
            {
                // Synonyms are matched against titles and tags only: they name the topic, and bodies are where
                // the postings are long.
                if (!isTyped && field == "body") continue;
                // A longer word the user typed says more than a short one or a synonym: weigh it a little higher.
                var weight = isTyped && term.Length >= 5 ? boost * 1.4f : boost;
                perTerm.Add(new TermQuery(new Term(field, term)) { Boost = weight }, Occur.SHOULD);
                foreach (var near in isTyped ? NearbyTerms(term) : [])
                    perTerm.Add(new TermQuery(new Term(field, near)) { Boost = boost * 0.4f }, Occur.SHOULD);
            }
            boolean.Add(perTerm, Occur.SHOULD);
        }

        // An in-order collector: out of order, Lucene's BooleanScorer allocates a table of 2,048 buckets per query,
        // which for an index of this size cost more than the search itself (same hits and scores either way).
        var collector = TopScoreDocCollector.Create(top, docsScoredInOrder: true);
        searcher.Search(boolean, collector);
        var hits = collector.GetTopDocs().ScoreDocs;
        var results = new List<SearchHit>(hits.Length);
        foreach (var hit in hits)
        {
            if (hit.Score < MinScore) break;
            var id = searcher.Doc(hit.Doc).Get("id");
            if (articles.TryGetValue(id, out var article) && Coverage(termsById[id], concepts, weights) >= MinCoverage)
                results.Add(new SearchHit(article, hit.Score));
        }
        return results;
    }

    // Words in the index one edit away from a typed word (same first two letters, as users rarely mistype those),
    // the most common first. Found from the index's own vocabulary, which is far cheaper than Lucene's fuzzy query.
    IEnumerable<string> NearbyTerms(string term)
    {
        if (term.Length < 5 || documentFrequency.ContainsKey(term) || !termsByPrefix.TryGetValue(term[..2], out var candidates))
            return [];
        return candidates.Where(c => c != term && Close(c, term))
            .OrderByDescending(c => documentFrequency[c]).ThenBy(c => c, StringComparer.Ordinal)
            .Take(4);
    }

    static double Coverage(HashSet<string> articleTerms, List<List<string>> concepts, List<double> weights)
    {
        double matched = 0, total = 0;
        for (var i = 0; i < concepts.Count; i++)
        {
            total += weights[i];
            if (concepts[i].Any(t => articleTerms.Contains(t) || articleTerms.Any(a => a.Length >= 5 && t.Length >= 5 && Close(a, t))))
                matched += weights[i];
        }
        return total == 0 ? 0 : matched / total;
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
        reader.Dispose();
        directory.Dispose();
        queryAnalyzer.Dispose();
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

using System.CommandLine;
using System.Text.Json;

namespace SupportBot.Knowledge;

// `kb search --top 3 --jsonl` reads {"query": "..."} lines and writes {"query","results":[{id,title,score}]} lines;
// `kb search "words"` prints a readable list; `kb eval` prints hit@3 and MRR on the held-out queries.
public static class KbCommand
{
    public static Command Create()
    {
        var kb = new Command("kb", "Search and evaluate the knowledge base.");

        var top = new Option<int>("--top") { Description = "How many articles at most.", DefaultValueFactory = _ => 3 };
        var jsonl = new Option<bool>("--jsonl") { Description = "Read JSON lines {\"query\": \"...\"} on stdin, write one result line each." };
        var words = new Argument<string[]>("query") { Arity = ArgumentArity.ZeroOrMore, Description = "Words to search for." };
        var search = new Command("search", "Search the knowledge base.") { top, jsonl, words };
        search.SetAction(parse =>
        {
            using var index = KnowledgeFiles.BuildIndex();
            var n = Math.Clamp(parse.GetValue(top), 1, 20);
            if (parse.GetValue(jsonl))
                return RunLines(index, n, Console.In, Console.Out);
            var query = string.Join(' ', parse.GetValue(words) ?? []);
            var hits = index.Search(query, n);
            if (hits.Count == 0) Console.WriteLine("No article matches well enough.");
            foreach (var (hit, i) in hits.Select((h, i) => (h, i)))
                Console.WriteLine($"{i + 1}. {hit.Article.Title}  [{hit.Article.Id}, score {hit.Score:0.00}]");
            return 0;
        });
        kb.Subcommands.Add(search);

        var showMisses = new Option<bool>("--misses") { Description = "Also list the queries answered wrongly." };
        var tune = new Option<bool>("--tune") { Description = "Evaluate on the tuning queries instead of the held-out ones." };
        var minCoverage = new Option<double?>("--min-coverage") { Description = "Try another minimum coverage (tuning)." };
        var minScore = new Option<float?>("--min-score") { Description = "Try another minimum score (tuning)." };
        var eval = new Command("eval", "Print hit@3 and MRR on the held-out queries.") { showMisses, tune, minCoverage, minScore };
        eval.SetAction(parse =>
        {
            using var index = KnowledgeIndex.Build(ArticleParser.LoadFolder(KnowledgeFiles.ArticleDirectory),
                parse.GetValue(minScore) ?? KnowledgeIndex.DefaultMinScore, parse.GetValue(minCoverage) ?? KnowledgeIndex.DefaultMinCoverage);
            var queries = KnowledgeEvaluation.Load(KnowledgeFiles.QueryDirectory, parse.GetValue(tune) ? "*.tune.jsonl" : "*.test.jsonl");
            var metrics = KnowledgeEvaluation.Evaluate(index, queries);
            Console.WriteLine(metrics);
            if (parse.GetValue(showMisses))
                foreach (var (q, hits) in metrics.Misses)
                    Console.WriteLine($"- \"{q.Query}\" wants [{string.Join(", ", q.Ids)}] got [{string.Join(", ", hits.Select(h => $"{h.Article.Id} {h.Score:0.0}"))}]");
            return 0;
        });
        kb.Subcommands.Add(eval);
        return kb;
    }

    public static int RunLines(KnowledgeIndex index, int top, TextReader input, TextWriter output)
    {
        string? line;
        while ((line = input.ReadLine()) is not null)
        {
            output.WriteLine(SearchLine(index, top, line));
            output.Flush();
        }
        return 0;
    }

    internal static string SearchLine(KnowledgeIndex index, int top, string line)
    {
        string? query = null;
        try
        {
            using var doc = JsonDocument.Parse(line);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("query", out var q) && q.ValueKind == JsonValueKind.String)
                query = q.GetString();
        }
        catch (JsonException)
        {
            return JsonLines.Error("line is not valid JSON");
        }
        if (query is null)
            return JsonLines.Error("expected a JSON object with a string \"query\"");

        var results = index.Search(query, top).Select(h => new { id = h.Article.Id, title = h.Article.Title, score = Math.Round(h.Score, 2) });
        return JsonSerializer.Serialize(new { query, results }, JsonLines.Options);
    }
}

public static class KnowledgeFiles
{
    public static string ArticleDirectory => Path.Combine(AppContext.BaseDirectory, "knowledge");
    public static string QueryDirectory => Path.Combine(ArticleDirectory, "queries");

    public static KnowledgeIndex BuildIndex() => KnowledgeIndex.Build(ArticleParser.LoadFolder(ArticleDirectory));
}

using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SupportBot.Protocol;

namespace SupportBot.Knowledge;

public sealed record KnowledgeQuery(string Query, IReadOnlyList<string> Ids)
{
    public bool Answerable => Ids.Count > 0;
}

// The labelled searches under knowledge/: short search-box queries (queries/) and realistic chat messages (messages/),
// each split into *.tune.jsonl, which the ranker learns from and the index keeps as examples, and *.test.jsonl, held
// out for evaluation only. Nothing here reads a held-out file except HeldOut.
public static class KnowledgeDataset
{
    public const string Queries = "queries";
    public const string Messages = "messages";

    // The rule that put each chat message and each newer query in its file: about a third held out, decided by the
    // text alone so that nobody chose which ones.
    public static bool BelongsToHeldOut(string text)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(text.Trim().ToLowerInvariant()));
        return BitConverter.ToUInt32(hash, 0) % 100 < 35;
    }

    public static IReadOnlyList<KnowledgeQuery> Tune(string set, string? root = null) => Read(Directory(set, root), "*.tune.jsonl");

    public static IReadOnlyList<KnowledgeQuery> HeldOut(string set, string? root = null) => Read(Directory(set, root), "*.test.jsonl");

    // What the ranker learnt from, stored beside its weights so a stale ranker is detected: the tuning files and the
    // articles (their wording changes the features), never a held-out file.
    public static string Fingerprint(string? root = null)
    {
        root ??= KnowledgeFiles.ArticleDirectory;
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var files = System.IO.Directory.GetFiles(root, "*.md")
            .Concat(TuneFiles(Queries, root))
            .Concat(TuneFiles(Messages, root))
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);
        foreach (var file in files)
        {
            sha.AppendData(Encoding.UTF8.GetBytes(file));
            // Line endings normalised so a checkout on Windows does not look stale.
            sha.AppendData(Encoding.UTF8.GetBytes(File.ReadAllText(Path.Combine(root, file)).ReplaceLineEndings("\n")));
        }
        return Convert.ToHexString(sha.GetHashAndReset());
    }

    static string[] TuneFiles(string set, string root) =>
        System.IO.Directory.Exists(Directory(set, root)) ? System.IO.Directory.GetFiles(Directory(set, root), "*.tune.jsonl") : [];

    static string Directory(string set, string? root) => Path.Combine(root ?? KnowledgeFiles.ArticleDirectory, set);

    public static IReadOnlyList<KnowledgeQuery> Read(string directory, string pattern) =>
        System.IO.Directory.Exists(directory)
            ? System.IO.Directory.GetFiles(directory, pattern).Order(StringComparer.Ordinal)
                .SelectMany(f => File.ReadLines(f, Encoding.UTF8))
                .Where(l => !string.IsNullOrWhiteSpace(l))
                .Select(l => JsonSerializer.Deserialize<KnowledgeQuery>(l, ProtocolJson.Options)!)
                .ToList()
            : [];
}

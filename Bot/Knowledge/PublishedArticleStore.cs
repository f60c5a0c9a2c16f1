using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using SupportBot.Storage;

namespace SupportBot.Knowledge;

// What a technician wrote when resolving a ticket, as the knowledge base needs it.
// Title: as the technician edited it; otherwise the problem's first sentence.
public sealed record ResolvedTicket(string TicketId, string Problem, string Resolution, string Category, string TechnicianId, string? Title = null);

public sealed record ArticleDraft(string Id, string Title, IReadOnlyList<string> Tags, string Category, string Body, string SourceTicketId, string CreatedBy);

// Articles born from tickets, in Table Storage: drafts (partition "draft") until a technician publishes them ("published").
public sealed class PublishedArticleStore(TableServiceClient tables)
{
    const string TableName = "KnowledgeArticles";
    const string Draft = "draft";
    const string Published = "published";
    readonly LazyTable table = new(tables, TableName);

    public async Task<ArticleDraft> CreateDraftAsync(ResolvedTicket ticket, CancellationToken ct)
    {
        var draft = DraftOf(ticket);
        // Keyed by ticket: drafting the same ticket twice updates one draft rather than making two.
        await (await table.GetAsync(ct)).UpsertEntityAsync(ToEntity(Draft, draft), TableUpdateMode.Replace, ct);
        return draft;
    }

    internal static ArticleDraft DraftOf(ResolvedTicket ticket)
    {
        var title = (string.IsNullOrWhiteSpace(ticket.Title) ? FirstSentence(ticket.Problem) : ticket.Title.Trim()).Shorten(80);
        var steps = ticket.Resolution
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select((line, i) => $"{i + 1}. {line.TrimStart('-', '*', ' ')}");
        var body = $"{ticket.Problem.Shorten(400)}\n\n## Steps\n{string.Join('\n', steps)}\n\n## Still not working?\n- Message the help desk bot and say what you tried.";
        return new ArticleDraft($"ticket-{ticket.TicketId}".ToLowerInvariant(), title, Tags(ticket.Problem), ticket.Category, body, ticket.TicketId, ticket.TechnicianId);
    }

    public async Task<ArticleDraft?> FindDraftAsync(string id, CancellationToken ct)
    {
        var found = await (await table.GetAsync(ct)).GetEntityIfExistsAsync<TableEntity>(Draft, LazyTable.Key(id), cancellationToken: ct);
        return found.HasValue ? FromEntity(found.Value!) : null;
    }

    public async Task<Article> PublishAsync(string draftId, string technicianId, CancellationToken ct)
    {
        var client = await table.GetAsync(ct);
        var draft = await FindDraftAsync(draftId, ct) ?? throw new KeyNotFoundException($"No draft article '{draftId}'.");
        var entity = ToEntity(Published, draft);
        entity["PublishedBy"] = technicianId;
        entity["Updated"] = DateTimeOffset.UtcNow;
        await client.UpsertEntityAsync(entity, TableUpdateMode.Replace, ct);
        await client.DeleteEntityAsync(Draft, LazyTable.Key(draftId), ETag.All, ct);
        return ToArticle(draft, DateOnly.FromDateTime(DateTime.UtcNow));
    }

    public async Task<IReadOnlyList<Article>> ListPublishedAsync(CancellationToken ct)
    {
        var articles = new List<Article>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Published}");
        await foreach (var entity in (await table.GetAsync(ct)).QueryAsync<TableEntity>(filter, cancellationToken: ct))
            articles.Add(ToArticle(FromEntity(entity), DateOnly.FromDateTime((entity.GetDateTimeOffset("Updated") ?? DateTimeOffset.UtcNow).UtcDateTime)));
        return articles;
    }

    // Changes whenever an article is published or re-published (on any instance): the published rows' keys and
    // timestamps. A small partition (one row per article), read without the bodies.
    public async Task<string> PublishedVersionAsync(CancellationToken ct)
    {
        var rows = new List<string>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Published}");
        await foreach (var entity in (await table.GetAsync(ct)).QueryAsync<TableEntity>(filter, select: ["RowKey", "Timestamp"], cancellationToken: ct))
            rows.Add($"{entity.RowKey}@{entity.Timestamp?.UtcTicks}");
        return string.Join('|', rows);
    }

    internal static Article ToArticle(ArticleDraft d, DateOnly updated) =>
        new(d.Id, d.Title, d.Tags, d.Category, "everyone", updated, d.Body, ArticleSource.Published);

    static TableEntity ToEntity(string partition, ArticleDraft d) => new(partition, LazyTable.Key(d.Id))
    {
        ["ArticleId"] = d.Id,
        ["Title"] = d.Title,
        ["Tags"] = JsonSerializer.Serialize(d.Tags),
        ["Category"] = d.Category,
        ["Body"] = d.Body,
        ["SourceTicketId"] = d.SourceTicketId,
        ["CreatedBy"] = d.CreatedBy,
    };

    static ArticleDraft FromEntity(TableEntity e) => new(
        e.GetString("ArticleId") ?? e.RowKey,
        e.GetString("Title") ?? e.RowKey,
        JsonSerializer.Deserialize<string[]>(e.GetString("Tags") ?? "[]") ?? [],
        e.GetString("Category") ?? "other",
        e.GetString("Body") ?? "",
        e.GetString("SourceTicketId") ?? "",
        e.GetString("CreatedBy") ?? "");

    static string FirstSentence(string text)
    {
        var end = text.IndexOfAny(['.', '!', '?', '\n']);
        return (end > 10 ? text[..end] : text).Trim();
    }

    static string[] Tags(string problem) =>
        problem.ToLowerInvariant().Split([' ', ',', '.', '!', '?', '\n', '\'', '"'], StringSplitOptions.RemoveEmptyEntries)
            .Where(w => w.Length > 3).Distinct().Take(8).ToArray();

}

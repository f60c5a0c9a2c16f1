using System.Text.Json;
using System.Text.RegularExpressions;
using AngleSharp.Html.Parser;
using SupportBot.Cards;
using SupportBot.Profiles;
using SupportBot.Protocol;
using SupportBot.Triage;

namespace SupportBot.Tickets;

// What the dialog sends back: the problem as edited and the urgency chosen. The author is never taken from here.
public sealed record FileAsTicketInput(string? Problem, string? Urgency);

// Ticket: the message's ticket, new or filed before (the caller posts it to the technicians and tells its requester).
public sealed record FileAsTicketResult(TaskModuleResponse Response, Ticket? Ticket = null);

// "File as ticket" from a message's "..." menu: anyone can turn a Teams message into a ticket for its author, with
// the urgency triage suggests. One message is one ticket, whoever files it and however often.
public sealed partial class FileAsTicket(ITriage triage, TicketDesk desk, ProfileLookup profiles, ILogger<FileAsTicket> logger)
{
    public const string CommandId = "fileAsTicket";
    const int MemberPages = 20;

    public TaskModuleResponse Open(MessageActionValue action)
    {
        if (Refusal(action) is { } refusal) return refusal;
        var problem = PlainText(action.MessagePayload!.Body);
        var author = action.MessagePayload.From!.User!;
        return TaskModuleResponse.Dialog("File as ticket",
            FileAsTicketCard.Create(author.DisplayName, problem.Shorten(TicketLimits.ProblemChars), triage.Triage(problem).Urgency).ToAttachment());
    }

    public async Task<FileAsTicketResult> SubmitAsync(TurnContext turn, MessageActionValue action, CancellationToken ct)
    {
        if (Refusal(action) is { } refusal) return new(refusal);
        var input = ReadInput(action);
        var problem = (input?.Problem ?? "").Trim();
        if (problem.Length == 0 || !TriageInput.HasWords(problem))
            return new(TaskModuleResponse.Message("Describe the problem in a few words, then press File ticket again."));
        if (problem.Length > TicketLimits.ProblemChars)
            return new(TaskModuleResponse.Message($"That's too long to file ({problem.Length:N0} characters); keep it under {TicketLimits.ProblemChars:N0}."));

        var payload = action.MessagePayload!;
        var author = payload.From!.User!;
        if (await FindMemberAsync(turn, author.Id!, ct) is not { Id.Length: > 0 } member)
            return new(TaskModuleResponse.Message($"I couldn't find {author.DisplayName ?? "the author"} in this conversation, so I can't file it for them."));

        var requester = await profiles.LookupAsync(member, ct);
        var from = turn.Activity.From!;
        var filer = from.Id == member.Id ? null : new Person(from.Id!, from.Name, from.AadObjectId);
        var urgency = input?.Urgency == "emergency" ? Urgency.Emergency : Urgency.Normal;
        var filed = await desk.FileAsync(new TicketRequest(RequestKey(turn, payload), problem, requester, triage.Triage(problem), urgency,
            UrgencyConfirmed: true, FiledBy: filer, SourceMessageLink: SafeLink(payload.LinkToMessage)), ct);
        var ticket = filed.Ticket;
        if (!filed.Created)
            return new(TaskModuleResponse.Message($"That message is already ticket #{ticket.Number} ({ticket.Status.InWords()})."), ticket);
        logger.LogInformation("Ticket {Number} filed from a message by {Filer}", ticket.Number, from.Id);
        var who = ticket.Requester.Name ?? "its author";
        return new(TaskModuleResponse.Message(
            $"Filed ticket #{ticket.Number} for {who} ({(urgency == Urgency.Emergency ? "emergency" : "normal")}). " +
            $"The technicians have it, and {who} gets updates in their chat with SupportBot."), ticket);
    }

    static TaskModuleResponse? Refusal(MessageActionValue action)
    {
        if (action.CommandId != CommandId)
            return TaskModuleResponse.Message("This action is not supported.");
        if (action.MessagePayload is not { } payload)
            return TaskModuleResponse.Message("Open this from a message's \"...\" menu: More actions, File as ticket.");
        if (payload.From?.User?.Id is not { Length: > 0 })
            return TaskModuleResponse.Message("That message was posted by an app, not a person, so there is no one to file it for.");
        if (PlainText(payload.Body).Length == 0)
            return TaskModuleResponse.Message("That message has no text to file. Describe the problem to me in a chat instead.");
        return null;
    }

    static FileAsTicketInput? ReadInput(MessageActionValue action)
    {
        try { return action.Data?.Deserialize<FileAsTicketInput>(ProtocolJson.Options); }
        catch (JsonException) { return null; }
    }

    // Keyed by the message, not by who files it: two technicians filing one message give one ticket.
    static string RequestKey(TurnContext turn, MessagePayload payload)
    {
        var conversation = turn.Activity.Conversation?.Id ?? "";
        var thread = conversation.IndexOf(';') is var cut and >= 0 ? conversation[..cut] : conversation;
        return $"message|{thread}|{payload.Id ?? turn.Activity.Id}";
    }

    // Teams names the author by their Entra object id; the ticket needs their Teams id. The member API accepts either,
    // and where it does not (an older client, a test double) the conversation's members are searched.
    async Task<TeamsChannelAccount?> FindMemberAsync(TurnContext turn, string authorId, CancellationToken ct)
    {
        try
        {
            if (await turn.GetMemberAsync(authorId, ct) is { Id.Length: > 0 } found) return found;
        }
        catch (ConnectorException ex)
        {
            logger.LogDebug("Member lookup by id failed ({Status}); searching the members", ex.Status);
        }
        var conversation = turn.Activity.Conversation!.Id!;
        string? next = null;
        for (var page = 0; page < MemberPages; page++)
        {
            var result = await turn.Connector.GetPagedMembersAsync(turn.Activity.ServiceUrl, conversation, 200, next, ct);
            if (result.Members?.FirstOrDefault(m => m.Id == authorId || string.Equals(m.AadObjectId, authorId, StringComparison.OrdinalIgnoreCase)) is { } member)
                return member;
            next = result.ContinuationToken;
            if (string.IsNullOrEmpty(next)) break;
        }
        return null;
    }

    static string? SafeLink(string? link) =>
        Uri.TryCreate(link, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps ? uri.AbsoluteUri : null;

    // Teams sends the message as HTML: keep its words and line breaks, drop the markup.
    public static string PlainText(MessagePayloadBody? body)
    {
        if (body?.Content is not { Length: > 0 } content) return "";
        if (!string.Equals(body.ContentType, "html", StringComparison.OrdinalIgnoreCase)) return content.Trim();
        var document = new HtmlParser().ParseDocument(content);
        foreach (var lineBreak in document.QuerySelectorAll("br").ToList())
            lineBreak.Replace(document.CreateTextNode("\n"));
        foreach (var block in document.QuerySelectorAll("p, div, li, tr, h1, h2, h3, h4, h5, h6, blockquote, pre"))
            block.Append(document.CreateTextNode("\n"));
        var text = document.Body?.TextContent ?? "";
        var lines = text.Split('\n').Select(l => Spaces().Replace(l, " ").Trim()).Where(l => l.Length > 0);
        return string.Join('\n', lines);
    }

    [GeneratedRegex(@"[ \t\u00a0]+")]
    private static partial Regex Spaces();
}

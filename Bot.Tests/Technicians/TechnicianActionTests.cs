using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using SupportBot.Technicians;
using SupportBot.Tickets;
using SupportBot.Tests.Infrastructure;

namespace SupportBot.Tests.Technicians;

// The technicians' side through the real turn pipeline and storage. In Development (appsettings.Development.json)
// the channel "team-id" gets tickets and user-id-0 is a technician.
public sealed class TechnicianActionTests : InProcessBotTests
{
    const string Technician = "user-id-0";
    InProcessConversation? requesterOnce, channelOnce;
    InProcessConversation requester => requesterOnce ??= new InProcessConversation(Bot.Services);
    InProcessConversation channel => channelOnce ??= new InProcessConversation(Bot.Services, "team-id", conversationType: "channel");

    async Task<(int Number, RecordedCall ChannelCard)> FileEmergencyAsync()
    {
        await requester.SendAsync("the projector just died and my class is waiting right now");
        var number = Assert.Single(await Tickets.ListByRequesterAsync("user-1", CancellationToken.None)).Number;
        // Posted by the outbox after the turn; its id reaches the ticket just after.
        var posted = await requester.WaitForAsync(c => c.Method == HttpMethod.Post && c.Path.EndsWith("/team-id/activities"));
        await TicketWhenAsync(number, t => t.TechnicianCard is not null);
        return (number, posted);
    }

    Task<RecordedCall> RequesterCardUpdate(PostedCard card, string showing) => requester.WaitForAsync(c =>
        c.Method == HttpMethod.Put && c.Path.EndsWith($"/activities/{card.ActivityId}") && c.CardJson.Contains(showing));

    Task<RecordedCall> RequesterMessage(string containing) => requester.WaitForAsync(c =>
        c.Method == HttpMethod.Post && c.Path.EndsWith("personal-1/activities") && c.Text?.Contains(containing) == true);

    [Fact]
    public async Task A_new_emergency_is_posted_to_the_technicians_channel_marked_EMERGENCY_and_mentioning_on_call()
    {
        var (number, posted) = await FileEmergencyAsync();

        var card = posted.CardJson;
        Assert.Contains($"EMERGENCY · Ticket #{number}", card);
        Assert.Contains("<at>Alex Wilber</at>", card);
        Assert.Equal(Technician, posted.Card!["msteams"]!["entities"]![0]!["mentioned"]!["id"]!.GetValue<string>());
        Assert.Contains(Technician, posted.Card!["refresh"]!["userIds"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Null(posted.Card!["actions"]); // the shared card is read-only; technicians get buttons on refresh
        Assert.NotNull((await Tickets.GetAsync(number, CancellationToken.None))!.TechnicianCard);
    }

    [Fact]
    public async Task Refresh_gives_technicians_the_buttons_and_everyone_else_a_read_only_card()
    {
        var (number, _) = await FileEmergencyAsync();

        var forTechnician = await channel.PressAsync(TechnicianVerbs.Refresh, new JsonObject { ["ticket"] = number }, userId: Technician);
        var forOthers = await channel.PressAsync(TechnicianVerbs.Refresh, new JsonObject { ["ticket"] = number }, userId: "user-2");

        Assert.Contains("Assign to me", forTechnician.ToJsonString());
        Assert.Contains("Resolve", forTechnician.ToJsonString());
        Assert.DoesNotContain("Assign to me", forOthers.ToJsonString());
        Assert.Contains($"Ticket #{number}", forOthers.ToJsonString());
        // Outside the technicians' channel a non-technician cannot read tickets by refreshing.
        var elsewhere = await requester.PressAsync(TechnicianVerbs.Refresh, new JsonObject { ["ticket"] = number }, userId: "user-2");
        Assert.Equal("application/vnd.microsoft.error", elsewhere["type"]?.GetValue<string>());
    }

    // Regression (bench/Chaos): the requester's answer to a technician's question, typed while storage was down, came back
    // with "Try again"; pressing it filed a new ticket instead of adding the answer to the ticket waiting on them.
    [Fact]
    public async Task Try_again_on_an_answer_to_a_waiting_ticket_adds_it_to_that_ticket()
    {
        var (number, _) = await FileEmergencyAsync();
        await channel.PressAsync(TechnicianVerbs.Waiting, new JsonObject { ["ticket"] = number, ["note"] = "Which room exactly?" }, userId: Technician);

        var retry = new JsonObject { ["text"] = "it is room 12, the one by the window", ["activityId"] = "lost-message-1" };
        var answer = await requester.PressAsync("request.retry", retry);
        var again = await requester.PressAsync("request.retry", retry);

        Assert.Contains($"added that to ticket #{number}", answer.ToJsonString());
        Assert.Single(await Tickets.ListByRequesterAsync("user-1", CancellationToken.None));
        var ticket = (await Tickets.GetAsync(number, CancellationToken.None))!;
        Assert.Single(ticket.History, e => e.Text == "it is room 12, the one by the window");
        Assert.Equal(TicketStatus.InProgress, ticket.Status);
        Assert.Contains($"ticket #{number}", again.ToJsonString());
    }

    // The same for a plain redelivery: the answer, delivered twice, is added once and files nothing.
    [Fact]
    public async Task A_redelivered_answer_to_a_waiting_ticket_is_added_once_and_files_nothing()
    {
        var (number, _) = await FileEmergencyAsync();
        await channel.PressAsync(TechnicianVerbs.Waiting, new JsonObject { ["ticket"] = number, ["note"] = "Which room exactly?" }, userId: Technician);

        await requester.SendAsync("it is room 12, the one by the window", activityId: "answer-1");
        await requester.SendAsync("it is room 12, the one by the window", activityId: "answer-1");

        Assert.Single(await Tickets.ListByRequesterAsync("user-1", CancellationToken.None));
        var ticket = (await Tickets.GetAsync(number, CancellationToken.None))!;
        Assert.Single(ticket.History, e => e.Text == "it is room 12, the one by the window");
        Assert.Equal(2, requester.Replies.Count(r => r.Text?.Contains($"added that to ticket #{number}") == true));
    }

    // Regression (bench/Chaos): a resolution saved while the outbox could not be written never reached the requester (no
    // card update, no message, no poll) and nothing could pass it on later. Pressing Resolve again now passes it on, once.
    [Fact]
    public async Task A_resolution_that_could_not_be_passed_on_is_passed_on_by_pressing_Resolve_again()
    {
        var (number, _) = await FileEmergencyAsync();
        var data = new JsonObject { ["ticket"] = number, ["resolution"] = "Replaced the lamp." };
        var tables = new Azure.Data.Tables.TableServiceClient(Azurite.ConnectionString);
        await tables.DeleteTableAsync("Outbox"); // the outbox cannot be written: storage half-way down

        var first = await channel.PressAsync(TechnicianVerbs.Resolve, data, userId: Technician);
        Assert.Contains("Press the same button again", first.ToJsonString());
        Assert.Equal(TicketStatus.Resolved, (await Tickets.GetAsync(number, CancellationToken.None))!.Status);

        await tables.CreateTableIfNotExistsAsync("Outbox");
        var again = await channel.PressAsync(TechnicianVerbs.Resolve, data, userId: Technician);
        var repeated = await channel.PressAsync(TechnicianVerbs.Resolve, data, userId: Technician);

        Assert.DoesNotContain("Press the same button again", again.ToJsonString());
        Assert.Equal("application/vnd.microsoft.card.adaptive", again["type"]!.GetValue<string>());
        await RequesterMessage($"Ticket #{number} is resolved");
        await requester.WaitForAsync(c => c.CardJson.Contains($"Ticket #{number} is resolved") && c.CardJson.Contains("poll.rate"));
        await Bot.WaitForOutboxIdleAsync();
        Assert.Single(requester.Calls, c => c.Text?.Contains($"Ticket #{number} is resolved") == true);
        Assert.Single(requester.Calls, c => c.CardJson.Contains("poll.rate"));
        var ticket = (await Tickets.GetAsync(number, CancellationToken.None))!;
        Assert.Single(ticket.History, e => e.Kind == TicketEventKind.Resolved);
        Assert.NotNull(repeated);
    }

    // Found by bench/Chaos (soak): "Waiting on requester" pressed again after "couldn't pass this on" added the question a
    // second time and was refused as already waiting; the question hid the status change, so it was never passed on.
    [Fact]
    public async Task A_question_that_could_not_be_passed_on_is_passed_on_once_by_pressing_Waiting_again()
    {
        var (number, _) = await FileEmergencyAsync();
        var data = new JsonObject { ["ticket"] = number, ["note"] = "Which room exactly?" };
        var tables = new Azure.Data.Tables.TableServiceClient(Azurite.ConnectionString);
        await tables.DeleteTableAsync("Outbox");

        var first = await channel.PressAsync(TechnicianVerbs.Waiting, data, userId: Technician);
        Assert.Contains("Press the same button again", first.ToJsonString());

        await tables.CreateTableIfNotExistsAsync("Outbox");
        var again = await channel.PressAsync(TechnicianVerbs.Waiting, data, userId: Technician);

        Assert.DoesNotContain("Press the same button again", again.ToJsonString());
        Assert.DoesNotContain("already waiting", again.ToJsonString());
        await RequesterMessage("needs something from you");
        var ticket = (await Tickets.GetAsync(number, CancellationToken.None))!;
        Assert.Equal(TicketStatus.WaitingOnRequester, ticket.Status);
        Assert.Single(ticket.History, e => e.Kind == TicketEventKind.NoteToRequester);
    }

    [Fact]
    public async Task Someone_who_is_not_a_technician_pressing_Resolve_is_refused_and_nothing_changes()
    {
        var (number, _) = await FileEmergencyAsync();

        var answer = await channel.PressAsync(TechnicianVerbs.Resolve, new JsonObject { ["ticket"] = number, ["resolution"] = "forged" }, userId: "user-2");

        Assert.Equal("application/vnd.microsoft.error", answer["type"]?.GetValue<string>());
        Assert.Contains("only technicians", answer.ToJsonString());
        var ticket = (await Tickets.GetAsync(number, CancellationToken.None))!;
        Assert.Equal(TicketStatus.New, ticket.Status);
        Assert.Single(ticket.History);
    }

    [Fact]
    public async Task Assign_note_wait_and_resolve_reach_the_requester_card_in_place_and_as_messages()
    {
        var (number, _) = await FileEmergencyAsync();
        var requesterCard = (await Tickets.GetAsync(number, CancellationToken.None))!.RequesterCard!;
        var data = new JsonObject { ["ticket"] = number };

        await channel.PressAsync(TechnicianVerbs.AssignToMe, data, userId: Technician);
        await RequesterCardUpdate(requesterCard, "In progress");
        await RequesterMessage("is on it");
        await channel.PressAsync(TechnicianVerbs.NoteToRequester, new JsonObject { ["ticket"] = number, ["note"] = "Is the lamp light orange?" }, userId: Technician);
        await RequesterMessage("Is the lamp light orange?");
        await channel.PressAsync(TechnicianVerbs.InternalNote, new JsonObject { ["ticket"] = number, ["note"] = "secret: check the HDMI switcher" }, userId: Technician);
        await channel.PressAsync(TechnicianVerbs.Waiting, data, userId: Technician);
        await RequesterCardUpdate(requesterCard, "Waiting for you");
        var refused = await channel.PressAsync(TechnicianVerbs.Resolve, data, userId: Technician);
        var resolved = await channel.PressAsync(TechnicianVerbs.Resolve, new JsonObject { ["ticket"] = number, ["resolution"] = "Replaced the lamp." }, userId: Technician);
        await RequesterCardUpdate(requesterCard, "Reopen");
        // The last message to the requester's chat: everything queued there before it has been delivered.
        await RequesterMessage("is resolved");

        Assert.Contains("resolution note is required", refused.ToJsonString());
        Assert.Contains("Replaced the lamp", resolved.ToJsonString());
        var ticket = (await Tickets.GetAsync(number, CancellationToken.None))!;
        Assert.Equal(TicketStatus.Resolved, ticket.Status);
        Assert.Equal(Technician, ticket.Assignee?.TeamsId);
        Assert.NotNull(ticket.FirstResponseAt);

        var all = requester.Calls; // one recorder for the whole bot: both conversations see every call
        var updates = all.Where(c => c.Method == HttpMethod.Put && c.Path.EndsWith($"/activities/{requesterCard.ActivityId}")).ToList();
        Assert.Contains("Reopen", updates[^1].Card!.ToJsonString());
        var messages = all.Where(c => c.Method == HttpMethod.Post && c.Path.Contains("personal-1") && c.Text is not null).Select(c => c.Text!).ToList();
        Assert.Contains(messages, m => m.Contains("is on it"));
        Assert.Contains(messages, m => m.Contains("Is the lamp light orange?"));
        Assert.Contains(messages, m => m.Contains("is resolved") && m.Contains("Replaced the lamp"));
        // Internal notes never reach the requester.
        Assert.DoesNotContain(all.Where(c => c.Path.Contains("personal-1")), c => c.Body?.ToJsonString().Contains("secret") == true);
    }

    [Fact]
    public async Task Queue_lists_emergencies_first_for_technicians_only()
    {
        await Tickets.FileAsync("normal", n => SupportBot.Tests.Tickets.TicketStoreTests.Sample(n, problem: "printer jammed", title: "Printer jammed"), CancellationToken.None);
        await requester.SendAsync("the wifi is down for the whole school right now");

        await requester.SendAsync("queue", userId: "user-2");
        Assert.Contains("for technicians", requester.Replies[^1].Text);

        await channel.SendAsync("queue", userId: Technician);
        var queue = channel.Replies[^1].CardJson;
        Assert.Contains("Open tickets (2)", queue);
        Assert.True(queue.IndexOf("EMERGENCY", StringComparison.Ordinal) is >= 0 and var e && e < queue.IndexOf("Printer jammed", StringComparison.Ordinal), queue);

        // "Assign to me" on the queue keeps the queue, now showing who has it.
        var emergency = (await Tickets.ListOpenAsync(CancellationToken.None))[0].Number;
        var after = (await channel.PressAsync(TechnicianVerbs.AssignToMe, new JsonObject { ["ticket"] = emergency, ["fromQueue"] = true }, userId: Technician)).ToJsonString();
        Assert.Contains("Open tickets (2)", after);
        Assert.Contains("first reply given", after);
        Assert.Equal(Technician, (await Tickets.GetAsync(emergency, CancellationToken.None))!.Assignee?.TeamsId);
    }

    [Fact]
    public async Task Setup_in_a_channel_makes_it_the_tickets_channel()
    {
        var other = new InProcessConversation(Bot.Services, "19:other@thread", conversationType: "channel", channelId: "19:other@thread");
        await other.SendAsync("<at>SupportBot</at> setup", userId: Technician);
        Assert.Contains("new tickets will be posted in this channel", other.Replies[^1].Text);

        await requester.SendAsync("the wifi is down for the whole school right now");
        await requester.WaitForAsync(c => c.Method == HttpMethod.Post && c.Path.EndsWith("/19%3Aother%40thread/activities"));
    }

    [Fact]
    public async Task While_a_ticket_waits_on_the_requester_their_next_message_is_added_to_it_and_it_returns_to_in_progress()
    {
        var (number, posted) = await FileEmergencyAsync();
        await channel.PressAsync(TechnicianVerbs.NoteToRequester, new JsonObject { ["ticket"] = number, ["note"] = "Which room are you in?" }, userId: Technician);
        await channel.PressAsync(TechnicianVerbs.Waiting, new JsonObject { ["ticket"] = number }, userId: Technician);

        await requester.SendAsync("room 14, upstairs");

        var ticket = (await Tickets.GetAsync(number, CancellationToken.None))!;
        Assert.Equal(TicketStatus.InProgress, ticket.Status);
        Assert.Contains(ticket.NotesForRequester, n => n.Text == "room 14, upstairs");
        Assert.Single(await Tickets.ListByRequesterAsync("user-1", CancellationToken.None)); // not a new ticket
        Assert.Contains($"added that to ticket #{number}", requester.Replies[^1].Text);
        var root = ticket.TechnicianCard!;
        await requester.WaitForAsync(c => c.Method == HttpMethod.Put && c.Path.EndsWith($"/activities/{root.ActivityId}") && c.CardJson.Contains("room 14, upstairs"));
        // And a reply in the ticket's thread that notifies the technician who asked (Teams does not notify on edits).
        var thread = Uri.EscapeDataString($"team-id;messageid={root.ActivityId}");
        var reply = await requester.WaitForAsync(c => c.Method == HttpMethod.Post && c.Path.EndsWith($"/{thread}/activities"));
        Assert.Equal($"<at>User {Technician}</at> Ticket #{number}: Sam Requester replied: \"room 14, upstairs\"", reply.Text);
        var mention = reply.Body!["entities"]![0]!;
        Assert.Equal("mention", mention["type"]!.GetValue<string>());
        Assert.Equal(Technician, mention["mentioned"]!["id"]!.GetValue<string>());
        Assert.Equal($"<at>User {Technician}</at>", mention["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task Add_details_on_an_assigned_ticket_replies_in_its_thread_mentioning_the_assignee_once()
    {
        var (number, _) = await FileEmergencyAsync();
        await channel.PressAsync(TechnicianVerbs.AssignToMe, new JsonObject { ["ticket"] = number }, userId: Technician);
        var details = new JsonObject { ["ticket"] = number, ["details"] = "It is room 14. " + new string('x', 400) };

        await requester.PressAsync(SupportBot.Tickets.TicketVerbs.AddDetails, details, activityId: "details-1");
        await requester.PressAsync(SupportBot.Tickets.TicketVerbs.AddDetails, details, activityId: "details-1"); // redelivered

        var root = (await Tickets.GetAsync(number, CancellationToken.None))!.TechnicianCard!;
        var thread = $"/{Uri.EscapeDataString($"team-id;messageid={root.ActivityId}")}/activities";
        var reply = await requester.WaitForAsync(c => c.Method == HttpMethod.Post && c.Path.EndsWith(thread));
        Assert.StartsWith($"<at>User {Technician}</at> Ticket #{number}: Sam Requester replied: \"It is room 14.", reply.Text);
        Assert.True(reply.Text!.Length < 400, "the reply is shortened");
        // Something queued after it in the same thread arrives after it: by then a duplicate would have too.
        await Bot.Services.GetRequiredService<SupportBot.Proactive.Outbox>().EnqueueSendAsync(
            new SupportBot.Proactive.OutboxTarget(InProcessConversation.ServiceUrl, $"team-id;messageid={root.ActivityId}"),
            SupportBot.Protocol.Activity.CreateMessage("sentinel"), "sentinel", CancellationToken.None);
        await requester.WaitForAsync(c => c.Path.EndsWith(thread) && c.Text == "sentinel");
        Assert.Single(requester.Calls, c => c.Path.EndsWith(thread) && c.Text?.Contains("replied") == true);
    }

    [Fact]
    public async Task Assign_to_another_technician_only_to_a_real_technician_and_flags_need_a_reason()
    {
        var (number, _) = await FileEmergencyAsync();

        var forged = await channel.PressAsync(TechnicianVerbs.AssignTo, new JsonObject { ["ticket"] = number, ["assignee"] = "user-2" }, userId: Technician);
        Assert.Contains("Choose a technician", forged.ToJsonString());
        var assigned = await channel.PressAsync(TechnicianVerbs.AssignTo, new JsonObject { ["ticket"] = number, ["assignee"] = Technician }, userId: Technician);
        Assert.Contains("\"In progress \\u00B7 Alex Wilber\"", assigned.ToJsonString());

        var noReason = await channel.PressAsync(TechnicianVerbs.Flags, new JsonObject { ["ticket"] = number, ["budget"] = "true", ["approval"] = "false" }, userId: Technician);
        Assert.Contains("Say briefly why", noReason.ToJsonString());
        await channel.PressAsync(TechnicianVerbs.Flags, new JsonObject { ["ticket"] = number, ["budget"] = "true", ["approval"] = "true", ["flagReason"] = "new projector lamp, 180 GBP" }, userId: Technician);

        var ticket = (await Tickets.GetAsync(number, CancellationToken.None))!;
        Assert.Equal(Technician, ticket.Assignee?.TeamsId);
        Assert.Equal(new Flag(true, "new projector lamp, 180 GBP"), ticket.RequiresBudget);
        Assert.True(ticket.RequiresApproval.Required);
        Assert.Contains(ticket.History, e => e.Kind == TicketEventKind.FlagChanged);

        await channel.SendAsync("oncall", userId: Technician);
        Assert.Contains("Alex Wilber", channel.Replies[^1].Text);
    }

    [Fact]
    public async Task A_resolved_ticket_published_as_an_article_is_found_by_search_at_once()
    {
        var (number, _) = await FileEmergencyAsync();
        await channel.PressAsync(TechnicianVerbs.Resolve, new JsonObject { ["ticket"] = number, ["resolution"] = "Switch the kiln off at the wall\nWait 30 seconds\nSwitch it on" }, userId: Technician);

        var draft = await channel.PressAsync(TechnicianVerbs.DraftArticle, new JsonObject { ["ticket"] = number }, userId: Technician);
        Assert.Contains("Switch the kiln off at the wall", draft.ToJsonString());
        var refused = await channel.PressAsync(TechnicianVerbs.PublishArticle, new JsonObject { ["ticket"] = number, ["articleSteps"] = "x" }, userId: "user-2");
        Assert.Equal("application/vnd.microsoft.error", refused["type"]?.GetValue<string>());

        await channel.PressAsync(TechnicianVerbs.PublishArticle, new JsonObject
        {
            ["ticket"] = number, ["articleTitle"] = "Kiln controller touchscreen frozen",
            ["articleSteps"] = "Switch the kiln off at the wall\nWait 30 seconds\nSwitch it back on",
        }, userId: Technician);

        var hits = Bot.Services.GetRequiredService<SupportBot.Knowledge.KnowledgeBase>().Search("kiln controller touchscreen frozen");
        Assert.Contains(hits, h => h.Article.Title == "Kiln controller touchscreen frozen");
    }

    [Fact]
    public async Task The_shared_channel_card_never_shows_internal_notes_or_contact_details_and_is_rewritten_after_every_press()
    {
        var (number, posted) = await FileEmergencyAsync();
        await channel.PressAsync(TechnicianVerbs.InternalNote, new JsonObject { ["ticket"] = number, ["note"] = "secret: check the switcher" }, userId: Technician,
            replyToId: (await Tickets.GetAsync(number, CancellationToken.None))!.TechnicianCard!.ActivityId);

        var technicianCard = (await Tickets.GetAsync(number, CancellationToken.None))!.TechnicianCard!;
        var update = await channel.WaitForAsync(c => c.Method == HttpMethod.Put && c.Path.EndsWith($"/activities/{technicianCard.ActivityId}"));
        Assert.DoesNotContain("secret", update.CardJson);
        Assert.DoesNotContain("sam@example.org", update.CardJson);
        Assert.DoesNotContain("sam@example.org", posted.CardJson);
        var forTechnician = await channel.PressAsync(TechnicianVerbs.Refresh, new JsonObject { ["ticket"] = number }, userId: Technician);
        Assert.Contains("secret", forTechnician.ToJsonString());
    }

    [Fact]
    public async Task A_redelivered_technician_action_is_applied_and_announced_once()
    {
        var (number, _) = await FileEmergencyAsync();
        var note = new JsonObject { ["ticket"] = number, ["note"] = "Is the lamp light orange?" };

        await channel.PressAsync(TechnicianVerbs.NoteToRequester, note, userId: Technician, activityId: "same-invoke");
        await channel.PressAsync(TechnicianVerbs.NoteToRequester, note, userId: Technician, activityId: "same-invoke");

        Assert.Single((await Tickets.GetAsync(number, CancellationToken.None))!.History, e => e.Kind == TicketEventKind.NoteToRequester);
        // A later announcement to the same chat comes after any duplicate of the first.
        await channel.PressAsync(TechnicianVerbs.AssignToMe, new JsonObject { ["ticket"] = number }, userId: Technician);
        await RequesterMessage("is on it");
        Assert.Single(requester.Calls, c => c.Method == HttpMethod.Post && c.Text?.Contains("Is the lamp light orange?") == true);
    }

    [Fact]
    public async Task Waiting_with_a_question_tells_the_requester_the_question_and_a_new_emergency_is_still_filed()
    {
        var (number, _) = await FileEmergencyAsync();
        await channel.PressAsync(TechnicianVerbs.Waiting, new JsonObject { ["ticket"] = number, ["note"] = "Which room are you in?" }, userId: Technician);
        await RequesterMessage("needs something from you: \"Which room are you in?\"");

        await requester.SendAsync("thanks!");
        Assert.Equal(TicketStatus.WaitingOnRequester, (await Tickets.GetAsync(number, CancellationToken.None))!.Status);
        await requester.SendAsync("smoke is coming out of the printer in the staff room right now");
        Assert.Equal(2, (await Tickets.ListByRequesterAsync("user-1", CancellationToken.None)).Count);
        Assert.Equal(TicketStatus.WaitingOnRequester, (await Tickets.GetAsync(number, CancellationToken.None))!.Status);
    }
}

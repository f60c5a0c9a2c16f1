using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using SupportBot.Protocol;
using SupportBot.Tests.Infrastructure;

namespace SupportBot.Tests.Protocol;

// A turn runs on its own deadline (Messaging:TurnDeadline), not on the HTTP request's lifetime.
public sealed class TurnDeadlineTests : IAsyncLifetime
{
    readonly ConcurrentQueue<string> replies = new();
    // Short, so a turn that is never cancelled fails the test quickly.
    readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(20) };
    LoopbackServer connector = null!;

    public async Task InitializeAsync() =>
        connector = await LoopbackServer.StartAsync(app => app.MapPost("/v3/conversations/{id}/activities/{activityId}", async (HttpRequest request) =>
        {
            replies.Enqueue((await JsonNode.ParseAsync(request.Body))!["text"]!.GetValue<string>());
            return Results.Json(new { id = "reply-1" }, statusCode: 201);
        }));

    public async Task DisposeAsync()
    {
        http.Dispose();
        await connector.DisposeAsync();
    }

    Task<BotServer> StartBotAsync(IBot? bot, Func<IServiceProvider, IBot>? factory = null, string? deadline = null)
    {
        var settings = new Dictionary<string, string?> { ["ConnectionStrings:Tables"] = "UseDevelopmentStorage=true" };
        if (deadline is not null)
            settings["Messaging:TurnDeadline"] = deadline;
        return BotServer.StartAsync(settings, services =>
        {
            services.AddHttpContextAccessor();
            if (bot is not null) services.AddSingleton(bot);
            else services.AddSingleton(factory!);
        });
    }

    JsonObject Activity(string type = "message") => new()
    {
        ["type"] = type,
        ["name"] = type == "invoke" ? "adaptiveCard/action" : null,
        ["id"] = "activity-1",
        ["channelId"] = "msteams",
        ["serviceUrl"] = connector.BaseAddress.ToString(),
        ["from"] = new JsonObject { ["id"] = "user-1" },
        ["recipient"] = new JsonObject { ["id"] = "bot-1" },
        ["conversation"] = new JsonObject { ["id"] = "conv-1" },
        ["text"] = "hello",
    };

    [Fact]
    public async Task A_client_that_hangs_up_mid_turn_does_not_cancel_the_turn_or_its_writes()
    {
        var turn = new HangUpBot.State();
        await using var bot = await StartBotAsync(null, sp => new HangUpBot(sp.GetRequiredService<IHttpContextAccessor>(), turn));

        using var hangUp = new CancellationTokenSource();
        var send = http.PostAsync(bot.MessagesEndpoint, JsonContent.Create(Activity()), hangUp.Token);
        await turn.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await hangUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => send);

        var cancelledAtTheEnd = await turn.Completed.Task.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.True(turn.SawHangUp, "the server should have noticed the client leave before the turn went on");
        Assert.False(cancelledAtTheEnd);
        Assert.Equal(["still here"], replies);
    }

    [Theory]
    [InlineData("message", HttpStatusCode.OK)]
    [InlineData("invoke", HttpStatusCode.GatewayTimeout)]
    public async Task A_turn_that_overruns_its_deadline_sees_its_token_cancelled(string type, HttpStatusCode expected)
    {
        var slow = new SlowBot();
        await using var bot = await StartBotAsync(slow, deadline: "00:00:00.300");

        var sent = Stopwatch.GetTimestamp();
        var clock = Stopwatch.StartNew();
        var response = await http.PostAsync(bot.MessagesEndpoint, JsonContent.Create(Activity(type)));
        clock.Stop();

        var cancelledAt = await slow.CancelledAt.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var waited = Stopwatch.GetElapsedTime(sent, cancelledAt);
        Assert.True(waited >= TimeSpan.FromMilliseconds(290), $"cancelled {waited} after the request was sent, before the deadline");
        Assert.True(slow.TurnContextTokenWasCancelled);
        Assert.Equal(expected, response.StatusCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"the response took {clock.Elapsed}");
    }

    // Waits until the server has seen the client go away, then writes through the Connector.
    sealed class HangUpBot(IHttpContextAccessor accessor, HangUpBot.State state) : IBot
    {
        public sealed class State
        {
            public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
            // Completes with whether the turn's token was cancelled when the turn finished; faults if the turn failed.
            public TaskCompletionSource<bool> Completed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
            public volatile bool SawHangUp;
        }

        public async Task OnTurnAsync(TurnContext turn, CancellationToken ct)
        {
            try
            {
                var hungUp = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                using (accessor.HttpContext!.RequestAborted.Register(() => hungUp.TrySetResult()))
                {
                    state.Started.TrySetResult();
                    state.SawHangUp = await Task.WhenAny(hungUp.Task, Task.Delay(TimeSpan.FromSeconds(10), CancellationToken.None)) == hungUp.Task;
                }
                await Task.Delay(100, ct);
                await turn.SendActivityAsync("still here", ct);
                state.Completed.TrySetResult(ct.IsCancellationRequested);
            }
            catch (Exception ex)
            {
                state.Completed.TrySetException(ex);
                throw;
            }
        }
    }

    sealed class SlowBot : IBot
    {
        // The Stopwatch timestamp at which the turn's token was cancelled.
        public TaskCompletionSource<long> CancelledAt { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public volatile bool TurnContextTokenWasCancelled;

        public async Task OnTurnAsync(TurnContext turn, CancellationToken ct)
        {
            using var registration = ct.Register(() =>
            {
                TurnContextTokenWasCancelled = turn.Cancellation.IsCancellationRequested;
                CancelledAt.TrySetResult(Stopwatch.GetTimestamp());
            });
            await Task.Delay(Timeout.Infinite, ct);
        }
    }
}

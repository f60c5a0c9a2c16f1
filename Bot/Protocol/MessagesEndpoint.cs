using System.Buffers;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace SupportBot.Protocol;

// POST /api/messages: the only door the Bot Connector uses. Everything about HTTP and the wire JSON stops here;
// the bot itself only sees a TurnContext.
public static partial class MessagesEndpoint
{
    public static RouteGroupBuilder MapBotMessages(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api");
        api.MapPost("/messages", HandleAsync);
        return api;
    }

    static async Task<Results<Ok, JsonHttpResult<object>, ProblemHttpResult, StatusCodeHttpResult>> HandleAsync(
        HttpContext http,
        ChannelAuthenticator authenticator,
        IOptions<MessagingOptions> messaging,
        ConnectorClient connector,
        IBot bot,
        Privacy.TenantAllowList tenants,
        TimeProvider time,
        ILogger<IBot> logger,
        CancellationToken ct)
    {
        // One budget per activity, counted from its arrival as Teams counts its 15 s. Deliberately not linked to
        // RequestAborted (ct): a client that hangs up must not cut a turn off between its writes.
        var turnDeadline = messaging.Value.TurnDeadline;
        using var deadline = new CancellationTokenSource(turnDeadline, time);
        var cap = messaging.Value.MaxActivityBytes;
        if (http.Request.ContentLength > cap)
            return TooLarge(cap);

        AuthResult auth;
        try
        {
            auth = await authenticator.AuthenticateAsync(http.Request.Headers.Authorization.ToString(), ct);
        }
        catch (MetadataUnavailableException ex)
        {
            // No signing keys yet and the metadata endpoint is unreachable: we cannot tell, so ask the channel to retry.
            LogCannotAuthenticate(logger, ex.Message);
            return TypedResults.Problem("The bot cannot verify requests right now.", statusCode: 503, title: "Service unavailable");
        }
        if (auth.Outcome != AuthOutcome.Allowed)
            return Denied(auth);
        if (auth == AuthResult.Anonymous && AuthorizeAnonymousCaller(http.Connection) is { Outcome: not AuthOutcome.Allowed } refused)
            return Denied(refused);

        // The body goes into a pooled buffer, returned once parsed (the Activity keeps no reference to it).
        (byte[] Buffer, int Length)? body;
        try
        {
            body = await ReadCappedAsync(http.Request.Body, http.Request.ContentLength, cap, ct);
        }
        catch (BadHttpRequestException ex)
        {
            // Kestrel could not read the body (broken chunk framing, a client sending too slowly): the client's fault.
            return TypedResults.Problem(ex.Message, statusCode: ex.StatusCode, title: "Unreadable request body");
        }
        catch (IOException ex)
        {
            // What Kestrel throws for an overflowing chunk size, and for a client that drops the connection mid-body.
            return TypedResults.Problem(ex.Message, statusCode: 400, title: "Unreadable request body");
        }
        if (body is not { } read)
            return TooLarge(cap);

        Activity? activity;
        string error;
        try
        {
            (activity, error) = Parse(read.Buffer.AsSpan(0, read.Length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(read.Buffer);
        }
        if (activity is null)
            return TypedResults.Problem(error, statusCode: 400, title: "Malformed activity");

        // Without an app id nothing is verified, so the bot only answers a client on this machine (the Playground), and
        // only posts back to this machine: a stranger must not make it post to whatever serviceUrl they send.
        if (auth == AuthResult.Anonymous && !new Uri(activity.ServiceUrl!).IsLoopback)
            return Denied(AuthResult.Deny401("anonymous development mode only answers clients on this machine; set MicrosoftAppId"));

        auth = ChannelAuthenticator.AuthorizeActivity(auth, activity);
        if (auth.Outcome != AuthOutcome.Allowed)
            return Denied(auth);
        if (!tenants.Allows(activity))
        {
            // Before the turn: nothing from a tenant that is not allowed is stored, not even its conversation reference.
            logger.LogWarning("Refused {Type} activity {ActivityId} from tenant {TenantId}: not in Security:AllowedTenants",
                activity.Type, activity.Id, Privacy.TenantAllowList.TenantOf(activity) ?? "(none)");
            return Denied(AuthResult.Deny403("this bot is not available to your organisation (tenant not allowed)"));
        }

        LogActivity(logger, activity.Type, activity.Name, activity.Id, activity.ChannelId);
        var turn = new TurnContext(activity, connector, deadline.Token);
        try
        {
            await bot.OnTurnAsync(turn, deadline.Token);
        }
        catch (Exception ex) when (ex is ConnectorException or HttpRequestException)
        {
            // The activity was accepted but the bot could not answer through the Connector (throttled, down, no token).
            // As the SDK's OnTurnError does, log it and acknowledge the activity; an invoke, whose answer is this
            // response, says the answer is missing.
            LogCouldNotAnswer(logger, activity.Type, activity.Id, ex.Message);
            if (activity.Type == ActivityTypes.Invoke && turn.InvokeResponse is null)
                return TypedResults.StatusCode((int)HttpStatusCode.BadGateway);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            // Acknowledged like a failed reply: a redelivery would run the same half-finished turn again.
            LogDeadlinePassed(logger, activity.Type, activity.Id, turnDeadline);
            if (activity.Type == ActivityTypes.Invoke && turn.InvokeResponse is null)
                return TypedResults.StatusCode((int)HttpStatusCode.GatewayTimeout);
        }

        if (activity.Type == ActivityTypes.Invoke)
        {
            var invoke = turn.InvokeResponse ?? new InvokeResponse(501);
            return invoke.Body is null
                ? TypedResults.StatusCode(invoke.Status)
                : TypedResults.Json(invoke.Body, ProtocolJson.Options, statusCode: invoke.Status);
        }
        return TypedResults.Ok();
    }

    // Anonymous mode answers only callers connected from this machine: a loopback serviceUrl alone proves nothing,
    // since anyone who can reach the port can write one and so make the bot POST to any local port.
    internal static AuthResult AuthorizeAnonymousCaller(ConnectionInfo connection)
    {
        var remote = connection.RemoteIpAddress;
        if (remote is { IsIPv4MappedToIPv6: true })
            remote = remote.MapToIPv4();
        return remote is not null && IPAddress.IsLoopback(remote)
            ? AuthResult.Anonymous
            : AuthResult.Deny403("anonymous development mode only answers clients on this machine; set MicrosoftAppId");
    }

    static ProblemHttpResult Denied(AuthResult auth) => TypedResults.Problem(
        auth.Reason,
        statusCode: auth.Outcome == AuthOutcome.Forbidden ? 403 : 401,
        title: auth.Outcome == AuthOutcome.Forbidden ? "Forbidden" : "Unauthorized");

    static ProblemHttpResult TooLarge(int cap) => TypedResults.Problem(
        $"An activity may be at most {cap} bytes.", statusCode: 413, title: "Activity too large");

    // null when the body is larger than cap. The caller returns the buffer to the shared pool.
    static async Task<(byte[] Buffer, int Length)?> ReadCappedAsync(Stream body, long? contentLength, int cap, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(contentLength is > 0 and var n && n <= cap ? (int)n : 16 * 1024);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length >= cap + 1)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        return null;
                    }
                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(cap + 1, buffer.Length * 2));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                var read = await body.ReadAsync(buffer.AsMemory(length, Math.Min(buffer.Length, cap + 1) - length), ct);
                if (read == 0) break;
                length += read;
                if (length > cap)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return null;
                }
            }
            return (buffer, length);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Activity {Type} {Name} {ActivityId} in {ChannelId}")]
    static partial void LogActivity(ILogger logger, string? type, string? name, string? activityId, string? channelId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Cannot authenticate: {Error}")]
    static partial void LogCannotAuthenticate(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not answer {Type} activity {ActivityId}: {Error}")]
    static partial void LogCouldNotAnswer(ILogger logger, string? type, string? activityId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Turn for {Type} activity {ActivityId} passed its {Deadline} deadline and was cancelled")]
    static partial void LogDeadlinePassed(ILogger logger, string? type, string? activityId, TimeSpan deadline);

    internal static (Activity? Activity, string Error) Parse(ReadOnlySpan<byte> body)
    {
        Activity? activity;
        try
        {
            activity = JsonSerializer.Deserialize<Activity>(body, ProtocolJson.Options);
        }
        catch (JsonException ex)
        {
            return (null, $"The body is not a valid activity: {ex.Message}");
        }

        if (activity is null)
            return (null, "The body is empty or null.");
        var missing = new List<string>();
        if (string.IsNullOrWhiteSpace(activity.Type)) missing.Add("type");
        if (string.IsNullOrWhiteSpace(activity.ChannelId)) missing.Add("channelId");
        if (string.IsNullOrWhiteSpace(activity.Conversation?.Id)) missing.Add("conversation.id");
        if (!Uri.TryCreate(activity.ServiceUrl, UriKind.Absolute, out var serviceUrl) || serviceUrl.Scheme is not ("https" or "http"))
            missing.Add("serviceUrl (an absolute http(s) URL)");
        if (activity.Type is ActivityTypes.Message or ActivityTypes.Invoke && string.IsNullOrWhiteSpace(activity.From?.Id))
            missing.Add("from.id");
        // A null in a list ("entities":[null]) deserializes as a null element, which the turn would trip over (a 500,
        // found by BadInputTests' fuzz on some seeds): the activity is malformed, and says which list.
        if (HasNull(activity.Entities)) missing.Add("entities (a null element)");
        if (HasNull(activity.Attachments)) missing.Add("attachments (a null element)");
        if (HasNull(activity.MembersAdded)) missing.Add("membersAdded (a null element)");
        if (HasNull(activity.MembersRemoved)) missing.Add("membersRemoved (a null element)");
        if (HasNull(activity.ReactionsAdded)) missing.Add("reactionsAdded (a null element)");
        if (HasNull(activity.ReactionsRemoved)) missing.Add("reactionsRemoved (a null element)");
        return missing.Count > 0
            ? (null, "Missing or invalid required fields: " + string.Join(", ", missing))
            : (activity, "");
    }

    static bool HasNull<T>(IReadOnlyList<T>? items) where T : class => items is not null && items.Any(item => item is null);
}

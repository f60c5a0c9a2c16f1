using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Polly.Timeout;

namespace SupportBot.Protocol;

public sealed class ConnectorException(HttpStatusCode status, string? code, string message) : Exception(message)
{
    public HttpStatusCode Status { get; } = status;
    public string? Code { get; } = code;

    // The user blocked or uninstalled the bot: retrying is pointless and rude.
    public bool IsBlockedByUser => Status == HttpStatusCode.Forbidden && Code == "MessageWritesBlocked";

    // What the Connector asked for on its last answer (429/503), for callers that reschedule beyond the HttpClient's retries.
    public TimeSpan? RetryAfter { get; init; }
}

// The Bot Connector REST API (v3). Retries for throttling and transient faults are configured on the HttpClient.
public sealed class ConnectorClient(HttpClient http, IConnectorTokenProvider tokens)
{
    public const string HttpClientName = "connector";
    const string TeamsFallbackServiceUrl = "https://smba.trafficmanager.net/teams/";

    public Task<ResourceResponse> ReplyToActivityAsync(string? serviceUrl, string conversationId, string activityId, Activity activity, CancellationToken ct) =>
        SendAsync<ResourceResponse>(HttpMethod.Post, serviceUrl, $"v3/conversations/{Esc(conversationId)}/activities/{Esc(activityId)}", activity, ct);

    public Task<ResourceResponse> SendToConversationAsync(string? serviceUrl, string conversationId, Activity activity, CancellationToken ct) =>
        SendAsync<ResourceResponse>(HttpMethod.Post, serviceUrl, $"v3/conversations/{Esc(conversationId)}/activities", activity, ct);

    public Task<ResourceResponse> UpdateActivityAsync(string? serviceUrl, string conversationId, string activityId, Activity activity, CancellationToken ct) =>
        SendAsync<ResourceResponse>(HttpMethod.Put, serviceUrl, $"v3/conversations/{Esc(conversationId)}/activities/{Esc(activityId)}",
            activity with { Id = activityId }, ct);

    public Task DeleteActivityAsync(string? serviceUrl, string conversationId, string activityId, CancellationToken ct) =>
        SendAsync<JsonElement?>(HttpMethod.Delete, serviceUrl, $"v3/conversations/{Esc(conversationId)}/activities/{Esc(activityId)}", null, ct);

    public Task<ConversationResourceResponse> CreateConversationAsync(string? serviceUrl, ConversationParameters parameters, CancellationToken ct) =>
        SendAsync<ConversationResourceResponse>(HttpMethod.Post, serviceUrl, "v3/conversations", parameters, ct);

    public Task<TeamsChannelAccount?> GetMemberAsync(string? serviceUrl, string conversationId, string userId, CancellationToken ct) =>
        SendAsync<TeamsChannelAccount?>(HttpMethod.Get, serviceUrl, $"v3/conversations/{Esc(conversationId)}/members/{Esc(userId)}", null, ct);

    public Task<PagedMembersResult> GetPagedMembersAsync(string? serviceUrl, string conversationId, int? pageSize, string? continuationToken, CancellationToken ct)
    {
        var query = new List<string>();
        if (pageSize is { } size) query.Add($"pageSize={size}");
        if (!string.IsNullOrEmpty(continuationToken)) query.Add($"continuationToken={Esc(continuationToken)}");
        var path = $"v3/conversations/{Esc(conversationId)}/pagedmembers" + (query.Count > 0 ? "?" + string.Join('&', query) : "");
        return SendAsync<PagedMembersResult>(HttpMethod.Get, serviceUrl, path, null, ct);
    }

    async Task<T> SendAsync<T>(HttpMethod method, string? serviceUrl, string path, object? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, new Uri(BaseUri(serviceUrl), path));
        if (body is not null)
            request.Content = JsonContent.Create(body, body.GetType(), options: ProtocolJson.Options);
        if (await tokens.GetTokenAsync(ct) is { } token)
        {
            // The bot's credentials never travel in clear text (plain HTTP only to this machine's test doubles).
            if (request.RequestUri!.Scheme != Uri.UriSchemeHttps && !request.RequestUri.IsLoopback)
                throw new ConnectorException(HttpStatusCode.Forbidden, "InsecureServiceUrl", $"Refusing to send a token to {request.RequestUri.GetLeftPart(UriPartial.Authority)} over plain HTTP.");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await SendHttpAsync(request, method, path, ct);
        if (!response.IsSuccessStatusCode)
            throw await ErrorFrom(response, method, path, ct);
        if (response.Content.Headers.ContentLength == 0 || response.StatusCode is HttpStatusCode.NoContent or HttpStatusCode.Accepted)
            return default!;
        var text = await response.Content.ReadAsStringAsync(ct);
        return string.IsNullOrWhiteSpace(text) ? default! : JsonSerializer.Deserialize<T>(text, ProtocolJson.Options)!;
    }

    async Task<HttpResponseMessage> SendHttpAsync(HttpRequestMessage request, HttpMethod method, string path, CancellationToken ct)
    {
        try
        {
            return await http.SendAsync(request, ct);
        }
        catch (TimeoutRejectedException ex)
        {
            // Every attempt timed out: an unreachable upstream, reported like the transport failure it is.
            throw new HttpRequestException($"Connector {method} {path.Split('?')[0]} timed out", ex, HttpStatusCode.GatewayTimeout);
        }
    }

    static async Task<ConnectorException> ErrorFrom(HttpResponseMessage response, HttpMethod method, string path, CancellationToken ct)
    {
        string? code = null, message = null;
        try
        {
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            if (doc.RootElement.TryGetProperty("error", out var error))
            {
                code = error.TryGetProperty("code", out var c) ? c.GetString() : null;
                message = error.TryGetProperty("message", out var m) ? m.GetString() : null;
            }
        }
        catch (JsonException)
        {
            // Not every failure has a JSON body (gateways, proxies); the status code is enough.
        }
        var retryAfter = response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - DateTimeOffset.UtcNow,
            _ => (TimeSpan?)null,
        };
        return new ConnectorException(response.StatusCode, code,
            $"Connector {method} {path.Split('?')[0]} failed: {(int)response.StatusCode} {code} {message}".TrimEnd())
        {
            RetryAfter = retryAfter > TimeSpan.Zero ? retryAfter : null,
        };
    }

    static Uri BaseUri(string? serviceUrl)
    {
        var url = string.IsNullOrWhiteSpace(serviceUrl) ? TeamsFallbackServiceUrl : serviceUrl;
        return new Uri(url.EndsWith('/') ? url : url + "/");
    }

    static string Esc(string value) => Uri.EscapeDataString(value);
}

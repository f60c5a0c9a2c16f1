using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;

namespace SupportBot.Tests.Infrastructure;

// A Table Storage client whose calls can be made to fail (or be cut off) as they go out, without retries: for tests of
// what a turn leaves behind when storage goes away half-way.
public static class TableFaults
{
    public static TableServiceClient Client(string connectionString, Action<HttpMessage> beforeSending) =>
        Client(connectionString, message =>
        {
            beforeSending(message);
            return ValueTask.CompletedTask;
        }, _ => { });

    // beforeSending may hold a call back (a slow instance); afterResponse sees a call that reached storage and may throw
    // as if its answer were lost on the way back.
    public static TableServiceClient Client(string connectionString, Func<HttpMessage, ValueTask> beforeSending, Action<HttpMessage> afterResponse)
    {
        var options = new TableClientOptions();
        options.Retry.MaxRetries = 0;
        options.AddPolicy(new Around(beforeSending, afterResponse), HttpPipelinePosition.PerCall);
        return new TableServiceClient(connectionString, options);
    }

    // A call to the table (its name starting with tablePrefix), or a transaction (one $batch call) with rows in it.
    public static bool Touches(HttpMessage message, string tablePrefix) =>
        message.Request.Uri.Path.Contains("/" + tablePrefix, StringComparison.Ordinal) || BatchBody(message).Contains("/" + tablePrefix, StringComparison.Ordinal);

    // What a transaction (one $batch call) carries; empty for any other call.
    public static string BatchBody(HttpMessage message) =>
        message.Request.Uri.Path.Contains("$batch", StringComparison.Ordinal) ? Body(message) : "";

    // What a call sends (an entity's properties, a transaction's rows); empty when it sends nothing.
    public static string Body(HttpMessage message)
    {
        if (message.Request.Content is null) return "";
        using var body = new MemoryStream();
        message.Request.Content.WriteTo(body, CancellationToken.None);
        return Encoding.UTF8.GetString(body.ToArray());
    }

    sealed class Around(Func<HttpMessage, ValueTask> before, Action<HttpMessage> after) : HttpPipelinePolicy
    {
        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            await before(message);
            await ProcessNextAsync(message, pipeline);
            after(message);
        }

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            before(message).AsTask().GetAwaiter().GetResult();
            ProcessNext(message, pipeline);
            after(message);
        }
    }
}

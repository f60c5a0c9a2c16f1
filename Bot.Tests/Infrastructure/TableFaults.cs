using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;

namespace SupportBot.Tests.Infrastructure;

// A Table Storage client whose calls can be made to fail (or be cut off) as they go out, without retries: for tests of
// what a turn leaves behind when storage goes away half-way.
public static class TableFaults
{
    public static TableServiceClient Client(string connectionString, Action<HttpMessage> beforeSending)
    {
        var options = new TableClientOptions();
        options.Retry.MaxRetries = 0;
        options.AddPolicy(new BeforeSending(beforeSending), HttpPipelinePosition.PerCall);
        return new TableServiceClient(connectionString, options);
    }

    // A call to the table (its name starting with tablePrefix), or a transaction (one $batch call) with rows in it.
    public static bool Touches(HttpMessage message, string tablePrefix)
    {
        if (message.Request.Uri.Path.Contains("/" + tablePrefix, StringComparison.Ordinal)) return true;
        if (!message.Request.Uri.Path.Contains("$batch", StringComparison.Ordinal) || message.Request.Content is null) return false;
        using var body = new MemoryStream();
        message.Request.Content.WriteTo(body, CancellationToken.None);
        return Encoding.UTF8.GetString(body.ToArray()).Contains("/" + tablePrefix, StringComparison.Ordinal);
    }

    sealed class BeforeSending(Action<HttpMessage> action) : HttpPipelineSynchronousPolicy
    {
        public override void OnSendingRequest(HttpMessage message) => action(message);
    }
}

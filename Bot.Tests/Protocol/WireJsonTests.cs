using System.Text.Json;
using SupportBot.Cards;
using SupportBot.Proactive;
using SupportBot.Protocol;

namespace SupportBot.Tests.Protocol;

// The wire types' JSON metadata is source-generated; a card travels inside them as `object` (Attachment.Content), so
// every options instance that writes activities must still find the card's own metadata.
public sealed class WireJsonTests
{
    static Activity CardReply() => Activity.CreateMessage(attachments: new AdaptiveCard
    {
        Body = [new TextBlock("Ticket #1001") { Weight = "Bolder" }],
    }.ToAttachment()) with { Properties = new() { ["unknownField"] = JsonSerializer.SerializeToElement(42) } };

    public static TheoryData<string> OptionSets => ["protocol", "card", "outbox"];

    static JsonSerializerOptions Options(string name) => name switch
    {
        "protocol" => ProtocolJson.Options,
        "card" => CardJson.Options,
        _ => Outbox.Json,
    };

    [Theory]
    [MemberData(nameof(OptionSets))]
    public void An_activity_with_a_card_is_written_whole_and_read_back(string options)
    {
        var json = JsonSerializer.Serialize(CardReply(), Options(options));

        using var doc = JsonDocument.Parse(json);
        var content = doc.RootElement.GetProperty("attachments")[0].GetProperty("content");
        Assert.Equal("AdaptiveCard", content.GetProperty("type").GetString());
        Assert.Equal("Ticket #1001", content.GetProperty("body")[0].GetProperty("text").GetString());
        Assert.Equal(42, doc.RootElement.GetProperty("unknownField").GetInt32());

        var back = JsonSerializer.Deserialize<Activity>(json, Options(options))!;
        Assert.Equal(42, back.Properties!["unknownField"].GetInt32());
        Assert.Equal("AdaptiveCard", ((JsonElement)back.Attachments![0].Content!).GetProperty("type").GetString());
    }

    [Fact]
    public void An_invoke_answer_with_a_card_is_written_whole()
    {
        var json = JsonSerializer.Serialize<object>(AdaptiveCardInvokeResponse.Card(new AdaptiveCard { Body = [new TextBlock("Done")] }), ProtocolJson.Options);

        Assert.Contains("\"type\":\"AdaptiveCard\"", json);
        Assert.Contains("\"statusCode\":200", json);
    }
}

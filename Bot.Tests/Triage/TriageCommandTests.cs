using System.Text.Json.Nodes;
using SupportBot.Triage;

namespace SupportBot.Tests.Triage;

// The `triage` verb's contract: one JSON line out per line in, in order; bad lines get {"error"} and the run goes on.
public sealed class TriageCommandTests(TriageFixture fixture) : IClassFixture<TriageFixture>
{
    [Fact]
    public void Each_input_line_gets_one_output_line_in_order()
    {
        string[] lines =
        [
            """{"text": "projector dead, class waiting right now"}""",
            """{"text": ""}""",
            "not json at all",
            """{"text": "   "}""",
            """{"other": "field"}""",
            """{"text": "how do I bookmark a page?"}""",
            "[1,2]",
        ];

        var outputs = lines.Select(l => JsonNode.Parse(TriageCommand.TriageLine(fixture.Triager, l))!).ToList();

        Assert.Equal("emergency", outputs[0]["urgency"]!.GetValue<string>());
        Assert.All(new[] { 1, 2, 3, 4, 6 }, i => Assert.NotNull(outputs[i]["error"]));
        Assert.Equal("normal", outputs[5]["urgency"]!.GetValue<string>());
        var ok = outputs[0].AsObject();
        Assert.Equal(["urgency", "confirm", "category", "confidence", "reasons"], ok.Select(p => p.Key).ToArray());
        Assert.Contains(ok["confirm"]!.GetValueKind(), new[] { System.Text.Json.JsonValueKind.True, System.Text.Json.JsonValueKind.False });
        Assert.InRange(ok["confidence"]!.GetValue<double>(), 0, 1);
    }
}

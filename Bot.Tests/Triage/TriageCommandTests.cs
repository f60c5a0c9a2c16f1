using System.Text.Json;
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
        var output = new StringWriter();

        Assert.Equal(0, TriageCommand.RunLines(new StringReader(string.Join('\n', lines) + "\n"), output));

        var outputs = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(lines.Length, outputs.Count);
        AssertIsTheTriageOf("projector dead, class waiting right now", outputs[0]);
        Assert.Equal("text is empty", Error(outputs[1]));
        Assert.Equal("line is not valid JSON", Error(outputs[2]));
        Assert.Equal("text is empty", Error(outputs[3]));
        Assert.Equal("expected a JSON object with a string \"text\"", Error(outputs[4]));
        AssertIsTheTriageOf("how do I bookmark a page?", outputs[5]);
        Assert.Equal("expected a JSON object with a string \"text\"", Error(outputs[6]));
    }

    [Fact]
    public void A_result_line_has_the_contract_fields_in_order_with_their_values()
    {
        var line = JsonNode.Parse(TriageCommand.TriageLine(fixture.Triager, """{"text": "projector dead, class waiting right now"}"""))!.AsObject();

        Assert.Equal(["urgency", "confirm", "category", "confidence", "reasons"], line.Select(p => p.Key).ToArray());
        Assert.Equal("emergency", line["urgency"]!.GetValue<string>());
        // A clear emergency is settled without asking.
        Assert.False(line["confirm"]!.GetValue<bool>());
        Assert.Equal("classroom-av", line["category"]!.GetValue<string>());
        Assert.Contains(line["reasons"]!.AsArray(), r => r!.GetValue<string>().StartsWith("class or meeting waiting", StringComparison.Ordinal));
    }

    void AssertIsTheTriageOf(string text, JsonNode line) =>
        Assert.True(JsonNode.DeepEquals(JsonSerializer.SerializeToNode(fixture.Triager.Triage(text), JsonLines.Options), line), $"{line.ToJsonString()} is not the triage of \"{text}\"");

    static string? Error(JsonNode line) => line["error"]?.GetValue<string>();
}

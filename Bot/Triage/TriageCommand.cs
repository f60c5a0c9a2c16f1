using System.CommandLine;
using System.Text.Json;

namespace SupportBot.Triage;

// `triage` reads JSON lines {"text": "..."} on stdin and writes one JSON result line per input, in order.
// `triage eval` prints the metrics on the held-out split; `triage train` retrains and saves the model.
public static class TriageCommand
{
    public static Command Create()
    {
        var triage = new Command("triage", "Triage JSON lines {\"text\": \"...\"} from stdin into urgency, confirm, category, confidence and reasons.");
        triage.SetAction(_ => RunLines(Console.In, Console.Out));

        var showMisses = new Option<bool>("--misses") { Description = "Also list the held-out messages triaged wrongly." };
        var eval = new Command("eval", "Print triage metrics on the held-out split.") { showMisses };
        eval.SetAction(parse =>
        {
            var metrics = TriageEvaluation.Evaluate(TriageService.Create(), TriageDataset.HeldOut());
            Console.WriteLine(metrics);
            if (parse.GetValue(showMisses))
                foreach (var (item, result) in metrics.Misses)
                    Console.WriteLine($"- [{item.Label}/{item.Category}] {item.Text}\n    -> {JsonSerializer.Serialize(result, JsonLines.Options)}");
            return 0;
        });
        triage.Subcommands.Add(eval);

        var output = new Option<DirectoryInfo>("--out") { Description = "Where to write the model (default Bot/Triage/Model)." };
        var train = new Command("train", "Train the triage model from Triage/Data/*.train.jsonl and save it.") { output };
        train.SetAction(parse =>
        {
            var cwd = Directory.GetCurrentDirectory();
            var project = File.Exists(Path.Combine(cwd, "Bot.csproj")) ? cwd : Path.Combine(cwd, "Bot");
            var target = parse.GetValue(output)?.FullName ?? Path.Combine(project, "Triage", "Model");
            TriageService.TrainAndSave(target);
            Console.WriteLine($"model written to {target}");
            return 0;
        });
        triage.Subcommands.Add(train);
        return triage;
    }

    public static int RunLines(TextReader input, TextWriter output)
    {
        var triager = TriageService.Create();
        string? line;
        while ((line = input.ReadLine()) is not null)
        {
            output.WriteLine(TriageLine(triager, line));
            output.Flush();
        }
        return 0;
    }

    internal static string TriageLine(ITriage triager, string line)
    {
        string? text;
        try
        {
            using var doc = JsonDocument.Parse(line);
            text = doc.RootElement.ValueKind == JsonValueKind.Object
                   && doc.RootElement.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String
                ? t.GetString()
                : null;
            if (text is null)
                return JsonLines.Error("expected a JSON object with a string \"text\"");
        }
        catch (JsonException)
        {
            return JsonLines.Error("line is not valid JSON");
        }

        if (TriageInput.Problem(text) is { } problem)
            return JsonLines.Error(problem);
        return JsonSerializer.Serialize(triager.Triage(text), JsonLines.Options);
    }
}

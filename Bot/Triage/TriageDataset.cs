using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SupportBot.Protocol;

namespace SupportBot.Triage;

// The labelled messages under Triage/Data: *.train.jsonl for training, *.test.jsonl held out for evaluation only.
public static class TriageDataset
{
    public static string DataDirectory => Path.Combine(AppContext.BaseDirectory, "Triage", "Data");
    public static string ModelDirectory => Path.Combine(AppContext.BaseDirectory, "Triage", "Model");

    public static IReadOnlyList<LabelledMessage> Train(string? directory = null) => Read(directory ?? DataDirectory, "*.train.jsonl");

    public static IReadOnlyList<LabelledMessage> HeldOut(string? directory = null) => Read(directory ?? DataDirectory, "*.test.jsonl");

    // Fingerprint of the training data, stored beside the model so a stale model is detected.
    public static string Fingerprint(string? directory = null)
    {
        using var sha = SHA256.Create();
        foreach (var file in Directory.GetFiles(directory ?? DataDirectory, "*.train.jsonl").Order(StringComparer.Ordinal))
        {
            var bytes = File.ReadAllBytes(file);
            sha.TransformBlock(bytes, 0, bytes.Length, null, 0);
        }
        sha.TransformFinalBlock([], 0, 0);
        return Convert.ToHexString(sha.Hash!);
    }

    static List<LabelledMessage> Read(string directory, string pattern)
    {
        var messages = new List<LabelledMessage>();
        foreach (var file in Directory.GetFiles(directory, pattern).Order(StringComparer.Ordinal))
            foreach (var line in File.ReadLines(file, Encoding.UTF8).Where(l => !string.IsNullOrWhiteSpace(l)))
                messages.Add(JsonSerializer.Deserialize<LabelledMessage>(line, ProtocolJson.Options)
                    ?? throw new InvalidDataException($"{file}: empty line"));
        return messages;
    }
}

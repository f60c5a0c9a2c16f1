using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SupportBot;

// The command-line verbs' JSON lines: camelCase, no nulls, text kept readable (no \u escapes for quotes or accents).
public static class JsonLines
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Error(string message) => JsonSerializer.Serialize(new { error = message }, Options);
}

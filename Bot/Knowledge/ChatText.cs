using System.Text;
using System.Text.RegularExpressions;

namespace SupportBot.Knowledge;

// Turns a chat message into the words search should weigh: chat spelling and abbreviations written out, links,
// addresses and small numbers ("rm 6", "year 9", "10 mins") dropped. Greetings, apologies and thanks are stop words
// in the analyzer; what is left is the problem.
public static partial class ChatText
{
    static readonly Dictionary<string, string> Spelling = new(StringComparer.OrdinalIgnoreCase)
    {
        ["rm"] = "room", ["rms"] = "rooms", ["pls"] = "please", ["plz"] = "please", ["plss"] = "please", ["pleeease"] = "please",
        ["asap"] = "urgent", ["u"] = "you", ["ur"] = "your", ["r"] = "are", ["thx"] = "thanks", ["thnx"] = "thanks",
        ["ty"] = "thanks", ["tmrw"] = "tomorrow", ["tmr"] = "tomorrow", ["2moro"] = "tomorrow", ["b4"] = "before",
        ["msg"] = "message", ["msgs"] = "messages", ["pw"] = "password", ["pwd"] = "password", ["pword"] = "password",
        ["passwd"] = "password", ["acc"] = "account", ["acct"] = "account", ["puter"] = "computer",
        ["lappy"] = "laptop", ["lappie"] = "laptop", ["lptp"] = "laptop", ["prob"] = "problem", ["probs"] = "problems",
        ["mins"] = "minutes", ["min"] = "minutes", ["yr"] = "year", ["ppt"] = "powerpoint", ["cos"] = "because",
        ["coz"] = "because", ["bc"] = "because", ["wk"] = "week", ["abt"] = "about", ["sth"] = "something",
        ["smth"] = "something", ["vid"] = "video", ["vids"] = "videos", ["pic"] = "picture", ["pics"] = "pictures",
        ["idk"] = "know", ["atm"] = "now", ["w/"] = "with", ["kb"] = "keyboard", ["pc's"] = "computers",
        ["wi-fi"] = "wifi", ["e-mail"] = "email", ["e-mails"] = "email", ["emails"] = "email",
        ["sec"] = "second", ["secs"] = "seconds", ["hrs"] = "hours", ["hr"] = "hour", ["ipad's"] = "ipads",
        ["tbh"] = "", ["lol"] = "", ["omg"] = "", ["fyi"] = "", ["btw"] = "", ["pls."] = "please",
    };

    public static string Normalise(string message)
    {
        var text = Noise().Replace(message, " ");
        var builder = new StringBuilder(text.Length);
        foreach (var token in text.Split((char[])[' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries))
        {
            var bare = token.TrimEnd('.', ',', '!', '?', ';', ':', ')');
            if (bare.Length <= 2 && bare.All(char.IsAsciiDigit)) continue;
            builder.Append(Spelling.TryGetValue(bare, out var written) ? written : token).Append(' ');
        }
        return builder.ToString().TrimEnd();
    }

    // Links, email addresses and Teams mention tags carry no words about the problem.
    [GeneratedRegex(@"https?://\S+|www\.\S+|\S+@\S+\.\S+|</?at>", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Noise();
}

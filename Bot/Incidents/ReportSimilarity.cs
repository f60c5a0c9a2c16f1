using System.Text.RegularExpressions;
using Lucene.Net.Tartarus.Snowball.Ext;

namespace SupportBot.Incidents;

// What a report is about, as a small set of words: "the wifi is down in room 5" and "Wi-Fi not working in the
// library" are both {wifi}; "printer down in room 5" is {printer}. Places, people, time and symptom words
// ("down", "not working", "slow") say where or how badly, not what, so they are dropped; the knowledge base's
// synonyms fold "internet"/"wireless" into one word; what is left is stemmed (Lucene's English Snowball stemmer).
// Two reports are alike when their sets overlap enough (Dice coefficient): one shared word in two one-word
// reports, two of three, but not "printer jam" against "printer toner".
public static partial class ReportSimilarity
{
    public const double DefaultThreshold = 0.6;

    public sealed record Word(string Surface, string Key);

    public static IReadOnlyList<Word> Words(string text)
    {
        var normalized = Compact().Replace(text.ToLowerInvariant().Replace("'", "").Replace("\u2019", ""), "$1$2");
        var raw = Token().Matches(normalized).Select(m => m.Value).ToList();
        var words = new List<Word>();
        for (var i = 0; i < raw.Count; i++)
        {
            // Two-word synonyms first ("sign in", "blue screen"), then single words.
            if (i + 1 < raw.Count && Canonical.TryGetValue(raw[i] + " " + raw[i + 1], out var pair))
            {
                words.Add(new Word(raw[i] + " " + raw[i + 1], pair));
                i++;
                continue;
            }
            var word = raw[i];
            if (Ignored(word)) continue;
            var key = Canonical.TryGetValue(word, out var head) ? head : Stem(word);
            if (Canonical.TryGetValue(key, out var stemmedHead)) key = stemmedHead;
            if (Ignored(key)) continue;
            if (words.All(w => w.Key != key)) words.Add(new Word(word, key));
        }
        return words;
    }

    public static IReadOnlySet<string> Keys(string text) => Words(text).Select(w => w.Key).ToHashSet(StringComparer.Ordinal);

    public static double Similarity(IReadOnlySet<string> a, IReadOnlySet<string> b)
    {
        if (a.Count == 0 || b.Count == 0) return 0;
        var shared = a.Count(b.Contains);
        return 2.0 * shared / (a.Count + b.Count);
    }

    public static bool Alike(IReadOnlySet<string> a, IReadOnlySet<string> b, double threshold = DefaultThreshold) =>
        Similarity(a, b) >= threshold;

    // A few words for the technicians' card: what most reports share, in the first reporter's words, and the
    // first symptom named ("Wi-Fi down", "Teams not working"). Null when they share nothing worth naming.
    public static string? Describe(IReadOnlyList<string> reports)
    {
        if (reports.Count == 0) return null;
        var sets = reports.Select(Keys).ToList();
        var first = Words(reports[0]);
        var symptom = reports.Select(r => Symptom().Match(r.ToLowerInvariant().Replace("'", ""))).FirstOrDefault(m => m.Success)?.Value;
        var shared = first.Where(w => sets.Count(s => s.Contains(w.Key)) * 2 >= sets.Count && symptom?.Contains(w.Surface) != true)
            .Take(3).Select(Display).ToList();
        if (shared.Count == 0) return null;
        var phrase = string.Join(" ", shared) + (symptom is null ? "" : " " + SymptomWords(symptom));
        return char.ToUpperInvariant(phrase[0]) + phrase[1..];
    }

    static string Display(Word w) => w.Key switch
    {
        "wifi" => "Wi-Fi",
        "vpn" => "VPN",
        "mfa" => "MFA",
        "teams" => "Teams",
        "email" when w.Surface is "outlook" => "Outlook",
        _ => w.Surface,
    };

    static string SymptomWords(string matched) => matched switch
    {
        "cant connect" or "cannot connect" or "can not connect" or "wont connect" => "not connecting",
        "isnt working" or "not working" or "doesnt work" or "stopped working" or "wont work" => "not working",
        _ => matched,
    };

    static string Stem(string word)
    {
        if (word.Length <= 3 || word.Any(char.IsDigit)) return word;
        var stemmer = new EnglishStemmer();
        stemmer.SetCurrent(word);
        return stemmer.Stem() ? stemmer.Current : word;
    }

    static bool Ignored(string word) => word.Length <= 1 || word.All(char.IsDigit) || RoomCode().IsMatch(word) || Stop.Contains(word);

    // The knowledge base's synonym groups (wifi = internet = wireless, printer = copier, ...) mapped to their first
    // word, plus a few that matter for telling one outage from another.
    static readonly Dictionary<string, string> Canonical = BuildCanonical();

    static Dictionary<string, string> BuildCanonical()
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        IEnumerable<string[]> groups = [
            .. Knowledge.Synonyms.Groups,
            ["phishing", "suspicious", "dodgy", "sketchy", "fake", "scam"],
            ["wifi", "wi-fi", "wireless", "internet", "network", "eduroam", "connection", "online", "web"],
        ];
        foreach (var group in groups)
        {
            var head = Compact().Replace(group[0], "$1$2");
            foreach (var member in group.Select(m => Compact().Replace(m, "$1$2")))
            {
                map.TryAdd(member, head);
                if (!member.Contains(' ')) map.TryAdd(Stem(member), head);
            }
        }
        // Words the knowledge base groups for search but that are different problems for an outage.
        foreach (var distinct in new[] { "screen", "display", "lost", "missing", "call", "meeting", "sound", "app", "program", "software",
            "crash", "crashed", "suspicious email", "fake email" })
            map.Remove(distinct);
        map["teams"] = "teams";
        return map;
    }

    static readonly HashSet<string> Stop = new("""
        a an the and or but if of to in on at by for with from into onto as is are was were be been being am it its this that these those
        i im ive id me my mine myself we our ours us you your youre yours he she him her his they them their theirs there here
        can could would should will shall may might must do does did done have has had having get gets got getting go goes going went
        make makes made let lets seem seems seemed look looks looking
        what whats when where who whos why how which whatever anyone someone somebody anybody anything something nothing
        hi hello hey thanks thank please pls plz help ok okay sorry just really very so too also again still keep keeps kept
        today now yesterday tomorrow morning afternoon evening minute minutes hour hours day days week since ago right currently
        some any all more much many lot lots bit every everyone everybody nobody noone whole entire across anywhere everywhere
        up down out over off than then about
        not no nor dont doesnt didnt cant cannot wont isnt arent wasnt werent havent hasnt couldnt wouldnt shouldnt
        work works working worked broken broke break dead died stop stops stopped fail fails failed failing failure error errors
        issue issues problem problems trouble wrong fault faulty offline slow slowly dropping drops dropped drop disconnect disconnects
        disconnected disconnecting connect connects connected connecting unable able anymore properly strangely
        urgent urgently asap emergency quick quickly weird strange odd
        open opens opening load loads loading crash crashes crashed crashing join joining call calls ask asking asked confirm
        room rooms rm floor level building block wing site campus office library hall lab labs classroom class classes corridor
        upstairs downstairs ground first second third staffroom reception canteen gym portable
        school staff student students pupils kids teacher teachers people colleague colleagues users user team department
        """.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);

    // "wi-fi", "wi fi", "e-mail" become one word.
    [GeneratedRegex(@"\b(wi|e)[\s-](fi|mail)\b")]
    private static partial Regex Compact();

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex Token();

    [GeneratedRegex(@"^[a-z]\d{1,4}[a-z]?$")]
    private static partial Regex RoomCode();

    [GeneratedRegex(@"\b(down|not working|isnt working|doesnt work|stopped working|wont work|offline|slow|dropping|cant connect|cannot connect|can not connect|wont connect|not loading|frozen|crashing|jammed|locked out)\b")]
    private static partial Regex Symptom();
}

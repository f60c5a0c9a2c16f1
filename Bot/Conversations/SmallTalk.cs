using System.Text.RegularExpressions;
using SupportBot.Knowledge;
using SupportBot.Triage;

namespace SupportBot.Conversations;

public enum MessageKind { Request, Greeting, Thanks, Gibberish, TooVague }

// Not every message is a request: "hi", "thanks!", "asdfgh" and "it's broken" get a friendly answer, not a ticket.
// Leans towards Request: anything with a word the bot could act on goes to triage.
public static partial class SmallTalk
{
    static readonly HashSet<string> Greetings = Set("hi hii hiya hello hallo hey heya yo howdy greetings morning afternoon evening good there all team folks bot supportbot everyone");
    static readonly HashSet<string> ThankWords = Set("thanks thank thx thnx ty cheers ta appreciated appreciate great perfect awesome brilliant lovely cool nice ok okay k kk sorted excellent fab fantastic wonderful you so much very lot lots again bye goodbye cya");
    static readonly HashSet<string> Stop = Set("a an the my our your their his her its it is are was were be been being this that these those i me we you he she they them us to of in on at for with and or but so do does did dont doesnt didnt cant cannot wont isnt aint not no yes can could would should will just really very some any all have has had get got getting am im ive id its what whats why how when where who which there here now today still again anymore please pls plz hey um erm hmm");
    static readonly HashSet<string> Vague = Set("broken broke break breaks working work works worked problem problems issue issues help helping something anything everything wrong error errors fix fixed fixing urgent need needs needed stuck weird strange odd down bad thing things stuff question questions trouble mess messed up playing acting funny sort sorted assist assistance support");
    static readonly Lazy<HashSet<string>> Known = new(BuildVocabulary);

    public static MessageKind Classify(string text)
    {
        var words = Word().Matches(text.ToLowerInvariant().Replace("'", "").Replace("\u2019", "")).Select(m => m.Value).ToList();
        if (words.Count == 0) return MessageKind.Gibberish;
        var rest = words.Where(w => !Greetings.Contains(w) && !ThankWords.Contains(w)).ToList();
        if (rest.Count == 0)
            return words.Any(w => ThankWords.Contains(w) && !Greetings.Contains(w)) ? MessageKind.Thanks : MessageKind.Greeting;
        if (rest.All(w => Stop.Contains(w) || Vague.Contains(w)))
            return MessageKind.TooVague;
        if (rest.Count <= 3 && !rest.Any(w => Known.Value.Contains(w) || Stop.Contains(w) || Vague.Contains(w) || w.Any(char.IsDigit)))
            return MessageKind.Gibberish;
        return MessageKind.Request;
    }

    public static string Reply(MessageKind kind, string? userName) => kind switch
    {
        MessageKind.Greeting => $"Hi{FirstName(userName)}! I'm the IT help desk. Tell me what's wrong in a sentence, for example \"the projector in room 12 shows no signal\". Type **help** to see everything I can do.",
        MessageKind.Thanks => "You're welcome! Message me any time something else comes up.",
        MessageKind.TooVague => "I'd like to help: what isn't working? Tell me the device or app and what happens, for example \"the printer in the staff room says offline\".",
        _ => "Sorry, I didn't understand that. Tell me what's wrong in a sentence, for example \"my laptop won't turn on\". Type **help** to see what I can do.",
    };

    static string FirstName(string? name) =>
        string.IsNullOrWhiteSpace(name) ? "" : " " + name.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];

    // Every word the bot has seen in a real request or an article title or tag.
    static HashSet<string> BuildVocabulary()
    {
        var vocabulary = new HashSet<string>(StringComparer.Ordinal);
        void Add(string text)
        {
            foreach (Match m in Word().Matches(text.ToLowerInvariant().Replace("'", "")))
                if (m.Value.Length > 1) vocabulary.Add(m.Value);
        }
        foreach (var message in TriageDataset.Train()) Add(message.Text);
        foreach (var article in ArticleParser.LoadFolder(KnowledgeFiles.ArticleDirectory))
        {
            Add(article.Title);
            foreach (var tag in article.Tags) Add(tag);
        }
        return vocabulary;
    }

    static HashSet<string> Set(string words) => [.. words.Split(' ', StringSplitOptions.RemoveEmptyEntries)];

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex Word();
}

using System.Text.RegularExpressions;

namespace SupportBot.Triage;

public enum SignalKind { SecurityOrSafety, HappeningNow, Widespread, NoRush }

public sealed record Signal(SignalKind Kind, string Name, string Matched);

// Phrases a technician would never ignore, whatever the model says. Matched on lower-cased text with
// apostrophes dropped, so "can't", "cant" and "can not" all read the same.
public static partial class Signals
{
    public const string HowToQuestion = "how-to question";

    static readonly (SignalKind Kind, string Name, Regex Pattern)[] Rules =
    [
        (SignalKind.SecurityOrSafety, "phishing", Phishing),
        (SignalKind.SecurityOrSafety, "clicked or opened something suspicious", ClickedSomethingSuspicious),
        (SignalKind.SecurityOrSafety, "gave away credentials", GaveAwayCredentials),
        (SignalKind.SecurityOrSafety, "ransomware or malware", RansomwareOrMalware),
        (SignalKind.SecurityOrSafety, "account compromised", AccountCompromised),
        (SignalKind.SecurityOrSafety, "lost or stolen device", LostOrStolenDevice),
        (SignalKind.SecurityOrSafety, "safety hazard", SafetyHazard),
        (SignalKind.HappeningNow, "happening right now", HappeningRightNow),
        (SignalKind.HappeningNow, "class or meeting waiting", ClassOrMeetingWaiting),
        (SignalKind.HappeningNow, "work stopped", WorkStopped),
        (SignalKind.Widespread, "many people affected", ManyPeopleAffected),
        (SignalKind.NoRush, "no rush", NoRush),
        (SignalKind.NoRush, HowToQuestion, HowTo),
    ];

    // Only the first MaxChars of a text are read (what the triage model reads too).
    public const int MaxChars = TriageModel.MaxChars;

    public static IReadOnlyList<Signal> Find(string text)
    {
        var normalized = Normalize(text.Length > MaxChars ? text[..MaxChars] : text);
        var found = new List<Signal>();
        foreach (var (kind, name, pattern) in Rules)
            if (pattern.Match(normalized) is { Success: true } m)
                found.Add(new Signal(kind, name, m.Value.Trim()));
        return found;
    }

    public static string Normalize(string text) =>
        Whitespace().Replace(text.ToLowerInvariant().Replace("'", "").Replace("\u2019", ""), " ").Trim();

    // Source-generated, without a match timeout: a 2 s timeout used to fire on ordinary messages when the machine was busy
    // (found by bench/Chaos: RegexMatchTimeoutException, a 500, while two instances warmed up under load). No pattern nests
    // one repetition in another (only bounded ones: .{0,40}), so a match costs a bounded amount of work per character of
    // the text, and Find reads at most MaxChars of it. Not RegexOptions.NonBacktracking, though it is linear too: its
    // engine holds 32 MB for these patterns once built and caches automaton states for every new text it reads (64 MB
    // after 100,000 different messages, still growing), which the soak saw as a working set growing under load.
    const RegexOptions Options = RegexOptions.CultureInvariant;

    [GeneratedRegex(@"\b(ph|f)ish(ing|y)?\b|\bscam\b|\bspoof(ed|ing)?\b|\bfake (email|login|sign ?in|invoice|page|microsoft)", Options)]
    private static partial Regex Phishing { get; }

    [GeneratedRegex(@"\b(clicked|opened|downloaded|ran)\b.{0,40}\b(link|attachment|file|invoice|zip|macro|popup|pop up)\b.{0,60}\b(suspicious|weird|strange|dodgy|sketchy|bad|fake|shouldnt|not sure|unknown|scam|virus|malware)|\b(suspicious|weird|strange|dodgy|sketchy|fake|scam)\b.{0,40}\b(link|attachment)\b.{0,40}\b(clicked|opened)|\bi (think i )?(clicked|opened) (a|the|on a|on the) (bad|dodgy|suspicious|phishing|fake|scam) ", Options)]
    private static partial Regex ClickedSomethingSuspicious { get; }

    [GeneratedRegex(@"\b(pretend(ing|ed)? to be|claiming to be|posing as)\b|\b(entered|typed|gave|given|give|told|read out|put|shared|sent)\b.{0,30}\b(my )?(password|passcode|credentials|login details|mfa code|code)\b.{0,40}\b(link|site|page|email|caller|someone|website|form|text)", Options)]
    private static partial Regex GaveAwayCredentials { get; }

    [GeneratedRegex(@"\bransom|\bmalware\b|\btrojan\b|\bkeylogger\b|\bspyware\b|\binfected\b|\b(got|have|has|caught|picked up) (a |some )?virus|\bvirus (warning|alert|pop ?up|detected|found)|\bfiles? (are |were |have been |got )?(all )?encrypted|\bencrypted (all )?(my |our |the )?files|\bbitcoin\b|\bcrypto ?locker", Options)]
    private static partial Regex RansomwareOrMalware { get; }

    [GeneratedRegex(@"\bhack(ed|er|ers|ing)?\b|\bcompromised\b|\bbreach(ed)?\b|\b(someone|somebody|some one)( else)? (has )?(logged|signed|logging|signing|got) (in|into|access)|\bsending (out )?(spam|emails?|messages) (i|that i) (didnt|did not|never)|\bsent (emails?|messages) (i|that i) (didnt|did not|never)|\bunknown (login|sign ?in)|\bsign ?in from (russia|china|another country|a country)|\b(mfa|2fa|authenticator|approval) (requests?|prompts?|notifications?|codes?) (i|that i) (didnt|did not|never)|\bpassword (was |has been )?changed (and|but) (i|it wasnt)|\bimpersonat|\b(we|i) (never|didnt|did not) (send|sent) (that|this|it|them|anything)|\bnot (sent|from) (by )?(us|me)\b|\bleak(ed)? (data|passwords|student)|\bdata (leak|breach)", Options)]
    private static partial Regex AccountCompromised { get; }

    [GeneratedRegex(@"\b(stolen|stole|theft|nicked|robbed|burgl)|\b(lost|misplaced|left|cant find) (my |a |the |our |his |her |their )?(work |school |staff |office )?(laptop|phone|mobile|ipad|tablet|chromebook|macbook|surface|device|badge|usb|memory stick|hard drive|yubikey)|\b(laptop|phone|ipad|tablet|chromebook|device|usb) (is |was |has gone |went )?(missing|stolen|gone)", Options)]
    private static partial Regex LostOrStolenDevice { get; }

    [GeneratedRegex(@"\bsmok(e|ing|ey)\b|\bspark(s|ing|ed)?\b|\bburn(ing|t)? (smell|plastic)|\bsmells? (like |of )?(burn|smoke|melting)|\bon fire\b|\bfire (alarm|hazard)\b|\bflames?\b|\bmelt(ed|ing)\b|\b(swollen|bulging|swelling|puffy|expanding) (laptop |phone )?batter|\bbattery (is )?(swollen|bulging|swelling|expanding|leaking|smoking|very hot|really hot|too hot to)|\bexposed wires?|\belectric(al)? shock|\b(got|get|gets|getting|gave|giving|had) (a |an )?(small |little |mild |nasty |bad )?(electric |electrical )?shock|\bshocked (me|him|her|a student)|\bwater (is )?(leaking|dripping|pouring) (on|onto|into|over)|\bcable.{0,20}(trip|tripped)|\bfell (on|onto) (a |the )?(student|child|kid|someone)", Options)]
    private static partial Regex SafetyHazard { get; }

    [GeneratedRegex(@"\bright now\b|\bjust now\b|\bas we speak\b|\bat the moment\b.{0,30}\b(class|lesson|meeting|students|kids)|\brn\b|\basap\b|\bimmediately\b|\burgent(ly)?\b.{0,40}\b(now|waiting|class|lesson|meeting|live|today)|\bemergency\b|\bhelp!+|\bplease hurry|\bneed (it|this|help) (fixed |sorted )?(now|asap)", Options)]
    private static partial Regex HappeningRightNow { get; }

    [GeneratedRegex(@"\b(class|kids|students|pupils|children|learners|audience|parents|guests|customers|clients|patients|visitors|people|room|board|governors|trustees|donors|candidates|everyone) (are |is )?(all )?(sitting |just )?(here |there )?(waiting|watching|stuck|idle|waiting on me)|\b(in|during|mid|middle of|teaching|running|giving|starting) (a |my |the |this )?(lesson|class|lecture|exam|test|assessment|assembly|meeting|presentation|webinar|call|session|interview|period)\b|\b(lesson|class|meeting|exam|assembly|presentation|webinar|interview|session|call|period) (starts|started|is starting|begins|in) (in )?(\d+|five|ten|two|a few|fifteen|twenty)|\bin (\d+|five|ten|two|fifteen|twenty|a few) (min|mins|minutes)\b|\b(on air|i am presenting|im presenting|currently presenting)\b|\b(queue|line) of (customers|people|parents|students)|\b(customers|people|parents) (are )?queu", Options)]
    private static partial Regex ClassOrMeetingWaiting { get; }

    [GeneratedRegex(@"\b(students|pupils|kids|class|audience|customers|callers|parents|everyone in the room) (cant|cannot|can not|are unable to) (hear|see|log ?in|sign ?in|get on|access|connect|join|submit)|\b(class|students|pupils|kids|year \d+s?|\d+ (kids|students|pupils|people)) (sat |sitting |waiting )?in front of me\b|\b(cant|cannot|can not|unable to) (teach|work|do (any|my) (work|job)|do anything|continue|carry on|start (the|my) (lesson|class|meeting))\b|\b(nothing|no one|nobody) (can|is able to) (work|log in|sign in|print|get online)|\bstopped (the|my|our) (lesson|class|meeting)|\bdue (today|in an hour|at noon|by \d|this morning|this afternoon)|\bdeadline (is )?(today|in \d|this)", Options)]
    private static partial Regex WorkStopped { get; }

    [GeneratedRegex(@"\b(everyone|everybody|all of us)\b.{0,30}\b(cant|cannot|can not|unable|is (having|getting|seeing|locked|stuck|down|off)|are (having|getting|seeing|locked|stuck|down|off)|has (lost|no)|lost|down|off)|\b(nobody|no one|noone|none of us|none of the \w+) (can|could|is able|are able|has|have|is getting|gets)\b|\ball (of )?(the )?(staff|students|teachers|users|computers|laptops|pcs|machines|classrooms|rooms|printers|phones|devices|chromebooks)\b|\bwhole (building|school|office|floor|department|site|campus|wing|block|team|staff|company|org|organisation|organization|district|class)|\bentire (building|school|office|floor|department|site|campus|wing|team|staff|company|network)|\b(outage|down for (all|every)|is down everywhere)|\b(multiple|several|many|lots of|loads of|a bunch of|half the|most of the) (people|users|staff|teachers|students|rooms|classrooms|computers|laptops|machines|offices|desks)|\bacross the (school|building|site|office|campus)", Options)]
    private static partial Regex ManyPeopleAffected { get; }

    [GeneratedRegex(@"\bno rush\b|\bno hurry\b|\bnot urgent\b|\bno urgency\b|\b(its |it is )?not (that |super |too )?(urgent|pressing|important)\b|\bon (monday|tuesday|wednesday|thursday|friday)\b|\bnon[- ]?urgent\b|\bnot (a |an )?(priority|emergency)\b|\bwhen(ever)? you (get|have|find) (a |the )?(chance|minute|moment|sec|second|time)\b|\bwhenever\b|\bat some point\b|\bno (big )?deal\b|\b(next|this coming) (week|month|term|semester|year|monday|tuesday|wednesday|thursday|friday)\b|\bbefore (the )?(end of|next|monday|tuesday|wednesday|thursday|friday)\b|\bby (the )?(end of|next|monday|tuesday|wednesday|thursday|friday)\b|\bfor (next|the new|a new) (week|term|starter|hire|year|semester)\b|\bstarting (on |next )\b|\bwhen convenient\b|\blow priority\b|\bin the (next few|coming) (days|weeks)\b", Options)]
    private static partial Regex NoRush { get; }

    [GeneratedRegex(@"^(hi|hello|hey|morning|quick question)?[ ,!.]*(how (do|can|would|should) (i|we|you)|how to|is (there|it possible)|can (i|we|you) (please )?(get|have|order|request|set up|add)|could (i|we|you) (please )?(get|have|order|set up|add|show)|would (it be possible|you be able)|where (do|can) i (find|get)|what is the (best )?way|i would like|id like|i want to (request|order|get|know)|we need (a |an |another )?(new )?(account|login|laptop|monitor|licen))|\bhow do (i|we|you)\b|\bhow can (i|we)\b|\bis there a way\b|\bwondering (if|how|whether)\b|\bjust (wondering|curious)\b|\bcan you show me\b|\bany (tips|idea how|settings|way)\b|\bis (it|this|that|there) (even )?possible\b|\bpossible to\b|\bis \w+ possible\b|\b(is|are) (that|it|this|we|staff|students|teachers) allowed\b|\bwhen(s| is| does| will) (the|our|my) (next|renewal|licen)|\bwhat(s| is) the (best|process|policy|procedure|rule)\b|\bbest way to\b|\bthinking (of|about) (trying|getting|buying|using)\b", Options)]
    private static partial Regex HowTo { get; }

    internal static IEnumerable<Regex> Patterns => Rules.Select(r => r.Pattern);

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}

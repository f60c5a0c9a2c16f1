using System.Text.RegularExpressions;
using SupportBot.Triage;

namespace SupportBot.Tests.Triage;

public sealed class TriageBehaviourTests(TriageFixture fixture) : IClassFixture<TriageFixture>
{
    // Regression (bench/Chaos): the signal patterns had a 2 s match timeout, which fired on ordinary messages while the
    // machine was busy and turned a request into a 500. They never time out; no group in them repeats, so no repetition
    // nests in another and a match costs bounded work per character read.
    [Fact]
    public void Signal_patterns_cannot_time_out()
    {
        Assert.All(Signals.Patterns, p =>
        {
            Assert.Equal(Regex.InfiniteMatchTimeout, p.MatchTimeout);
            Assert.DoesNotMatch(@"\)[*+]|\)\{\d+,\d*\}", p.ToString());
        });
        var hostile = string.Concat(Enumerable.Repeat("clicked opened the link attachment everyone cant ", 80));
        Assert.NotEmpty(Signals.Find(hostile));
    }

    // Regression (memory): the patterns ran on RegexOptions.NonBacktracking, whose engine held 32 MB once built and kept
    // caching automaton states for each new text (64 MB after 100,000 different messages): the working set grew with
    // the variety of what people typed. The patterns keep no state per text now.
    [Fact]
    public void Signal_patterns_keep_no_state_per_text()
    {
        Assert.All(Signals.Patterns, p => Assert.False(p.Options.HasFlag(RegexOptions.NonBacktracking), p.ToString()[..40]));
    }

    // Find reads what the triage model reads, the first MaxChars: the work per message is bounded whatever its length.
    [Fact]
    public void Signals_are_read_from_the_first_MaxChars_only()
    {
        Assert.Contains(Signals.Find("I clicked a phishing link " + new string('x', Signals.MaxChars)), s => s.Name == "phishing");
        Assert.DoesNotContain(Signals.Find(new string('x', Signals.MaxChars) + " I clicked a phishing link"), s => s.Name == "phishing");
    }

    // The engine changed, the signals did not: over every labelled message, each pattern matches where the linear engine
    // matched, the same words.
    [Fact]
    public void Signal_patterns_match_as_the_linear_engine_did()
    {
        var texts = TriageDataset.Train().Concat(TriageDataset.HeldOut()).Select(m => Signals.Normalize(m.Text))
            .Append(Signals.Normalize(string.Concat(Enumerable.Repeat("clicked opened the link attachment everyone cant ", 80))))
            .ToList();
        foreach (var pattern in Signals.Patterns)
        {
            var linear = new Regex(pattern.ToString(), pattern.Options | RegexOptions.NonBacktracking);
            foreach (var text in texts)
            {
                var expected = linear.Match(text);
                var actual = pattern.Match(text);
                Assert.True(expected.Success == actual.Success && expected.Value == actual.Value,
                    $"{pattern.ToString()[..40]}... on '{text}': '{expected.Value}' before, '{actual.Value}' now");
            }
        }
    }

    [Theory]
    [InlineData("I clicked a link in an email and now my files are encrypted")]
    [InlineData("no rush but I think I typed my password into a fake login page")]
    [InlineData("someone has logged into my account from another country")]
    [InlineData("my laptop was stolen from my car last night")]
    [InlineData("there's smoke coming out of the printer")]
    [InlineData("the laptop battery is swollen and really hot")]
    [InlineData("got a ransom note on the office pc")]
    public void Security_and_safety_incidents_are_emergencies_without_asking(string text)
    {
        var result = fixture.Triager.Triage(text);
        Assert.Equal(Urgency.Emergency, result.Urgency);
        Assert.False(result.Confirm);
        Assert.NotEmpty(result.Reasons);
    }

    [Theory]
    [InlineData("projector died and my class is waiting right now")]
    [InlineData("wifi is down for the whole building")]
    [InlineData("nobody can log in to the SIS and registers are due")]
    [InlineData("my teams meeting starts in 5 minutes and my mic is dead")]
    public void Work_stopped_now_or_many_affected_is_an_emergency(string text)
    {
        Assert.Equal(Urgency.Emergency, fixture.Triager.Triage(text).Urgency);
    }

    [Theory]
    [InlineData("How do I bookmark a page?")]
    [InlineData("when you get a chance could you install Audacity on my laptop")]
    [InlineData("need a new monitor for next week, no rush")]
    [InlineData("how do i set up an out of office reply")]
    public void How_to_questions_and_no_rush_requests_are_normal(string text)
    {
        var result = fixture.Triager.Triage(text);
        Assert.Equal(Urgency.Normal, result.Urgency);
        Assert.False(result.Confirm);
    }

    [Theory]
    [InlineData("right now", SignalKind.HappeningNow)]
    [InlineData("the class is waiting", SignalKind.HappeningNow)]
    [InlineData("everyone is locked out", SignalKind.Widespread)]
    [InlineData("whole building has no internet", SignalKind.Widespread)]
    [InlineData("how do I change my signature", SignalKind.NoRush)]
    [InlineData("whenever you get a chance", SignalKind.NoRush)]
    [InlineData("sometime next week", SignalKind.NoRush)]
    [InlineData("no rush at all", SignalKind.NoRush)]
    [InlineData("I think I clicked a phishing link", SignalKind.SecurityOrSafety)]
    [InlineData("Can't find my work phone, I think I left it on the bus", SignalKind.SecurityOrSafety)]
    public void Signals_are_found(string text, SignalKind kind)
    {
        Assert.Contains(Signals.Find(text), s => s.Kind == kind);
    }

    [Theory]
    [InlineData("the wifi in the canteen is patchy but no one really needs it there")]
    [InlineData("how do I print double sided")]
    [InlineData("the firewall blocks a site I need for a lesson next week")]
    public void Ordinary_words_do_not_raise_security_or_widespread_signals(string text)
    {
        Assert.DoesNotContain(Signals.Find(text), s => s.Kind is SignalKind.SecurityOrSafety or SignalKind.Widespread);
    }

    [Fact]
    public void Reasons_name_the_signals_that_drove_the_result()
    {
        var result = fixture.Triager.Triage("whole school wifi is down right now");
        Assert.Contains(result.Reasons, r => r.Contains("many people affected"));
        Assert.Contains(result.Reasons, r => r.Contains("happening right now"));
    }

    // Triage clamps confidence into 0..1 and always names a category, so "a clear result" means what the bot does next.
    [Theory]
    [InlineData("🙂🙂🙂")]
    [InlineData("🔥")]
    [InlineData("?!?!")]
    public void Odd_input_without_words_gets_a_clear_result_ask_what_is_wrong(string text)
    {
        var result = fixture.Triager.Triage(text);

        Assert.Equal(Urgency.Normal, result.Urgency);
        Assert.True(result.Confirm);
        Assert.Equal("other", result.Category);
        Assert.Equal(0, result.Confidence);
        Assert.Equal(["no words to go on: ask what is wrong"], result.Reasons);
    }

    [Theory]
    [InlineData("el proyector no funciona")]
    [InlineData("プロジェクターが動きません")]
    public void Odd_input_in_words_the_model_does_not_know_gets_a_clear_result_a_question_not_a_guess(string text)
    {
        var result = fixture.Triager.Triage(text);

        Assert.True(result.Confirm);
        Assert.Contains(result.Reasons, r => r.StartsWith("unsure: ", StringComparison.Ordinal));
    }

    [Fact]
    public void Odd_input_of_one_letter_is_not_an_emergency()
    {
        Assert.Equal(Urgency.Normal, fixture.Triager.Triage("a").Urgency);
    }

    [Fact]
    public void A_100_KB_message_gets_the_result_its_opening_gets()
    {
        var text = string.Concat(Enumerable.Repeat("the projector keeps flickering and ", 3000));
        Assert.True(text.Length > 100_000);

        var result = fixture.Triager.Triage(text);
        var opening = fixture.Triager.Triage(text[..TriageModel.MaxChars]);

        Assert.Equal("classroom-av", result.Category);
        Assert.Equal((opening.Urgency, opening.Confirm, opening.Category, opening.Confidence), (result.Urgency, result.Confirm, result.Category, result.Confidence));
        Assert.Equal(opening.Reasons, result.Reasons);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\n\t")]
    public void Empty_text_is_reported_as_a_problem_before_triage(string text)
    {
        Assert.NotNull(TriageInput.Problem(text));
    }
}

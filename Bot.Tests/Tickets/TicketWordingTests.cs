using SupportBot.Tickets;

namespace SupportBot.Tests.Tickets;

public sealed class TicketWordingTests
{
    [Theory]
    [InlineData("Hi, sorry to bother you. My laptop won't turn on.", "My laptop won't turn on")]
    [InlineData("hello!! apologies, the printer in room 4 is jammed", "The printer in room 4 is jammed")]
    [InlineData("Good morning team, quick question: how do I reset my password?", "How do I reset my password")]
    [InlineData("Hey   there\n\nthe wifi keeps dropping. It started today.", "The wifi keeps dropping")]
    public void The_title_is_the_first_sentence_without_greetings_or_apologies(string problem, string title) =>
        Assert.Equal(title, TicketWording.Title(problem, "other"));

    [Fact]
    public void A_long_first_sentence_is_cut_at_a_word_to_the_title_limit()
    {
        var title = TicketWording.Title("The projector in the main hall flickers every few seconds whenever anyone plugs in a laptop over HDMI", "av");

        Assert.True(title.Length <= TicketLimits.TitleChars, title);
        Assert.EndsWith("…", title);
        Assert.StartsWith("The projector in the main hall flickers", title);
        Assert.DoesNotContain(" …", title);
    }

    [Fact]
    public void A_long_word_is_cut_hard_at_the_title_limit() =>
        Assert.Equal(TicketLimits.TitleChars, TicketWording.Title(new string('x', 200), "other").Length);

    [Theory]
    [InlineData("Hi!", "network", "Network request")]
    [InlineData("hello, sorry", "other", "IT request")]
    public void Nothing_but_greetings_gives_a_title_from_the_category(string problem, string category, string title) =>
        Assert.Equal(title, TicketWording.Title(problem, category));

    [Theory]
    [InlineData("the screen in rm 6 is blank", "rm 6")]
    [InlineData("The projector in Room 12 shows no signal", "Room 12")]
    [InlineData("I'm in the library and the printer is offline", "the library")]
    [InlineData("no wifi on the ground floor", "ground floor")]
    public void A_place_named_in_the_text_is_found(string text, string place) =>
        Assert.Equal(place, TicketWording.Place(text));

    [Theory]
    [InlineData("my laptop is slow")]
    [InlineData("Office 365 keeps asking me to sign in")]
    [InlineData("Visual Studio 2022 won't start")]
    public void Text_without_a_place_has_none(string text) =>
        Assert.Null(TicketWording.Place(text));
}

using SupportBot.Knowledge;

namespace SupportBot.Tests.Knowledge;

public sealed class ChatTextTests
{
    [Theory]
    [InlineData("the beamer in rm 6 wont work pls help asap", "the beamer in room wont work please help urgent")]
    [InlineData("cant open my e-mails, u said to restart b4 but no luck, thx", "cant open my email you said to restart before but no luck, thanks")]
    [InlineData("yr 9 in 10 mins!!", "year in minutes")]
    [InlineData("see https://contoso.sharepoint.com/x?y=1 or mail jo@contoso.org", "see or mail")]
    [InlineData("<at>SupportBot</at> printer jammed", "SupportBot printer jammed")]
    [InlineData("error 0x80070005 on update 2025", "error 0x80070005 on update 2025")]
    public void Chat_spelling_is_written_out_and_what_says_nothing_about_the_problem_is_dropped(string message, string expected) =>
        Assert.Equal(expected, ChatText.Normalise(message));
}

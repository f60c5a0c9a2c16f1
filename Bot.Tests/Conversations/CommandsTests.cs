using SupportBot.Conversations;

namespace SupportBot.Tests.Conversations;

public sealed class CommandsTests
{
    [Theory]
    [InlineData("my tickets")]
    [InlineData("  My Tickets ")]
    public void My_tickets(string text) => Assert.IsType<Command.MyTickets>(Commands.Parse(text));

    [Theory]
    [InlineData("status 1042")]
    [InlineData("status #1042")]
    [InlineData("#1042")]
    [InlineData("Status 1042!")]
    [InlineData("ticket 1042")]
    public void Status_with_a_number(string text) => Assert.Equal(new Command.Status(1042), Commands.Parse(text));

    [Fact]
    public void Status_without_a_number() => Assert.Equal(new Command.Status(null), Commands.Parse("status"));

    [Theory]
    [InlineData("how do I check the status of my order")]
    [InlineData("status of the printer in room 12")]
    [InlineData("my tickets printer is broken")]
    public void Anything_else_is_not_a_command(string text) => Assert.Null(Commands.Parse(text));

    // A number too big for a ticket is still the status command (answered "not found"), never a request.
    [Fact]
    public void A_huge_ticket_number_is_still_the_status_command() =>
        Assert.Equal(new Command.Status(-1), Commands.Parse("status 12345678901"));
}

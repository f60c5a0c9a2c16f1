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
    
    public void Status_with_a_number(string text) => Assert.Equal(new Command.Status(1042), Commands.Parse(text));

    [Theory]
    [InlineData("ticket 1042")]
    [InlineData("Ticket #1042")]
    public void Ticket_with_a_number_is_the_technicians_full_card(string text) => Assert.Equal(new Command.Ticket(1042), Commands.Parse(text));

    [Theory]
    [InlineData("queue", typeof(Command.Queue))]
    [InlineData("mine", typeof(Command.Mine))]
    [InlineData("setup", typeof(Command.Setup))]
    public void Technician_commands(string text, Type expected) => Assert.IsType(expected, Commands.Parse(text));

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

using Azure;
using SupportBot.Conversations;

namespace SupportBot.Tests.Conversations;

// The storage error boundary names the call that failed, so a failing turn can be traced from a Warning-level log.
public sealed class StorageFailureLogTests
{
    [Fact]
    public async Task The_log_names_the_innermost_of_our_calls_that_failed()
    {
        var failure = await Assert.ThrowsAsync<RequestFailedException>(() => OuterStepAsync());

        Assert.Equal("SupportBot.Tests.Conversations.StorageFailureLogTests.ReadTheRowAsync", HelpDeskBot.FailedAt(failure));
    }

    [Fact]
    public void An_exception_never_thrown_has_no_place() => Assert.Equal("?", HelpDeskBot.FailedAt(new RequestFailedException(503, "down")));

    static async Task OuterStepAsync()
    {
        await Task.Yield();
        await ReadTheRowAsync();
    }

    static async Task ReadTheRowAsync()
    {
        await Task.Yield();
        throw new RequestFailedException(503, "Service Unavailable");
    }
}

using System.Text.Json;
using System.Text.Json.Serialization;
using SupportBot.Protocol;

namespace SupportBot.Cards;

// The subset of the Adaptive Cards 1.5 schema the bot sends. Teams renders bot cards up to 1.5.
public sealed record AdaptiveCard
{
    public const string ContentType = "application/vnd.microsoft.card.adaptive";

    [JsonPropertyName("type")] public string Type => "AdaptiveCard";
    [JsonPropertyName("$schema")] public string Schema => "http://adaptivecards.io/schemas/adaptive-card.json";
    public string Version { get; init; } = "1.5";
    public IReadOnlyList<CardElement> Body { get; init; } = [];
    public IReadOnlyList<CardAction>? Actions { get; init; }
    public CardRefresh? Refresh { get; init; }
    public string? FallbackText { get; init; }
    // Teams extensions, e.g. the mentions a card's text contains.
    [JsonPropertyName("msteams")] public CardTeamsExtras? MsTeams { get; init; }

    public Attachment ToAttachment() => new() { ContentType = ContentType, Content = this };

    public string ToJson() => JsonSerializer.Serialize(this, CardJson.Options);
}

// Action typed as the base so it is written with its "type" (System.Text.Json adds the discriminator only then).
public sealed record CardRefresh(CardAction Action, IReadOnlyList<string>? UserIds = null);

public sealed record CardTeamsExtras(IReadOnlyList<CardMention>? Entities = null, string? Width = null);

// "<at>Name</at>" in a TextBlock, resolved to a person by Teams.
public sealed record CardMention(string Text, Protocol.ChannelAccount Mentioned)
{
    [JsonPropertyName("type")] public string Type => "mention";
}

[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(TextBlock), "TextBlock")]
[JsonDerivedType(typeof(FactSet), "FactSet")]
[JsonDerivedType(typeof(Container), "Container")]
[JsonDerivedType(typeof(ColumnSet), "ColumnSet")]
[JsonDerivedType(typeof(ActionSet), "ActionSet")]
[JsonDerivedType(typeof(InputText), "Input.Text")]
[JsonDerivedType(typeof(InputChoiceSet), "Input.ChoiceSet")]
[JsonDerivedType(typeof(InputToggle), "Input.Toggle")]
public abstract record CardElement
{
    public string? Id { get; init; }
    public bool? IsVisible { get; init; }
    public string? Spacing { get; init; }
    public bool? Separator { get; init; }
}

public sealed record TextBlock(string Text) : CardElement
{
    public bool? Wrap { get; init; } = true;
    public string? Size { get; init; }
    public string? Weight { get; init; }
    public string? Color { get; init; }
    public bool? IsSubtle { get; init; }
    public string? Style { get; init; }
}

public sealed record Fact(string Title, string Value);

public sealed record FactSet(IReadOnlyList<Fact> Facts) : CardElement;

public sealed record Container(IReadOnlyList<CardElement> Items) : CardElement
{
    public string? Style { get; init; }
}

public sealed record Column(IReadOnlyList<CardElement> Items)
{
    [JsonPropertyName("type")] public string Type => "Column";
    public string? Width { get; init; }
}

public sealed record ColumnSet(IReadOnlyList<Column> Columns) : CardElement;

public sealed record ActionSet(IReadOnlyList<CardAction> Actions) : CardElement;

public sealed record Choice(string Title, string Value);

public sealed record InputChoiceSet(IReadOnlyList<Choice> Choices) : CardElement
{
    public string? Label { get; init; }
    public string? Placeholder { get; init; }
    public string? Style { get; init; } = "compact";
    public string? Value { get; init; }
    public bool? Wrap { get; init; }
    public bool? IsRequired { get; init; }
    public string? ErrorMessage { get; init; }
}

// Its value is "true" or "false" (ValueOn / ValueOff).
public sealed record InputToggle(string Title) : CardElement
{
    public string? Value { get; init; }
    public string? ValueOn { get; init; } = "true";
    public string? ValueOff { get; init; } = "false";
}

// Its value reaches the bot in the action's data under the input's Id.
public sealed record InputText : CardElement
{
    public string? Label { get; init; }
    public string? Placeholder { get; init; }
    public bool? IsMultiline { get; init; }
    public int? MaxLength { get; init; }
    public string? Value { get; init; }
    public bool? IsRequired { get; init; }
    public string? ErrorMessage { get; init; }
}

[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(ActionExecute), "Action.Execute")]
[JsonDerivedType(typeof(ActionSubmit), "Action.Submit")]
[JsonDerivedType(typeof(ActionOpenUrl), "Action.OpenUrl")]
[JsonDerivedType(typeof(ActionToggleVisibility), "Action.ToggleVisibility")]
public abstract record CardAction(string Title)
{
    public string? Id { get; init; }
    public string? Style { get; init; }
}

public sealed record ActionExecute(string Title, string Verb, object? Data = null) : CardAction(Title);

public sealed record ActionSubmit(string Title, object? Data = null) : CardAction(Title);

public sealed record ActionOpenUrl(string Title, string Url) : CardAction(Title);

public sealed record ActionToggleVisibility(string Title, IReadOnlyList<string> TargetElements) : CardAction(Title);

public static class CardJson
{
    public static readonly JsonSerializerOptions Options = new(ProtocolJson.Options) { WriteIndented = true };
}

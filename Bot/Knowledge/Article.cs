using Markdig;
using Markdig.Extensions.Yaml;
using Markdig.Syntax;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace SupportBot.Knowledge;

public sealed record Article(
    string Id,
    string Title,
    IReadOnlyList<string> Tags,
    string Category,
    string Audience,
    DateOnly Updated,
    string Body,
    ArticleSource Source = ArticleSource.File);

public enum ArticleSource { File, Published }

// Markdown with YAML front matter (id, title, tags, category, audience, updated), as kept in knowledge/.
public static class ArticleParser
{
    static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UseYamlFrontMatter().Build();
    static readonly IDeserializer Yaml = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .IgnoreUnmatchedProperties()
        .Build();

    public static Article Parse(string markdown, string source)
    {
        var document = Markdown.Parse(markdown, Pipeline);
        var frontMatter = document.Descendants<YamlFrontMatterBlock>().FirstOrDefault()
            ?? throw new InvalidDataException($"{source}: no front matter");
        var yaml = markdown.Substring(frontMatter.Span.Start, frontMatter.Span.Length).Trim().Trim('-').Trim();
        var meta = Yaml.Deserialize<FrontMatter>(yaml) ?? throw new InvalidDataException($"{source}: empty front matter");
        var body = markdown[(frontMatter.Span.End + 1)..].Trim();

        string Required(string? value, string name) =>
            string.IsNullOrWhiteSpace(value) ? throw new InvalidDataException($"{source}: front matter lacks '{name}'") : value.Trim();

        return new Article(
            Required(meta.Id, "id"),
            Required(meta.Title, "title"),
            meta.Tags ?? [],
            Required(meta.Category, "category"),
            Required(meta.Audience, "audience"),
            DateOnly.TryParse(meta.Updated, out var updated) ? updated : throw new InvalidDataException($"{source}: 'updated' is not a date"),
            body);
    }

    public static IReadOnlyList<Article> LoadFolder(string directory) =>
        Directory.GetFiles(directory, "*.md")
            .Order(StringComparer.Ordinal)
            .Where(f => !Path.GetFileName(f).Equals("README.md", StringComparison.OrdinalIgnoreCase))
            .Select(f => Parse(File.ReadAllText(f), f))
            .ToList();

    sealed class FrontMatter
    {
        public string? Id { get; set; }
        public string? Title { get; set; }
        public List<string>? Tags { get; set; }
        public string? Category { get; set; }
        public string? Audience { get; set; }
        public string? Updated { get; set; }
    }
}

using System.Globalization;
using System.Text;

namespace SupportBot.Dashboard;

// Charts drawn on the server as inline SVG: no script, no canvas, nothing fetched. Colours come from CSS classes, so the
// theme's stylesheet colours them. Each chart is an image with a label; its table next to it carries the figures.
public static class SvgCharts
{
    const int Width = 480, Height = 190, Left = 42, Right = 6, Top = 10, Bottom = 24;
    const int PlotWidth = Width - Left - Right, PlotHeight = Height - Top - Bottom;

    public sealed record Series(string Name, string CssClass, IReadOnlyList<double?> Values);

    // Bars per slice, stacked in series order; labels under a few of them.
    public static string StackedBars(string label, IReadOnlyList<string> xLabels, IReadOnlyList<Series> series, double? fixedMax = null, string unit = "")
    {
        var n = xLabels.Count;
        var totals = Enumerable.Range(0, n).Select(i => series.Sum(s => s.Values[i] ?? 0)).ToList();
        var max = fixedMax ?? NiceMax(totals.DefaultIfEmpty(0).Max());
        var svg = Open(label);
        Grid(svg, max, unit);
        var slot = (double)PlotWidth / Math.Max(1, n);
        var barWidth = Math.Max(1, slot * 0.75);
        for (var i = 0; i < n; i++)
        {
            // A measured zero (not "no data") gets a mark on the axis, so it does not look like an empty day.
            if (totals[i] == 0 && series.Any(s => s.Values[i] is not null) && fixedMax is not null)
                svg.Append($"<rect class=\"s-bad\" x=\"{F(Left + i * slot + (slot - barWidth) / 2)}\" y=\"{F(Top + PlotHeight - 3)}\" width=\"{F(barWidth)}\" height=\"3\"/>");
            double y = Top + PlotHeight;
            foreach (var s in series)
            {
                var value = s.Values[i] ?? 0;
                if (value <= 0) continue;
                var h = value / max * PlotHeight;
                y -= h;
                svg.Append($"<rect class=\"{s.CssClass}\" x=\"{F(Left + i * slot + (slot - barWidth) / 2)}\" y=\"{F(y)}\" width=\"{F(barWidth)}\" height=\"{F(h)}\"/>");
            }
        }
        XLabels(svg, xLabels, slot);
        return Close(svg);
    }

    // Points joined where there is a value; a slice with no value (nothing to divide by) leaves a gap.
    public static string Line(string label, IReadOnlyList<string> xLabels, Series series, double max, string unit = "")
    {
        var n = xLabels.Count;
        var svg = Open(label);
        Grid(svg, max, unit);
        var slot = (double)PlotWidth / Math.Max(1, n);
        var path = new StringBuilder();
        var pen = false;
        for (var i = 0; i < n; i++)
        {
            if (series.Values[i] is not { } v) { pen = false; continue; }
            var x = Left + i * slot + slot / 2;
            var y = Top + PlotHeight - v / max * PlotHeight;
            path.Append(pen ? " L" : " M").Append(F(x)).Append(' ').Append(F(y));
            pen = true;
            svg.Append($"<circle class=\"{series.CssClass}\" cx=\"{F(x)}\" cy=\"{F(y)}\" r=\"3\"/>");
        }
        if (path.Length > 0) svg.Append($"<path class=\"{series.CssClass} line\" d=\"{path.ToString().Trim()}\"/>");
        XLabels(svg, xLabels, slot);
        return Close(svg);
    }

    // One horizontal bar per row, labelled at the left and valued at the right.
    public static string HorizontalBars(string label, IReadOnlyList<(string Name, double Value, string Text, string CssClass)> rows, double? fixedMax = null)
    {
        const int rowHeight = 28, labelWidth = 130, valueWidth = 60;
        var height = Math.Max(1, rows.Count) * rowHeight + 8;
        var max = fixedMax ?? NiceMax(rows.Select(r => r.Value).DefaultIfEmpty(0).Max());
        var svg = new StringBuilder($"<svg class=\"chart\" viewBox=\"0 0 {Width} {height}\" role=\"img\" aria-label=\"{Html.E(label)}\" focusable=\"false\">");
        for (var i = 0; i < rows.Count; i++)
        {
            var (name, value, text, css) = rows[i];
            var y = 4 + i * rowHeight;
            var w = max <= 0 ? 0 : value / max * (Width - labelWidth - valueWidth);
            svg.Append($"<text class=\"axis\" x=\"{labelWidth - 6}\" y=\"{y + 18}\" text-anchor=\"end\">{Html.E(Shorten(name, 18))}</text>");
            svg.Append($"<rect class=\"{css}\" x=\"{labelWidth}\" y=\"{y + 4}\" width=\"{F(w)}\" height=\"{rowHeight - 10}\"/>");
            svg.Append($"<text class=\"axis\" x=\"{F(labelWidth + w + 6)}\" y=\"{y + 18}\">{Html.E(text)}</text>");
        }
        return Close(svg);
    }

    static StringBuilder Open(string label) =>
        new($"<svg class=\"chart\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"{Html.E(label)}\" focusable=\"false\">");

    static string Close(StringBuilder svg) => svg.Append("</svg>").ToString();

    static void Grid(StringBuilder svg, double max, string unit)
    {
        for (var k = 0; k <= 4; k++)
        {
            var y = Top + PlotHeight - k / 4.0 * PlotHeight;
            var value = max * k / 4;
            svg.Append($"<line class=\"grid\" x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{F(y)}\" y2=\"{F(y)}\"/>");
            svg.Append($"<text class=\"axis\" x=\"{Left - 4}\" y=\"{F(y + 4)}\" text-anchor=\"end\">{Html.E(Number(value) + unit)}</text>");
        }
    }

    // At most 6 labels, always the last (today).
    static void XLabels(StringBuilder svg, IReadOnlyList<string> labels, double slot)
    {
        var every = Math.Max(1, (int)Math.Ceiling(labels.Count / 6.0));
        for (var i = labels.Count - 1; i >= 0; i -= every)
            svg.Append($"<text class=\"axis\" x=\"{F(Left + i * slot + slot / 2)}\" y=\"{Height - 6}\" text-anchor=\"middle\">{Html.E(labels[i])}</text>");
    }

    // Four grid steps of a whole, round size: 4, 8, 20, 40, 100, 200 ...
    static double NiceMax(double max)
    {
        var quarter = Math.Max(1, Math.Ceiling(max / 4));
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(quarter)));
        var step = new[] { 1, 2, 2.5, 5, 10 }.Select(m => m * magnitude).First(m => m >= quarter && m == Math.Floor(m));
        return step * 4;
    }

    static string Number(double v) => v == Math.Floor(v) ? v.ToString("0", CultureInfo.InvariantCulture) : v.ToString("0.#", CultureInfo.InvariantCulture);

    static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    static string Shorten(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";
}

package io.pabee.evaluate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A minimal, dependency-free SVG line chart (plus a bar chart) for evaluation reports. */
public final class SvgChart {

    /** One data point. */
    public record Point(double x, double y) {
    }

    private record Series(String name, List<Point> points) {
    }

    private static final String[] PALETTE = {
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"
    };
    private static final int TICKS = 5;
    private static final int LEFT = 70;
    private static final int TOP = 40;
    private static final int BOTTOM = 55;
    private static final int LEGEND = 160;

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final List<Series> series = new ArrayList<>();
    private int width = 720;
    private int height = 420;

    public SvgChart(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    /** Sets the image size in pixels (default 720 x 420). */
    public SvgChart size(int width, int height) {
        if (width < LEFT + LEGEND + 50 || height < TOP + BOTTOM + 50) {
            throw new IllegalArgumentException("chart too small: " + width + "x" + height);
        }
        this.width = width;
        this.height = height;
        return this;
    }

    /** Adds a named series from parallel coordinate arrays. */
    public SvgChart series(String name, double[] xs, double[] ys) {
        if (xs.length != ys.length) {
            throw new IllegalArgumentException("series " + name + ": " + xs.length + " x values vs "
                    + ys.length + " y values");
        }
        List<Point> pts = new ArrayList<>(xs.length);
        for (int i = 0; i < xs.length; i++) {
            pts.add(new Point(xs[i], ys[i]));
        }
        return series(name, pts);
    }

    /**
     * Adds a named series, drawn in the given order as a polyline with markers. Points with a
     * non-finite coordinate are skipped because SVG cannot place them.
     */
    public SvgChart series(String name, List<Point> points) {
        List<Point> finite = points.stream()
                .filter(p -> Double.isFinite(p.x()) && Double.isFinite(p.y())).toList();
        series.add(new Series(name, finite));
        return this;
    }

    /** The chart as a standalone SVG document. */
    public String render() {
        double xMin = Double.POSITIVE_INFINITY, xMax = Double.NEGATIVE_INFINITY;
        double yMin = Double.POSITIVE_INFINITY, yMax = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (Point p : s.points()) {
                xMin = Math.min(xMin, p.x());
                xMax = Math.max(xMax, p.x());
                yMin = Math.min(yMin, p.y());
                yMax = Math.max(yMax, p.y());
            }
        }
        if (xMin > xMax) { // no points at all: draw empty unit axes
            xMin = 0; xMax = 1; yMin = 0; yMax = 1;
        }
        double[] xt = niceTicks(xMin, xMax, TICKS);
        double[] yt = niceTicks(yMin, yMax, TICKS);
        Frame f = new Frame(xt[0], xt[xt.length - 1], yt[0], yt[yt.length - 1],
                LEFT, TOP, width - LEFT - LEGEND, height - TOP - BOTTOM);

        StringBuilder sb = new StringBuilder();
        open(sb, width, height, title);
        yTicks(sb, f, yt); // grid first so the axes are drawn over it
        axes(sb, f, xLabel, yLabel);
        for (double t : xt) {
            double x = f.px(t);
            sb.append(line(x, f.bottom(), x, f.bottom() + 5, "#000"));
            sb.append(text(x, f.bottom() + 18, "middle", 11, tickLabel(t, xt)));
        }

        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            String color = PALETTE[i % PALETTE.length];
            StringBuilder pts = new StringBuilder();
            for (Point p : s.points()) {
                if (pts.length() > 0) {
                    pts.append(' ');
                }
                pts.append(num(f.px(p.x()))).append(',').append(num(f.py(p.y())));
            }
            sb.append("  <g class=\"series\">\n");
            sb.append("    <title>").append(escape(s.name())).append("</title>\n");
            sb.append("    <polyline fill=\"none\" stroke=\"").append(color)
                    .append("\" stroke-width=\"2\" points=\"").append(pts).append("\"/>\n");
            for (Point p : s.points()) {
                sb.append("    <circle cx=\"").append(num(f.px(p.x()))).append("\" cy=\"")
                        .append(num(f.py(p.y()))).append("\" r=\"3\" fill=\"").append(color)
                        .append("\"/>\n");
            }
            sb.append("  </g>\n");

            double ly = TOP + 10 + i * 20;
            double lx = f.right() + 15;
            sb.append(line(lx, ly, lx + 20, ly, color).replace("/>", " stroke-width=\"2\"/>"));
            sb.append("  <circle cx=\"").append(num(lx + 10)).append("\" cy=\"").append(num(ly))
                    .append("\" r=\"3\" fill=\"").append(color).append("\"/>\n");
            sb.append(text(lx + 26, ly + 4, "start", 12, s.name()));
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    /** Writes {@link #render()} to a UTF-8 file. */
    public void write(Path file) throws IOException {
        Files.writeString(file, render(), StandardCharsets.UTF_8);
    }

    /** A vertical bar chart, e.g. a histogram of exit layers; one bar per category. */
    public static String renderBars(String title, List<String> categories, double[] values) {
        return renderBars(title, "", "", categories, values);
    }

    /** A vertical bar chart with axis labels; one bar per category. */
    public static String renderBars(String title, String xLabel, String yLabel,
                                    List<String> categories, double[] values) {
        if (categories.size() != values.length) {
            throw new IllegalArgumentException(categories.size() + " categories vs "
                    + values.length + " values");
        }
        double lo = 0, hi = 0; // bars grow from zero, so zero is always on the axis
        for (double v : values) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("bar value " + v + " is not finite");
            }
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        if (lo == hi) {
            hi = 1;
        }
        double[] yt = niceTicks(lo, hi, TICKS);
        int width = Math.max(480, LEFT + 40 + 40 * categories.size());
        int height = 400;
        Frame f = new Frame(0, Math.max(1, categories.size()), yt[0], yt[yt.length - 1],
                LEFT, TOP, width - LEFT - 30, height - TOP - BOTTOM);

        StringBuilder sb = new StringBuilder();
        open(sb, width, height, title);
        yTicks(sb, f, yt);
        axes(sb, f, xLabel, yLabel);
        boolean rotate = categories.size() > 12;
        for (int i = 0; i < values.length; i++) {
            double x0 = f.px(i + 0.1);
            double x1 = f.px(i + 0.9);
            double yv = f.py(values[i]);
            double y0 = f.py(0);
            sb.append("  <rect class=\"bar\" x=\"").append(num(x0)).append("\" y=\"")
                    .append(num(Math.min(yv, y0))).append("\" width=\"").append(num(x1 - x0))
                    .append("\" height=\"").append(num(Math.abs(y0 - yv))).append("\" fill=\"")
                    .append(PALETTE[0]).append("\"><title>").append(escape(categories.get(i)))
                    .append(": ").append(escape(fmt(values[i]))).append("</title></rect>\n");
            double cx = f.px(i + 0.5);
            if (rotate) {
                sb.append("  <text x=\"").append(num(cx)).append("\" y=\"").append(num(f.bottom() + 14))
                        .append("\" text-anchor=\"end\" font-size=\"10\" transform=\"rotate(-45 ")
                        .append(num(cx)).append(' ').append(num(f.bottom() + 14)).append(")\">")
                        .append(escape(categories.get(i))).append("</text>\n");
            } else {
                sb.append(text(cx, f.bottom() + 16, "middle", 11, categories.get(i)));
            }
            sb.append(text(cx, Math.min(yv, y0) - 4, "middle", 10, fmt(values[i])));
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    /**
     * About {@code target} evenly spaced "nice" tick values (steps of 1, 2, 5 times a power of ten)
     * whose first and last tick enclose [min, max].
     */
    public static double[] niceTicks(double min, double max, int target) {
        if (!Double.isFinite(min) || !Double.isFinite(max) || min > max || target < 2) {
            throw new IllegalArgumentException("bad tick range [" + min + ", " + max + "], " + target);
        }
        if (min == max) { // a flat series still needs a visible range
            double pad = min == 0 ? 1 : Math.abs(min) * 0.1;
            min -= pad;
            max += pad;
        }
        // Heckbert's "nice numbers": a nice range, then a nice (rounded) step within it
        double step = nice(nice(max - min, false) / (target - 1), true);
        double lo = Math.floor(min / step) * step;
        double hi = Math.ceil(max / step) * step;
        int n = (int) Math.round((hi - lo) / step) + 1;
        double[] ticks = new double[n];
        for (int i = 0; i < n; i++) {
            // recompute from the index and round to the step's precision to avoid 0.30000000000000004
            double v = lo + i * step;
            int decimals = decimals(step);
            ticks[i] = Math.round(v * Math.pow(10, decimals)) / Math.pow(10, decimals);
        }
        return ticks;
    }

    // a number of the form 1, 2 or 5 x 10^k near x: the closest when rounding, else the next >= x
    private static double nice(double x, boolean round) {
        double exp = Math.floor(Math.log10(x));
        double base = Math.pow(10, exp);
        double frac = x / base;
        double niceFrac = round
                ? (frac < 1.5 ? 1 : frac < 3 ? 2 : frac < 7 ? 5 : 10)
                : (frac <= 1 ? 1 : frac <= 2 ? 2 : frac <= 5 ? 5 : 10);
        return niceFrac * base;
    }

    private static int decimals(double step) {
        return Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9));
    }

    private static String tickLabel(double v, double[] ticks) {
        double step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
        return String.format(Locale.ROOT, "%." + decimals(step) + "f", v);
    }

    /** Escapes text for XML content and attributes, dropping characters XML 1.0 forbids. */
    public static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(s.length());
        s.codePoints().forEach(c -> {
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&apos;");
                default -> {
                    boolean legal = c == 0x9 || c == 0xA || c == 0xD
                            || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD)
                            || (c >= 0x10000 && c <= 0x10FFFF);
                    if (legal) {
                        sb.appendCodePoint(c);
                    }
                }
            }
        });
        return sb.toString();
    }

    /** Maps data coordinates onto the plot rectangle (SVG y grows downwards). */
    private record Frame(double x0, double x1, double y0, double y1,
                         double left, double top, double w, double h) {
        double px(double x) {
            return left + (x - x0) / (x1 - x0) * w;
        }

        double py(double y) {
            return top + h - (y - y0) / (y1 - y0) * h;
        }

        double right() {
            return left + w;
        }

        double bottom() {
            return top + h;
        }
    }

    private static void open(StringBuilder sb, int width, int height, String title) {
        sb.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width)
                .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(width)
                .append(' ').append(height).append("\" font-family=\"sans-serif\">\n");
        sb.append("  <rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n");
        sb.append(text(width / 2.0, 24, "middle", 16, title));
    }

    private static void axes(StringBuilder sb, Frame f, String xLabel, String yLabel) {
        sb.append(line(f.left(), f.bottom(), f.right(), f.bottom(), "#000"));
        sb.append(line(f.left(), f.top(), f.left(), f.bottom(), "#000"));
        sb.append(text(f.left() + f.w() / 2, f.bottom() + 42, "middle", 13, xLabel));
        double cy = f.top() + f.h() / 2;
        sb.append("  <text x=\"18\" y=\"").append(num(cy))
                .append("\" text-anchor=\"middle\" font-size=\"13\" transform=\"rotate(-90 18 ")
                .append(num(cy)).append(")\">").append(escape(yLabel)).append("</text>\n");
    }

    private static void yTicks(StringBuilder sb, Frame f, double[] yt) {
        for (double t : yt) {
            double y = f.py(t);
            sb.append(line(f.left() - 5, y, f.left(), y, "#000"));
            sb.append(line(f.left(), y, f.right(), y, "#e0e0e0"));
            sb.append(text(f.left() - 8, y + 4, "end", 11, tickLabel(t, yt)));
        }
    }

    private static String line(double x1, double y1, double x2, double y2, String color) {
        return "  <line x1=\"" + num(x1) + "\" y1=\"" + num(y1) + "\" x2=\"" + num(x2) + "\" y2=\""
                + num(y2) + "\" stroke=\"" + color + "\"/>\n";
    }

    private static String text(double x, double y, String anchor, int size, String content) {
        return "  <text x=\"" + num(x) + "\" y=\"" + num(y) + "\" text-anchor=\"" + anchor
                + "\" font-size=\"" + size + "\">" + escape(content) + "</text>\n";
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15
                ? Long.toString((long) v)
                : String.format(Locale.ROOT, "%.4g", v);
    }
}

package io.pabee.evaluate;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Rectangle;
import java.awt.geom.Ellipse2D;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.text.TextUtils;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;

/**
 * The report charts (line charts of a metric vs speed-up, bar charts of exits or throughput) as SVG,
 * drawn by JFreeChart and written by JFreeSVG (labels stay {@code <text>}, so reports stay small and searchable).
 */
public final class SvgChart {

    /** One data point. */
    public record Point(double x, double y) {
    }

    private record Series(String name, List<Point> points) {
    }

    static {
        // otherwise JFreeChart draws rotated text (the y-axis label) as a glyph layout, which SVG gets as outlines
        TextUtils.setUseDrawRotatedStringWorkaround(false);
    }

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
        if (width < 200 || height < 150) {
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
     * Adds a named series, drawn in the given order as a line with markers. Points with a
     * non-finite coordinate are skipped because they cannot be placed; a series left without
     * points is not drawn.
     */
    public SvgChart series(String name, List<Point> points) {
        List<Point> finite = points.stream()
                .filter(p -> Double.isFinite(p.x()) && Double.isFinite(p.y())).toList();
        series.add(new Series(name, finite));
        return this;
    }

    /** Series longer than this are drawn as lines without point markers. */
    static final int MAX_MARKED_POINTS = 100;

    /** The chart as a standalone SVG document. */
    public String render() {
        XYSeriesCollection data = new XYSeriesCollection();
        for (Series s : series) {
            XYSeries xy = new XYSeries(text(s.name()), false, true); // drawn in the given order
            s.points().forEach(p -> xy.add(p.x(), p.y()));
            data.addSeries(xy);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(text(title), text(xLabel), text(yLabel), data,
                PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        style(chart);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        ((NumberAxis) plot.getDomainAxis()).setAutoRangeIncludesZero(false);
        ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        // a marker per point shows the measured points of a short series; over a time series of hundreds of
        // points markers hide the line and make the file megabytes long
        boolean markers = series.stream().allMatch(s -> s.points().size() <= MAX_MARKED_POINTS);
        XYLineAndShapeRenderer lines = new XYLineAndShapeRenderer(true, markers);
        lines.setDrawSeriesLineAsPath(true); // one path per series
        for (int i = 0; i < series.size(); i++) {
            lines.setSeriesShape(i, new Ellipse2D.Double(-3, -3, 6, 6));
            lines.setSeriesStroke(i, new BasicStroke(2f));
        }
        plot.setRenderer(lines);
        return svg(chart, width, height);
    }

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
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) {
                throw new IllegalArgumentException("bar value " + values[i] + " is not finite");
            }
            data.addValue(values[i], "values", text(categories.get(i)));
        }
        JFreeChart chart = ChartFactory.createBarChart(text(title), text(xLabel), text(yLabel), data,
                PlotOrientation.VERTICAL, false, false, false);
        style(chart);
        CategoryPlot plot = chart.getCategoryPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        BarRenderer bars = (BarRenderer) plot.getRenderer();
        bars.setBarPainter(new StandardBarPainter()); // flat bars, no gradient
        bars.setShadowVisible(false);
        bars.setSeriesPaint(0, new Color(0x1f77b4));
        if (categories.size() > 12) {
            plot.getDomainAxis().setCategoryLabelPositions(CategoryLabelPositions.UP_45);
        }
        return svg(chart, Math.max(480, 110 + 40 * categories.size()), 360);
    }

    private static void style(JFreeChart chart) {
        chart.setBackgroundPaint(Color.WHITE);
        chart.setAntiAlias(true);
    }

    private static String svg(JFreeChart chart, int width, int height) {
        chart.setElementHinting(true); // groups carry the chart part they draw (series, axis, legend item)
        SVGGraphics2D g2 = new SVGGraphics2D(width, height);
        chart.draw(g2, new Rectangle(0, 0, width, height));
        // no DOCTYPE: it would point readers at an external DTD
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + g2.getSVGElement() + "\n";
    }

    /** Drops the characters XML 1.0 cannot carry (control characters other than tab, newline, return). */
    static String text(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}

package io.pabee.evaluate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The report charts are well-formed SVG that carry their title, axis labels, series and data. */
class SvgChartTest {

    private static Document parse(String svg) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<String> texts(Document doc) {
        NodeList nodes = doc.getElementsByTagNameNS("*", "text");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            out.add(nodes.item(i).getTextContent());
        }
        return out;
    }

    private static List<Double> numbers(Document doc) {
        List<Double> out = new ArrayList<>();
        for (String t : texts(doc)) {
            try {
                out.add(Double.parseDouble(t.replace(",", "")));
            } catch (NumberFormatException notANumber) {
                // a title, label or series name
            }
        }
        return out;
    }

    /** Points of each line drawn 2 px wide (the series' lines, and one short sample per legend item). */
    private static List<Integer> seriesLinePoints(Document doc) {
        List<Integer> out = new ArrayList<>();
        NodeList paths = doc.getElementsByTagNameNS("*", "path");
        for (int i = 0; i < paths.getLength(); i++) {
            Element p = (Element) paths.item(i);
            Element g = (Element) p.getParentNode();
            if (g.getAttribute("style").contains("stroke-width:2.0") && !p.getAttribute("d").contains("C")) {
                out.add(p.getAttribute("d").split("[ML]").length - 1);
            }
        }
        return out;
    }

    @Test
    void shouldRenderWellFormedSvgWithOneLinePerSeries() throws Exception {
        String svg = new SvgChart("Accuracy vs speed-up <PABEE & friends>", "speed-up \"x\"", "accuracy")
                .series("patience=1", new double[] {1, 2, 3}, new double[] {0.80, 0.85, 0.9})
                .series("patience=2 <'quoted'>", new double[] {1.5, 2.5}, new double[] {0.82, 0.88})
                .series("entropy", new double[] {1, 4, 5, 6}, new double[] {0.7, 0.93, 0.94, 0.95})
                .render();

        Document doc = parse(svg);
        assertThat(doc.getDocumentElement().getLocalName()).isEqualTo("svg");
        assertThat(texts(doc)).contains("Accuracy vs speed-up <PABEE & friends>", "speed-up \"x\"",
                "accuracy", "patience=1", "patience=2 <'quoted'>", "entropy");
        // one line per series through its points, and one 2-point sample per legend item
        assertThat(seriesLinePoints(doc)).containsExactlyInAnyOrder(3, 2, 4, 2, 2, 2);
    }

    @Test
    void shouldDrawALongTimeSeriesAsALineWithoutAMarkerPerPoint() throws Exception {
        double[] xs = new double[600];
        double[] ys = new double[600];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = i;
            ys[i] = 3 + Math.sin(i / 10.0);
        }
        String longSeries = new SvgChart("t", "seconds", "patience").series("adaptive", xs, ys).render();
        String shortSeries = new SvgChart("t", "seconds", "patience")
                .series("adaptive", java.util.Arrays.copyOf(xs, 50), java.util.Arrays.copyOf(ys, 50)).render();
        assertThat(seriesLinePoints(parse(longSeries))).contains(600);
        // markers are one element per point: the short series has them, the long one only its line
        assertThat(longSeries.length()).isLessThan(shortSeries.length() * 4);
        assertThat(shortSeries.split("<path", -1).length).isGreaterThan(50);
        assertThat(longSeries.split("<path", -1).length).isLessThan(50);
    }

    @Test
    void shouldLabelAxesWithTicksCoveringTheData() throws Exception {
        Document doc = parse(new SvgChart("t", "x", "y").series("s", new double[] {0, 0.93}, new double[] {1, 12}).render());

        List<Double> ticks = numbers(doc);
        assertThat(ticks).anySatisfy(v -> assertThat(v).isLessThanOrEqualTo(1.0));
        assertThat(ticks).anySatisfy(v -> assertThat(v).isGreaterThanOrEqualTo(12.0));
        assertThat(ticks).anySatisfy(v -> assertThat(v).isBetween(0.4, 0.6)); // x ticks between 0 and 0.93
    }

    @Test
    void shouldWriteTheChartToAFile(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("c.svg");
        new SvgChart("written", "x", "y").series("s", List.of(new SvgChart.Point(1, 2), new SvgChart.Point(2, 3))).write(file);
        assertThat(texts(parse(Files.readString(file)))).contains("written", "s");
        assertThatThrownBy(() -> new SvgChart("t", "x", "y").series("s", new double[] {1}, new double[] {1, 2}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldSkipNonFiniteAndRenderEmptyChart() throws Exception {
        String svg = new SvgChart("t", "x", "y")
                .series("s", new double[] {1, 2, 3}, new double[] {0.5, Double.NaN, 0.7}).render();
        assertThat(svg).doesNotContain("NaN");
        assertThat(seriesLinePoints(parse(svg))).contains(2).doesNotContain(3);

        Document empty = parse(new SvgChart("none", "x", "y").render());
        assertThat(texts(empty)).contains("none", "x", "y");
        assertThat(seriesLinePoints(empty)).isEmpty();
    }

    @Test
    void shouldEscapeAndDropCharactersIllegalInXml() throws Exception {
        assertThat(SvgChart.text("bell\u0007here\ttab")).isEqualTo("bellhere\ttab");

        String svg = new SvgChart("ctrl\u0001<title>", "x & y", "y").series("s\u0000", List.of(new SvgChart.Point(1, 1))).render();
        assertThat(texts(parse(svg))).contains("ctrl<title>", "x & y", "s");
    }

    @Test
    void shouldRenderOneBarPerCategory() throws Exception {
        String svg = SvgChart.renderBars("Exit layer <histogram>", List.of("1", "2", "3", "12 & up"),
                new double[] {10, 250, 37, 3});

        Document doc = parse(svg);
        NodeList rects = doc.getElementsByTagNameNS("*", "rect");
        List<Double> heights = new ArrayList<>();
        for (int i = 0; i < rects.getLength(); i++) {
            Element r = (Element) rects.item(i);
            if (r.getAttribute("style").contains("fill:rgb(31,119,180)")) {
                heights.add(Double.parseDouble(r.getAttribute("height")));
            }
        }
        assertThat(heights).hasSize(4).allSatisfy(h -> assertThat(h).isPositive());
        // bar heights keep the values' order: 250 is the tallest, 3 the shortest
        assertThat(heights.get(1)).isEqualTo(heights.stream().mapToDouble(Double::doubleValue).max().orElseThrow());
        assertThat(heights.get(3)).isEqualTo(heights.stream().mapToDouble(Double::doubleValue).min().orElseThrow());
        assertThat(texts(doc)).contains("Exit layer <histogram>", "1", "2", "3", "12 & up");
        assertThat(numbers(doc)).anySatisfy(v -> assertThat(v).isGreaterThanOrEqualTo(250));
        assertThatThrownBy(() -> SvgChart.renderBars("t", List.of("a"), new double[] {1, 2}))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

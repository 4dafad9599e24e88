package io.pabee.evaluate;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

    @Test
    void shouldRenderWellFormedSvgWithOnePolylinePerSeries() throws Exception {
        String svg = new SvgChart("Accuracy vs speed-up <PABEE & friends>", "speed-up \"x\"", "accuracy")
                .series("patience=1", new double[] {1, 2, 3}, new double[] {0.80, 0.85, 0.9})
                .series("patience=2 <'quoted'>", new double[] {1.5, 2.5}, new double[] {0.82, 0.88})
                .series("entropy", new double[] {1, 4}, new double[] {0.7, 0.93})
                .render();

        Document doc = parse(svg);
        assertThat(doc.getDocumentElement().getLocalName()).isEqualTo("svg");
        NodeList lines = doc.getElementsByTagNameNS("*", "polyline");
        assertThat(lines.getLength()).isEqualTo(3);
        assertThat(((Element) lines.item(0)).getAttribute("points").split(" ")).hasSize(3);
        assertThat(((Element) lines.item(1)).getAttribute("points").split(" ")).hasSize(2);
        assertThat(texts(doc)).contains("Accuracy vs speed-up <PABEE & friends>", "speed-up \"x\"",
                "accuracy", "patience=1", "patience=2 <'quoted'>", "entropy");
        // 7 data markers plus one legend marker per series
        assertThat(doc.getElementsByTagNameNS("*", "circle").getLength()).isEqualTo(7 + 3);
    }

    @Test
    void shouldDrawNiceTicksCoveringTheData() throws Exception {
        String svg = new SvgChart("t", "x", "y")
                .series("s", new double[] {0, 0.93}, new double[] {1, 12}).render();

        assertThat(texts(parse(svg))).contains("0.0", "0.2", "0.4", "0.6", "0.8", "1.0", "0", "5", "10", "15");
    }

    @Test
    void shouldChooseNiceTickValues() {
        assertThat(SvgChart.niceTicks(0, 0.93, 5)).containsExactly(0, 0.2, 0.4, 0.6, 0.8, 1.0);
        assertThat(SvgChart.niceTicks(1, 12, 5)).containsExactly(0, 5, 10, 15);
        assertThat(SvgChart.niceTicks(-3, 47, 5)).containsExactly(-10, 0, 10, 20, 30, 40, 50);
        double[] flat = SvgChart.niceTicks(0.5, 0.5, 5);
        assertThat(flat[0]).isLessThan(0.5);
        assertThat(flat[flat.length - 1]).isGreaterThan(0.5);
        assertThatThrownBy(() -> SvgChart.niceTicks(2, 1, 5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldSkipNonFiniteAndRenderEmptyChart() throws Exception {
        String svg = new SvgChart("t", "x", "y")
                .series("s", new double[] {1, 2, 3}, new double[] {0.5, Double.NaN, 0.7}).render();
        Element pl = (Element) parse(svg).getElementsByTagNameNS("*", "polyline").item(0);
        assertThat(pl.getAttribute("points")).doesNotContain("NaN").matches("\\S+ \\S+");

        Document empty = parse(new SvgChart("none", "x", "y").render());
        assertThat(empty.getElementsByTagNameNS("*", "polyline").getLength()).isZero();
    }

    @Test
    void shouldEscapeAndDropCharactersIllegalInXml() throws Exception {
        assertThat(SvgChart.escape("a<b & \"c\" 'd'>")).isEqualTo("a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;");
        assertThat(SvgChart.escape("bell\u0007here")).isEqualTo("bellhere");

        String svg = new SvgChart("ctrl\u0001<title>", "x", "y").series("s\u0000", List.of()).render();
        assertThat(texts(parse(svg))).contains("ctrl<title>", "s");
    }

    @Test
    void shouldRenderOneBarPerCategory() throws Exception {
        String svg = SvgChart.renderBars("Exit layer <histogram>", List.of("1", "2", "3", "12 & up"),
                new double[] {10, 250, 37, 3});

        Document doc = parse(svg);
        NodeList rects = doc.getElementsByTagNameNS("*", "rect");
        int bars = 0;
        double tallest = 0;
        for (int i = 0; i < rects.getLength(); i++) {
            Element r = (Element) rects.item(i);
            if ("bar".equals(r.getAttribute("class"))) {
                bars++;
                tallest = Math.max(tallest, Double.parseDouble(r.getAttribute("height")));
                assertThat(Double.parseDouble(r.getAttribute("height"))).isNotNegative();
            }
        }
        assertThat(bars).isEqualTo(4);
        assertThat(tallest).isPositive();
        assertThat(texts(doc)).contains("Exit layer <histogram>", "12 & up", "250", "300");
        assertThatThrownBy(() -> SvgChart.renderBars("t", List.of("a"), new double[] {1, 2}))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

package io.vxflow.job.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

/** The SVG is well-formed XML with round ticks, a legend, escaped text and lines broken at gaps. */
class SvgPlotTest {

    @Test
    void aChartIsWellFormedSvgWithItsSeriesBandsAndRules() throws Exception {
        String svg = new SvgPlot("Latency <e2e> & more", "seconds", "ms")
                .band(10, 20, "measured window")
                .rule(100, "p99 target")
                .line("p50", new double[] {0, 1, 2, 3}, new double[] {10, 20, Double.NaN, 40})
                .line("p99", new double[] {0, 1, 2, 3}, new double[] {50, 60, 70, 250})
                .render();
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertThat(doc.getDocumentElement().getTagName()).isEqualTo("svg");
        assertThat(svg).contains("Latency &lt;e2e&gt; &amp; more").contains(">p50<").contains(">p99<").contains(">measured window<")
                .contains(">p99 target<");
        var paths = doc.getElementsByTagName("path");
        assertThat(paths.getLength()).isEqualTo(2);
        String p50 = paths.item(0).getAttributes().getNamedItem("d").getNodeValue();
        assertThat(p50.chars().filter(c -> c == 'M').count()).as("the NaN breaks the line in two").isEqualTo(2);
        assertThat(doc.getElementsByTagName("circle").getLength()).as("markers on short series").isEqualTo(7);
        assertThat(svg).as("y ticks of 50 up to the highest value").contains(">200<", ">250<").doesNotContain(">300<");
    }

    @Test
    void niceStepsAndAxes() {
        assertThat(SvgPlot.Axis.niceStep(0.7)).isEqualTo(1);
        assertThat(SvgPlot.Axis.niceStep(1.3)).isEqualTo(2);
        assertThat(SvgPlot.Axis.niceStep(34)).isEqualTo(50);
        assertThat(SvgPlot.Axis.niceStep(600)).isEqualTo(1000);
        SvgPlot.Axis y = SvgPlot.Axis.of(new double[] {12, 480});
        assertThat(y).isEqualTo(new SvgPlot.Axis(0, 500, 100));
        SvgPlot.Axis x = SvgPlot.Axis.of(new double[] {8, 140});
        assertThat(x.min()).isEqualTo(0);
        assertThat(x.max()).isEqualTo(150);
        assertThat(SvgPlot.Axis.of(new double[0])).as("an empty chart still has an axis").isEqualTo(new SvgPlot.Axis(0, 1, 0.2));
        assertThat(SvgPlot.Axis.of(new double[] {-3, 7}).min()).as("below zero when the data is").isEqualTo(-4);
        assertThat(SvgPlot.Axis.label(1500, 500)).isEqualTo("1,500");
        assertThat(SvgPlot.Axis.label(0.4, 0.2)).isEqualTo("0.4");
    }
}

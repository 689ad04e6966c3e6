package io.vxflow.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vxflow.job.JobOptions;
import io.vxflow.job.web.LiveViewServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code --web PORT}: the live view's port, the mosaic turned on (16 tiles unless {@code --mosaic}
 * says otherwise), and one line for a bad or taken port. The page itself is tested in a browser in
 * {@code LiveViewITCase}.
 */
class WebFlagTest {
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cmd = Vxflow.commandLine();
        cmd.setOut(new PrintWriter(new StringWriter(), true));
        cmd.setErr(new PrintWriter(err, true));
        return cmd.execute(args);
    }

    private static Configuration apply(String... args) {
        PipelineFlags flags = new PipelineFlags();
        new CommandLine(flags).parseArgs(args);
        Configuration conf = new Configuration();
        flags.applyTo(conf);
        return conf;
    }

    @Test
    void theWebFlagSetsThePortAndTurnsTheMosaicOn() {
        Configuration conf = apply("--web", "8090");
        assertThat(conf.get(LiveViewServer.PORT)).isEqualTo(8090);
        assertThat(conf.get(JobOptions.MOSAIC_TILES)).isEqualTo(16);
        assertThat(apply("--web", "8090", "--mosaic", "4").get(JobOptions.MOSAIC_TILES)).isEqualTo(4);
        assertThat(apply().getOptional(LiveViewServer.PORT)).isEmpty();
        assertThat(apply().get(JobOptions.MOSAIC_TILES)).isZero();
    }

    @Test
    void portOutOfRangeIsOneLine() {
        assertThat(run("demo", "--web", "0")).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("vxflow demo: --web must be a port, 1..65535" + System.lineSeparator());
    }

    @Test
    void aTakenPortIsOneLine() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Configuration conf = new Configuration();
            conf.set(LiveViewServer.PORT, taken.getLocalPort());
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> LiveViewServer.start(conf))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("cannot serve the live view on port " + taken.getLocalPort());
        }
    }
}

package io.vxflow.job.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Child processes log to their file, fail with one line naming it, and never outlive the group. */
class ProcessGroupTest {

    @Test
    void closingTheGroupStopsWhatIsLeft(@TempDir Path dir) throws Exception {
        ChildProcess sleeper;
        try (ProcessGroup group = new ProcessGroup(dir)) {
            sleeper = group.start("t", "sleep", List.of("sleep", "600"));
            assertThat(sleeper.alive()).isTrue();
            assertThat(sleeper.log()).isEqualTo(dir.resolve("t-sleep.log"));
        }
        assertThat(sleeper.alive()).isFalse();
    }

    @Test
    void stopSendsSigtermAndReportsTheExit(@TempDir Path dir) throws Exception {
        try (ProcessGroup group = new ProcessGroup(dir)) {
            ChildProcess p = group.start("t", "trap", List.of("bash", "-c", "trap 'echo stopping; exit 0' TERM; while true; do sleep 0.1; done"));
            Thread.sleep(300); // let bash install the trap
            assertThat(p.stop(Duration.ofSeconds(5))).isZero();
            assertThat(Files.readString(p.log())).contains("stopping");
        }
    }

    @Test
    void aFailedChildIsOneLineWithItsLastWordsAndItsLog(@TempDir Path dir) throws Exception {
        try (ProcessGroup group = new ProcessGroup(dir)) {
            ChildProcess p = group.start("e2e-2", "job", List.of("bash", "-c", "echo starting; echo 'vxflow run: no such model'; echo '  at x.y(Z.java:1)'; exit 2"));
            assertThat(p.await(Duration.ofSeconds(10))).isEqualTo(2);
            assertThatThrownBy(p::requireAlive).isInstanceOf(ChildFailedException.class)
                    .hasMessage("e2e-2 job exited with code 2: vxflow run: no such model (log: " + dir.resolve("e2e-2-job.log") + ")");
        }
    }

    @Test
    void aVxflowChildRunsWithThisClassPath() {
        List<String> cmd = ChildProcess.vxflowCommand("512m", List.of("--version"));
        assertThat(cmd).contains("-Xmx512m", "io.vxflow.job.cli.Vxflow", "--version").containsAll(ChildProcess.JVM_FLAGS);
        assertThat(cmd.get(cmd.indexOf("-cp") + 1)).isEqualTo(System.getProperty("java.class.path"));
    }
}

package io.vxflow.gpu.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** Which commit a benchmark record names: the one the code was built from, not the directory it runs in. */
class MachineFactsTest {

    private static Properties stamp(String commit, String dirty) {
        Properties p = new Properties();
        p.setProperty("commit", commit);
        p.setProperty("dirty", dirty);
        return p;
    }

    @Test
    void theBuildsStampWinsOverTheWorkingDirectory() {
        assertThat(MachineFacts.commit(stamp("d9bcb3325cdc", "false"), () -> "2d587db-dirty", "f00d", "0.1.0"))
                .isEqualTo("d9bcb3325cdc");
    }

    @Test
    void aStampFromAChangedTreeSaysSo() {
        assertThat(MachineFacts.commit(stamp("d9bcb3325cdc", "true"), () -> "2d587db", null, null)).isEqualTo("d9bcb3325cdc-dirty");
    }

    @Test
    void anUnresolvedStampFallsBackToTheWorkingDirectoryThenTheEnvironmentThenTheVersion() {
        // a build without git leaves the placeholders as they are
        Properties unresolved = stamp("${git.commit.id.abbrev}", "${git.dirty}");
        assertThat(MachineFacts.commit(unresolved, () -> "2d587db-dirty", "f00d", "0.1.0")).isEqualTo("2d587db-dirty");
        assertThat(MachineFacts.commit(unresolved, () -> null, " f00dcafe1234 ", "0.1.0")).isEqualTo("f00dcafe1234");
        assertThat(MachineFacts.commit(new Properties(), () -> null, "", "0.1.0")).isEqualTo("0.1.0");
        assertThat(MachineFacts.commit(new Properties(), () -> null, null, null)).isNull();
    }

    @Test
    void theBuildStampsTheCommitItWasBuiltFrom() {
        // the Maven build that runs this test filtered build.properties; run from the module directory, inside the checkout
        String head = MachineFacts.command(List.of("git", "rev-parse", "--short=12", "HEAD"));
        assumeTrue(head != null && head.matches("[0-9a-f]{12}"), "not built from a git checkout");
        Properties stamp = MachineFacts.stamp();
        assertThat(stamp.getProperty("commit")).as("build.properties' commit").isEqualTo(head);
        assertThat(stamp.getProperty("dirty")).isIn("true", "false");
        assertThat(MachineFacts.commit()).startsWith(head);
    }
}

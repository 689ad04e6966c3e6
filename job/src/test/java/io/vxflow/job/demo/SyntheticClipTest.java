package io.vxflow.job.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.vxflow.codec.AccessUnit;
import io.vxflow.connectors.producer.AccessUnitReader;
import io.vxflow.connectors.producer.FrameRate;
import io.vxflow.connectors.producer.ReaderOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The clip as a raw Annex-B file reads back, through the producer's reader, as the same access units. */
class SyntheticClipTest {

    @Test
    void theAnnexBFileIsTheClip(@TempDir Path cache) throws Exception {
        Path file = SyntheticClip.annexBFile(45, cache);
        assertThat(file.getFileName().toString()).isEqualTo("synthetic-1080p30-baseline-45.h264");
        List<AccessUnit> clip = SyntheticClip.load(45, cache);
        List<AccessUnit> read = new ArrayList<>();
        try (AccessUnitReader reader = AccessUnitReader.open(file.toString(), ReaderOptions.defaults().withAssumedFrameRate(FrameRate.of(SyntheticClip.FPS)))) {
            assertThat(reader.width()).isEqualTo(1920);
            assertThat(reader.height()).isEqualTo(1080);
            for (AccessUnit u = reader.next(); u != null; u = reader.next()) {
                read.add(u);
            }
        }
        assertThat(read).hasSameSizeAs(clip);
        for (int i = 0; i < clip.size(); i++) {
            assertThat(read.get(i).keyframe()).as("keyframe flag of %d", i).isEqualTo(clip.get(i).keyframe());
            assertThat(read.get(i).ptsMicros()).as("pts of %d", i).isEqualTo(FrameRate.of(SyntheticClip.FPS).ptsMicros(i));
            assertThat(read.get(i).data()).as("bytes of %d", i).isEqualTo(clip.get(i).data());
        }
        long modified = Files.getLastModifiedTime(file).toMillis();
        assertThat(SyntheticClip.annexBFile(45, cache)).as("written once").isEqualTo(file);
        assertThat(Files.getLastModifiedTime(file).toMillis()).isEqualTo(modified);
    }
}

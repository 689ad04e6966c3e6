package io.vxflow.connectors.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vxflow.codec.AccessUnit;
import io.vxflow.codec.Codec;
import io.vxflow.connectors.producer.TestClips.Clip;
import io.vxflow.gpu.decode.FfmpegSoftwareDecoder;
import io.vxflow.gpu.synthetic.SyntheticScene;
import io.vxflow.gpu.synthetic.SyntheticVideoEncoder.Profile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * AccessUnitReader against files written by FFmpeg's own muxers from the synthetic scene, for every
 * encoder profile (Baseline; High with B-frames and HEVC where FFmpeg's GPL build is on the class
 * path) and container (MP4 and MKV with a global header, MPEG-TS and raw Annex-B with in-band
 * parameter sets): what comes out is what the encoder made, ready for the frames topic.
 */
class AccessUnitReaderTest {

    @TempDir
    static Path dir;

    static Stream<Arguments> profilesAndContainers() {
        List<Arguments> out = new ArrayList<>();
        for (Profile p : Profile.values()) {
            for (String ext : List.of("mp4", "mkv", "ts", TestClips.rawExtension(p.codec))) {
                out.add(Arguments.of(p, ext));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} in .{1}")
    @MethodSource("profilesAndContainers")
    void readsEveryAccessUnitAsTheEncoderMadeIt(Profile profile, String extension) throws Exception {
        assumeTrue(profile.isAvailable(), profile.encoder + " is only in FFmpeg's GPL build, not on this class path");
        Clip clip = TestClips.of(profile);
        Path file = TestClips.write(clip, dir, extension);
        boolean raw = extension.startsWith("h26");
        // openh264 writes no timing information into its SPS: a raw file of it has no frame rate to find
        ReaderOptions options = raw && profile == Profile.BASELINE
                ? ReaderOptions.defaults().withAssumedFrameRate(FrameRate.of(30)) : ReaderOptions.defaults();

        List<AccessUnit> read;
        try (AccessUnitReader reader = AccessUnitReader.open(file.toString(), options)) {
            assertThat(reader.codec()).isEqualTo(profile.codec);
            assertThat(reader.width()).isEqualTo(SyntheticScene.WIDTH);
            assertThat(reader.height()).isEqualTo(SyntheticScene.HEIGHT);
            assertThat(reader.frameRate()).isEqualTo(FrameRate.of(30));
            read = readAll(reader);
        }

        List<AccessUnit> encoded = clip.inBand();
        assertThat(read).hasSize(encoded.size());
        // MKV stores milliseconds; every other container here keeps the microsecond within rounding
        long tolerance = extension.equals("mkv") ? 500 : 1;
        for (int i = 0; i < read.size(); i++) {
            AccessUnit r = read.get(i), e = encoded.get(i);
            assertThat(r.codec()).isEqualTo(profile.codec);
            assertThat(r.keyframe()).as("keyframe flag of unit %d", i).isEqualTo(e.keyframe());
            assertThat(r.ptsMicros()).as("pts of unit %d", i).isCloseTo(e.ptsMicros(), within(tolerance));
            if (r.keyframe()) {
                assertStartsWithParameterSets(r, i);
            }
        }
        assertThat(decodedFrames(read)).as("pictures decoded from what was read").isEqualTo(encoded.size());
    }

    static void assertStartsWithParameterSets(AccessUnit unit, int index) {
        List<Integer> types = TestClips.nalTypesWithoutDelimiters(unit.data(), unit.codec());
        List<Integer> expected = unit.codec() == Codec.H264 ? List.of(7, 8) : List.of(32, 33, 34);
        assertThat(types.subList(0, Math.min(types.size(), expected.size())))
                .as("first NAL units of keyframe %d (all: %s)", index, types).isEqualTo(expected);
    }

    static List<AccessUnit> readAll(AccessUnitSource source) {
        List<AccessUnit> out = new ArrayList<>();
        for (AccessUnit u = source.next(); u != null; u = source.next()) {
            out.add(u);
        }
        return out;
    }

    static int decodedFrames(List<AccessUnit> units) throws Exception {
        int[] frames = {0};
        try (FfmpegSoftwareDecoder decoder = new FfmpegSoftwareDecoder(units.get(0).codec(), 2)) {
            for (AccessUnit u : units) {
                decoder.decode(u, f -> {
                    frames[0]++;
                    f.release();
                });
            }
            decoder.drain(f -> {
                frames[0]++;
                f.release();
            });
        }
        return frames[0];
    }

    @Test
    void rawStreamWithoutTimingInformationRunsAtFfmpegsDefaultOf25() throws Exception {
        Path file = TestClips.write(TestClips.of(Profile.BASELINE), dir, "h264");
        try (AccessUnitReader reader = AccessUnitReader.open(file)) {
            assertThat(reader.frameRate()).isEqualTo(FrameRate.of(25));
            List<AccessUnit> read = readAll(reader);
            for (int i = 0; i < read.size(); i++) {
                assertThat(read.get(i).ptsMicros()).isEqualTo(i * 40_000L);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"BASELINE", "HEVC_MAIN"})
    void rawStreamWithParameterSetsOnlyAtTheStartGetsThemBeforeEveryKeyframe(Profile profile) throws Exception {
        assumeTrue(profile.isAvailable(), profile.encoder + " is only in FFmpeg's GPL build, not on this class path");
        Clip clip = TestClips.of(profile);
        List<VideoFileWriter.Sample> samples = new ArrayList<>();
        for (AccessUnit u : clip.inBand()) {
            byte[] data = samples.isEmpty() ? u.data() : TestClips.withoutParameterSets(u.data(), u.codec());
            samples.add(new VideoFileWriter.Sample(u.ptsMicros(), u.keyframe(), data));
        }
        Path file = VideoFileWriter.write(dir.resolve("once-" + profile + "." + TestClips.rawExtension(profile.codec)),
                VideoFileWriter.StreamHeader.of(profile.codec, SyntheticScene.WIDTH, SyntheticScene.HEIGHT, 30, null),
                samples);

        List<AccessUnit> read;
        try (AccessUnitReader reader = AccessUnitReader.open(file.toString(),
                ReaderOptions.defaults().withAssumedFrameRate(FrameRate.of(30)))) {
            read = readAll(reader);
        }
        assertThat(read).hasSize(clip.inBand().size());
        assertThat(read.stream().filter(AccessUnit::keyframe).count()).isEqualTo(3);
        for (int i = 0; i < read.size(); i++) {
            if (read.get(i).keyframe()) {
                assertStartsWithParameterSets(read.get(i), i);
            }
        }
        // a decoder that joins at the last keyframe, as a restored Flink task does, starts at once
        int lastKey = 0;
        for (int i = 0; i < read.size(); i++) {
            lastKey = read.get(i).keyframe() ? i : lastKey;
        }
        assertThat(decodedFrames(read.subList(lastKey, read.size()))).isEqualTo(read.size() - lastKey);
    }

    @Test
    void rewindStartsOverWithTheSameUnitsAndTimes() {
        Path file = TestClips.write(TestClips.of(Profile.BASELINE), dir, "ts");
        try (AccessUnitReader reader = AccessUnitReader.open(file)) {
            List<AccessUnit> first = readAll(reader);
            assertThat(reader.next()).as("after the end").isNull();
            reader.rewind();
            List<AccessUnit> second = readAll(reader);
            assertThat(second).hasSameSizeAs(first);
            for (int i = 0; i < first.size(); i++) {
                assertThat(second.get(i).ptsMicros()).isEqualTo(first.get(i).ptsMicros());
                assertThat(second.get(i).keyframe()).isEqualTo(first.get(i).keyframe());
                assertThat(second.get(i).data()).isEqualTo(first.get(i).data());
            }
        }
    }

    @Test
    void closedReaderRefusesUseAndClosesTwice() {
        Path file = TestClips.write(TestClips.of(Profile.BASELINE), dir, "mp4");
        AccessUnitReader reader = AccessUnitReader.open(file);
        assertThat(reader.containerFormat()).contains("mp4");
        assertThat(reader.description()).isEqualTo(file.toString());
        reader.close();
        reader.close();
        assertThatThrownBy(reader::next).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @ParameterizedTest
    @MethodSource("rawExtensions")
    void rawFilesAreRecognisedByEveryUsualExtension(Profile profile, String extension) throws Exception {
        assumeTrue(profile.isAvailable(), profile.encoder + " is only in FFmpeg's GPL build, not on this class path");
        Path written = TestClips.write(TestClips.of(profile), dir, TestClips.rawExtension(profile.codec));
        Path renamed = java.nio.file.Files.copy(written, dir.resolve("renamed-" + profile + "." + extension),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try (AccessUnitReader reader = AccessUnitReader.open(renamed)) {
            assertThat(reader.codec()).isEqualTo(profile.codec);
            assertThat(readAll(reader)).hasSize(TestClips.of(profile).inBand().size());
        }
    }

    static Stream<Arguments> rawExtensions() {
        return Stream.of(Arguments.of(Profile.BASELINE, "264"), Arguments.of(Profile.HEVC_MAIN, "265"),
                Arguments.of(Profile.HEVC_MAIN, "hevc"));
    }
}

package io.vxflow.operators.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Per-stream inference intervals: glob patterns, first match wins, bad settings refused in one line. */
class InferenceIntervalTest {

    @Test
    void everyNthFrameByIndexFromTheFirst() {
        assertThat(LongStream.range(0, 10).filter(i -> InferenceInterval.analyses(3, i)).boxed().toList()).containsExactly(0L, 3L, 6L, 9L);
        assertThat(LongStream.range(0, 5).allMatch(i -> InferenceInterval.analyses(1, i))).isTrue();
    }

    @Test
    void theFirstMatchingPatternWinsAndUnmatchedStreamsGetTheDefault() {
        InferenceInterval i = InferenceInterval.parse(2, "lobby-1=1; lobby-*=5 ;dock-?=3;");
        assertThat(i.of("lobby-1")).as("before lobby-*").isEqualTo(1);
        assertThat(i.of("lobby-12")).isEqualTo(5);
        assertThat(i.of("lobby-")).as("* matches nothing too").isEqualTo(5);
        assertThat(i.of("dock-7")).isEqualTo(3);
        assertThat(i.of("dock-77")).as("? is exactly one character").isEqualTo(2);
        assertThat(i.of("my-lobby-1")).as("a pattern covers the whole id").isEqualTo(2);
        assertThat(i.everyFrame()).isFalse();
        assertThat(InferenceInterval.parse(1, "").everyFrame()).isTrue();
        assertThat(InferenceInterval.parse(1, null).of("any")).isEqualTo(1);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "cam-[0-3]    | cam-2    | true",
        "cam-[0-3]    | cam-4    | false",
        "cam-[!0-3]   | cam-4    | true",
        "cam-[!0-3]   | cam-1    | false",
        "cam-[ab.]    | cam-.    | true",
        "cam-[ab.]    | cam-x    | false",
        "a.b          | a.b      | true",
        "a.b          | axb      | false",
        "site/(1)+*   | site/(1)+east | true",
        "site/(1)+*   | site/11  | false",
        "*            | anything | true"})
    void globSyntax(String glob, String stream, boolean matches) {
        assertThat(InferenceInterval.parse(1, glob + "=4").of(stream)).isEqualTo(matches ? 4 : 1);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "lobby-*        | 'lobby-*' is not pattern=N (e.g. lobby-*=5)",
        "=5             | '=5' has no pattern before '='",
        "lobby-*=five   | 'lobby-*=five': the interval 'five' is not a whole number",
        "lobby-*=0      | 'lobby-*=0': the interval must be at least 1 (every frame), not 0",
        "lobby-*=-2     | 'lobby-*=-2': the interval must be at least 1 (every frame), not -2",
        "lobby-[=5      | pattern 'lobby-[' opens a set with '[' that is never closed",
        "lobby-[]=5     | pattern 'lobby-[]' has an empty set '[]'",
        "lobby-[z-a]=5  | pattern 'lobby-[z-a]' has a backward range 'z-a'",
        "a*=2;b=1;a*=3  | pattern 'a*' is given twice; only the first would ever match"})
    void badSettingsAreRefusedInOneLine(String setting, String message) {
        assertThatThrownBy(() -> InferenceInterval.parse(1, setting)).isInstanceOf(IllegalArgumentException.class).hasMessage(message)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void aDefaultBelowOneIsRefused() {
        assertThatThrownBy(() -> InferenceInterval.parse(0, "")).hasMessage("the interval must be at least 1 (every frame), not 0");
    }

    @Test
    void itTravelsWithTheJobGraph() throws Exception {
        InferenceInterval i = InferenceInterval.parse(2, "lobby-*=5;dock-[0-9]=3");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(i);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            InferenceInterval back = (InferenceInterval) in.readObject();
            assertThat(back.of("lobby-3")).isEqualTo(5);
            assertThat(back.of("dock-3")).isEqualTo(3);
            assertThat(back.of("gate")).isEqualTo(2);
        }
    }
}

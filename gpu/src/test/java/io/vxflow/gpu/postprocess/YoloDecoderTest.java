package io.vxflow.gpu.postprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vxflow.gpu.geometry.LetterboxGeometry;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

/** Two classes, six anchors: layout [4 + 2, 6], rows cx, cy, w, h, score0, score1. */
class YoloDecoderTest {
    static final int CLASSES = 2;
    static final int ANCHORS = 6;
    /** Model space equals source space: scale 1, no padding. */
    static final LetterboxGeometry IDENTITY = LetterboxGeometry.fit(640, 640, 640, 640);

    static final float[] OUTPUT = {
        //  a0    a1    a2    a3    a4                     a5
        100f, 102f, 100f, 300f, 400f, 500f, // cx
        100f, 100f, 100f, 300f, 400f, 500f, // cy
        20f, 20f, 20f, 10f, 10f, 10f, // w
        40f, 40f, 40f, 10f, 10f, 10f, // h
        0.9f, 0.8f, 0.3f, 0.5f, Math.nextDown(0.5f), 0.1f, // class 0
        0.1f, 0.2f, 0.7f, 0.25f, 0f, Float.NaN, // class 1
    };

    // a0: class 0, 0.9, [90, 80, 110, 120]
    // a1: class 0, 0.8, [92, 80, 112, 120]: IoU with a0 = 720 / 880 = 0.82, suppressed
    // a2: class 1, 0.7, the same box as a0 but another class, kept
    // a3: class 0, score exactly at the threshold 0.5, kept
    // a4: one ulp below the threshold, dropped; a5: best score 0.1 (NaN never wins), dropped
    static final Detection A0 = new Detection(0, 0.9f, 90f, 80f, 110f, 120f);
    static final Detection A2 = new Detection(1, 0.7f, 90f, 80f, 110f, 120f);
    static final Detection A3 = new Detection(0, 0.5f, 295f, 295f, 305f, 305f);

    @Test
    void decodesSuppressesAndThresholds() {
        YoloDecoder decoder = new YoloDecoder(CLASSES, ANCHORS, 0.5f, 0.45f, 10);
        assertThat(decoder.decode(OUTPUT, 0, IDENTITY)).containsExactly(A0, A2, A3);
    }

    @Test
    void aLowerThresholdLetsTheNextAnchorIn() {
        YoloDecoder decoder = new YoloDecoder(CLASSES, ANCHORS, Math.nextDown(0.5f), 0.45f, 10);
        assertThat(decoder.decode(OUTPUT, 0, IDENTITY))
                .containsExactly(A0, A2, A3, new Detection(0, Math.nextDown(0.5f), 395f, 395f, 405f, 405f));
    }

    @Test
    void aLooseIouThresholdKeepsTheOverlappingBox() {
        YoloDecoder decoder = new YoloDecoder(CLASSES, ANCHORS, 0.5f, 0.9f, 10);
        assertThat(decoder.decode(OUTPUT, 0, IDENTITY))
                .containsExactly(A0, new Detection(0, 0.8f, 92f, 80f, 112f, 120f), A2, A3);
    }

    @Test
    void maxDetectionsCapsTheBestFirst() {
        YoloDecoder decoder = new YoloDecoder(CLASSES, ANCHORS, 0.5f, 0.45f, 2);
        assertThat(decoder.decode(OUTPUT, 0, IDENTITY)).containsExactly(A0, A2);
    }

    @Test
    void equalScoresPreferTheLowerAnchorAndTheLowerClass() {
        float[] out = {
            10f, 30f, 50f, 70f, 90f, 110f,
            10f, 10f, 10f, 10f, 10f, 10f,
            4f, 4f, 4f, 4f, 4f, 4f,
            4f, 4f, 4f, 4f, 4f, 4f,
            0f, 0f, 0.6f, 0f, 0.6f, 0f,
            0f, 0f, 0.6f, 0f, 0.6f, 0f,
        };
        YoloDecoder decoder = new YoloDecoder(CLASSES, ANCHORS, 0.5f, 0.45f, 1);
        assertThat(decoder.decode(out, 0, IDENTITY)).containsExactly(new Detection(0, 0.6f, 48f, 8f, 52f, 12f));
    }

    @Test
    void aNanScoreNeverWins() {
        float[] out = new float[(4 + CLASSES) * ANCHORS];
        set(out, 0, 10f, 10f, 4f, 4f, Float.NaN, 0.9f);
        set(out, 1, 30f, 10f, 4f, 4f, Float.NaN, Float.NaN);
        YoloDecoder decoder = new YoloDecoder(CLASSES, ANCHORS, 0.5f, 0.45f, 10);
        assertThat(decoder.decode(out, 0, IDENTITY)).containsExactly(new Detection(1, 0.9f, 8f, 8f, 12f, 12f));
    }

    @Test
    void mapsAKnownBoxThroughThe1080pLetterbox() {
        // 1920x1080 -> 640x640: scale 1/3, content 640x360 at y = 140.
        LetterboxGeometry letterbox = LetterboxGeometry.fit(1920, 1080, 640, 640);
        float[] out = new float[(4 + CLASSES) * ANCHORS];
        set(out, 0, 320f, 320f, 60f, 30f, 0.95f, 0f); // [290, 305, 350, 335] -> [870, 495, 1050, 585]
        set(out, 5, 600f, 140f, 20f, 20f, 0f, 0.6f); // [590, 130, 610, 150] -> y1 clamped to 0
        YoloDecoder decoder = new YoloDecoder(CLASSES, ANCHORS, 0.5f, 0.45f, 10);
        assertThat(decoder.decode(out, 0, letterbox)).containsExactly(
                new Detection(0, 0.95f, 870f, 495f, 1050f, 585f),
                new Detection(1, 0.6f, 1770f, 0f, 1830f, 30f));
    }

    @Test
    void readsImageOfABatchInPlaceFromADirectBuffer() {
        YoloDecoder decoder = new YoloDecoder(CLASSES, ANCHORS, 0.5f, 0.45f, 10);
        assertThat(decoder.imageStride()).isEqualTo(36);
        FloatBuffer batch = ByteBuffer.allocateDirect(2 * 36 * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
        batch.position(36).put(OUTPUT).position(7); // image 0 all zeros, image 1 the fixture; position is ignored
        assertThat(decoder.decode(batch, 0, IDENTITY)).isEmpty();
        assertThat(decoder.decode(batch, 36, IDENTITY)).containsExactly(A0, A2, A3);
        assertThat(batch.position()).isEqualTo(7);
    }

    @Test
    void rejectsAnImageThatDoesNotFit() {
        YoloDecoder decoder = new YoloDecoder(CLASSES, ANCHORS, 0.5f, 0.45f, 10);
        assertThatThrownBy(() -> decoder.decode(OUTPUT, 1, IDENTITY)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> decoder.decode(OUTPUT, -1, IDENTITY)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> new YoloDecoder(0, ANCHORS, 0.5f, 0.45f, 10)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void reusingTheDecoderGivesTheSameAnswer() {
        YoloDecoder decoder = new YoloDecoder(CLASSES, ANCHORS, 0.5f, 0.45f, 10);
        decoder.decode(new float[36], 0, IDENTITY);
        assertThat(decoder.decode(OUTPUT, 0, IDENTITY)).containsExactly(A0, A2, A3);
        assertThat(decoder.decode(OUTPUT, 0, IDENTITY)).containsExactly(A0, A2, A3);
    }

    private static void set(float[] out, int anchor, float... rows) {
        for (int r = 0; r < rows.length; r++) {
            out[r * ANCHORS + anchor] = rows[r];
        }
    }
}

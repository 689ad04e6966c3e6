package io.vxflow.gpu.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.vxflow.gpu.postprocess.Detection;
import java.util.List;
import org.junit.jupiter.api.Test;

/** CPU/GPU detection matching, both ways, and the verdict the inference benchmark reports. */
class InferenceParityTest {
    static final Detection A = new Detection(0, 0.90f, 100, 100, 200, 200);
    static final Detection B = new Detection(1, 0.80f, 300, 300, 400, 380);
    static final Detection C = new Detection(2, 0.70f, 500, 100, 560, 180);

    @Test
    void identicalDetectionsAllMatch() {
        InferenceParity.Matching m = InferenceParity.match(List.of(A, B, C), List.of(C, A, B), 0.05f);
        assertThat(m).isEqualTo(new InferenceParity.Matching(3, 3, 3, 3, 0.0));
    }

    @Test
    void anExtraGpuDetectionIsUnmatchedOnTheGpuSide() {
        InferenceParity.Matching m = InferenceParity.match(List.of(A, B), List.of(A, B, C), 0.05f);
        assertThat(m).isEqualTo(new InferenceParity.Matching(2, 2, 3, 2, 0.0));
    }

    @Test
    void aMissingGpuDetectionIsUnmatchedOnTheCpuSide() {
        InferenceParity.Matching m = InferenceParity.match(List.of(A, B, C), List.of(A, C), 0.05f);
        assertThat(m).isEqualTo(new InferenceParity.Matching(3, 2, 2, 2, 0.0));
    }

    @Test
    void wrongClassLowIouOrScoreBeyondTheToleranceDoNotMatch() {
        Detection otherClass = new Detection(1, 0.90f, 100, 100, 200, 200);
        Detection shifted = new Detection(0, 0.90f, 110, 100, 210, 200); // IoU 0.82
        Detection lessSure = new Detection(0, 0.80f, 100, 100, 200, 200);
        for (Detection g : List.of(otherClass, shifted, lessSure)) {
            assertThat(InferenceParity.match(List.of(A), List.of(g), 0.05f)).as("%s", g).isEqualTo(new InferenceParity.Matching(1, 0, 1, 0, 0.0));
        }
        Detection close = new Detection(0, 0.88f, 101, 100, 201, 200);
        InferenceParity.Matching m = InferenceParity.match(List.of(A), List.of(close), 0.05f);
        assertThat(m.cpuMatched()).isEqualTo(1);
        assertThat(m.maxScoreDifference()).isCloseTo(0.02, org.assertj.core.data.Offset.offset(1e-6));
    }

    @Test
    void pairsAreOneToOneSoTwoGpuBoxesOnOneObjectLeaveOneUnmatched() {
        Detection twin = new Detection(0, 0.89f, 101, 101, 201, 201);
        assertThat(InferenceParity.match(List.of(A), List.of(A, twin), 0.05f)).isEqualTo(new InferenceParity.Matching(1, 1, 2, 1, 0.0));
    }

    @Test
    void aScoreCrossingTheCountingThresholdIsNoMissOnEitherSide() {
        Detection cpuJustAbove = new Detection(0, 0.31f, 100, 100, 200, 200);
        Detection gpuJustBelow = new Detection(0, 0.28f, 100, 100, 200, 200);
        assertThat(InferenceParity.match(List.of(cpuJustAbove), List.of(gpuJustBelow), 0.05f))
                .isEqualTo(new InferenceParity.Matching(1, 1, 0, 0, Math.abs(0.31f - 0.28f)));
        assertThat(InferenceParity.match(List.of(gpuJustBelow), List.of(cpuJustAbove), 0.05f).gpuMatched()).isEqualTo(1);
    }

    @Test
    void resultsAgreeOnlyAsFarAsTheWorseSide() {
        InferenceParity.Result r = new InferenceParity.Result(64, 200, 200, 250, 200, 0.01);
        assertThat(r.unmatchedCpu()).isZero();
        assertThat(r.unmatchedGpu()).isEqualTo(50);
        assertThat(r.agreement()).isEqualTo(0.8);
        assertThat(r.toString()).contains("CPU 200 compared, 0 unmatched", "GPU 250 compared, 50 unmatched");
    }

    @Test
    void theBenchmarkReportsFailureForUnmatchedResultsOnEitherSideOrNothingCompared() {
        assertThat(InferBenchmark.parityVerdict(new InferenceParity.Result(64, 1000, 995, 1000, 999, 0.01))).isEqualTo("ok");
        assertThat(InferBenchmark.parityVerdict(new InferenceParity.Result(64, 1000, 1000, 1100, 1000, 0.01)))
                .isEqualTo("FAIL: 100 of 1100 GPU results unmatched");
        assertThat(InferBenchmark.parityVerdict(new InferenceParity.Result(64, 100, 90, 90, 90, 0.01)))
                .isEqualTo("FAIL: 10 of 100 CPU results unmatched");
        assertThat(InferBenchmark.parityVerdict(new InferenceParity.Result(64, 0, 0, 0, 0, 0))).isEqualTo("FAIL: nothing to compare");
    }
}

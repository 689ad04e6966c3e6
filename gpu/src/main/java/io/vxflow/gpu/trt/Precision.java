package io.vxflow.gpu.trt;

/**
 * The arithmetic a TensorRT engine is built for, and the element type of its image input.
 *
 * <ul>
 *   <li>{@link #FP16}: {@code BuilderFlag::kFP16}; the network input is half precision, so the
 *       normalize kernel writes fp16 straight into the batch tensor; the output stays float32.
 *   <li>{@link #FP32}: IEEE float32 throughout; TF32 is switched off ({@code kTF32} cleared) so that
 *       results match ONNX Runtime's CPU output to about 1e-3.
 * </ul>
 */
public enum Precision {
    FP16(TensorDataType.FLOAT16),
    FP32(TensorDataType.FLOAT32);

    private final TensorDataType inputType;

    Precision(TensorDataType inputType) {
        this.inputType = inputType;
    }

    /** {@link #FP16} when {@code half} (the pipeline's {@code fp16} option), else {@link #FP32}. */
    public static Precision of(boolean half) {
        return half ? FP16 : FP32;
    }

    /** The element type the engine's image input takes at this precision. */
    public TensorDataType inputType() {
        return inputType;
    }
}

package io.vxflow.gpu.trt;

import io.vxflow.gpu.infer.ModelInfo;
import java.util.Arrays;
import org.bytedeco.tensorrt.global.nvinfer.DataType;
import org.bytedeco.tensorrt.global.nvinfer.OptProfileSelector;
import org.bytedeco.tensorrt.global.nvinfer.TensorFormat;
import org.bytedeco.tensorrt.global.nvinfer.TensorIOMode;
import org.bytedeco.tensorrt.global.nvinfer.TensorLocation;
import org.bytedeco.tensorrt.nvinfer.Dims64;
import org.bytedeco.tensorrt.nvinfer.ICudaEngine;

/**
 * The input and output of a deserialized engine, as read back from TensorRT, and the proof that
 * they are what vxflow feeds and reads: one linear device input {@code [batch, 3, H, W]} of the
 * key's input type, one linear device float32 output of {@link ModelInfo#outputSize()} elements
 * per image, and a profile that reaches the key's max batch. Immutable.
 *
 * @param inputName the input tensor's name
 * @param outputName the output tensor's name
 * @param inputType element type of the input
 * @param outputType element type of the output (always float32)
 * @param inputElementsPerImage {@code 3 * H * W}
 * @param outputElementsPerImage elements of one image's output
 * @param dynamicBatch whether the batch dimension is set per call (false: the model's fixed batch)
 * @param contextMemoryBytes device memory each execution context allocates when it is created
 */
record EngineIo(
        String inputName,
        String outputName,
        TensorDataType inputType,
        TensorDataType outputType,
        long inputElementsPerImage,
        long outputElementsPerImage,
        boolean dynamicBatch,
        long contextMemoryBytes) {

    /** Reads and checks {@code engine}'s I/O; unusable when it is not what {@code key} asked for. */
    static EngineIo of(ICudaEngine engine, ModelInfo model, EngineKey key) throws EngineFile.UnusableException {
        if (engine.getNbIOTensors() != 2) {
            throw new EngineFile.UnusableException("the engine has " + engine.getNbIOTensors() + " I/O tensors; vxflow binds one input"
                    + " and one output");
        }
        String a = engine.getIOTensorName(0);
        String b = engine.getIOTensorName(1);
        boolean aIsInput = engine.getTensorIOMode(a).value == TensorIOMode.kINPUT.value;
        String input = aIsInput ? a : b;
        String output = aIsInput ? b : a;
        if (!model.inputName().equals(input) || !model.outputName().equals(output)
                || engine.getTensorIOMode(output).value != TensorIOMode.kOUTPUT.value) {
            throw new EngineFile.UnusableException("the engine's I/O is " + input + " -> " + output + ", the model's "
                    + model.inputName() + " -> " + model.outputName());
        }
        TensorDataType inputType = linearDeviceTensor(engine, input);
        TensorDataType outputType = linearDeviceTensor(engine, output);
        if (inputType != key.inputType() || outputType != TensorDataType.FLOAT32) {
            throw new EngineFile.UnusableException("the engine takes " + inputType + " and gives " + outputType + "; wanted "
                    + key.inputType() + " and FLOAT32");
        }
        long[] in = shape(engine.getTensorShape(input));
        long[] out = shape(engine.getTensorShape(output));
        boolean dynamic = checkShapes(in, out, model, key);
        long outPerImage = perImage(out);
        if (dynamic) {
            long[] max = shape(engine.getProfileShape(input, 0, OptProfileSelector.kMAX));
            if (engine.getNbOptimizationProfiles() < 1 || max.length != 4 || max[0] != key.maxBatch()) {
                throw new EngineFile.UnusableException("the engine's profile reaches " + Arrays.toString(max) + ", not batch "
                        + key.maxBatch());
            }
        }
        return new EngineIo(input, output, inputType, outputType, 3L * model.inputHeight() * model.inputWidth(), outPerImage, dynamic,
                engine.getDeviceMemorySizeV2());
    }

    /**
     * Checks the engine's input and output shapes against the model and the key; returns whether the
     * batch is set per call. A model with a dynamic batch built for one batch size (max batch 1: the
     * profile's min, opt and max are all 1) comes back from TensorRT with that size fixed in its
     * shapes (seen with TensorRT 10.6 on the H200): it is a fixed-batch engine of that size.
     */
    static boolean checkShapes(long[] in, long[] out, ModelInfo model, EngineKey key) throws EngineFile.UnusableException {
        long expectedBatch = model.fixedBatch() > 0 ? model.fixedBatch() : -1;
        boolean oneSize = expectedBatch < 0 && key.build().profileMinBatch() == key.maxBatch();
        if (oneSize && in.length == 4 && in[0] == key.maxBatch()) {
            expectedBatch = key.maxBatch();
        }
        if (in.length != 4 || in[0] != expectedBatch || in[1] != 3 || in[2] != model.inputHeight() || in[3] != model.inputWidth()) {
            throw new EngineFile.UnusableException("the engine's input shape is " + Arrays.toString(in) + "; wanted [" + expectedBatch
                    + ", 3, " + model.inputHeight() + ", " + model.inputWidth() + "]");
        }
        if (out.length < 1 || out[0] != expectedBatch || perImage(out) != model.outputSize()) {
            throw new EngineFile.UnusableException("the engine's output shape is " + Arrays.toString(out) + "; the model gives "
                    + model.outputSize() + " values per image");
        }
        return expectedBatch < 0;
    }

    private static TensorDataType linearDeviceTensor(ICudaEngine engine, String name) throws EngineFile.UnusableException {
        if (engine.getTensorFormat(name).value != TensorFormat.kLINEAR.value
                || engine.getTensorLocation(name).value != TensorLocation.kDEVICE.value) {
            throw new EngineFile.UnusableException("tensor '" + name + "' is not a linear device tensor ("
                    + engine.getTensorFormatDesc(name) + ")");
        }
        int type = engine.getTensorDataType(name).value;
        if (type == DataType.kFLOAT.value) {
            return TensorDataType.FLOAT32;
        }
        if (type == DataType.kHALF.value) {
            return TensorDataType.FLOAT16;
        }
        throw new EngineFile.UnusableException("tensor '" + name + "' has TensorRT data type " + type + "; vxflow uses float32 and"
                + " float16");
    }

    private static long[] shape(Dims64 dims) {
        try (dims) {
            long[] s = new long[Math.max(0, dims.nbDims())];
            for (int i = 0; i < s.length; i++) {
                s[i] = dims.d(i);
            }
            return s;
        }
    }

    private static long perImage(long[] shape) {
        long n = 1;
        for (int i = 1; i < shape.length; i++) {
            if (shape[i] <= 0) {
                return -1;
            }
            n *= shape[i];
        }
        return n;
    }

    /** Bytes of {@code batch} images of input. */
    long inputBytes(int batch) {
        return batch * inputElementsPerImage * inputType.bytes();
    }

    /** Bytes of {@code batch} images of output. */
    long outputBytes(int batch) {
        return batch * outputElementsPerImage * outputType.bytes();
    }
}

/**
 * TensorRT inference for the GPU backend, through JavaCPP's TensorRT 10.6 preset (bindings built
 * against 10.6's headers).
 *
 * <p>{@link io.vxflow.gpu.trt.TensorRtEngine#acquire} gives a slot the engine of the user's ONNX
 * model: one deserialized engine per process, GPU and {@link io.vxflow.gpu.trt.EngineKey}, shared
 * and reference counted; loaded from the engine cache under {@code <vxflow cache>/engines/} or
 * built at job start (fp16 by default, fp32 on request), with the reason and the progress logged.
 * Each slot runs it through its own {@link io.vxflow.gpu.trt.TensorRtContext}, which enqueues on the
 * slot's CUDA stream without allocating or waiting.
 *
 * <p>Which TensorRT: JavaCPP's own search (a redist jar on the class path, else the library path),
 * or a system TensorRT 10.x install ({@link io.vxflow.gpu.trt.TensorRtHome}, for GPUs newer than 10.6
 * supports); {@link io.vxflow.gpu.trt.TensorRtLibrary} loads it once per process, checks it and logs
 * its release and file, and engines are keyed by that release.
 *
 * <p>Everything native stays in this package. TensorRT objects are deleted with C++ {@code delete}
 * through {@code CppDelete}, because the 1.5.11 preset registers no deallocator on the objects
 * TensorRT returns; TensorRT's log goes to slf4j under {@code io.vxflow.gpu.trt.TensorRT}.
 */
package io.vxflow.gpu.trt;

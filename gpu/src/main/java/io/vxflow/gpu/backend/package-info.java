/**
 * The two implementations of a slot's {@link io.vxflow.gpu.pipeline.SlotRuntime}, at the top of the
 * GPU module's layers: {@link io.vxflow.gpu.backend.cpu.CpuSlotRuntime} (FFmpeg software decode, the
 * CPU reference kernels, ONNX Runtime) and {@link io.vxflow.gpu.backend.cuda.GpuSlotRuntime} (NVDEC,
 * the CUDA kernels, TensorRT), and {@link io.vxflow.gpu.backend.SlotRuntimes}, which opens the one a
 * spec asks for.
 *
 * <p>They live here, not beside their parts in {@code cpu} and {@code cuda}, because they use
 * everything below them ({@code pipeline}'s contract, {@code decode}, {@code trt}, {@code infer},
 * {@code postprocess}) while {@code decode} and {@code trt} themselves run on {@code cuda}: only
 * from the top does every dependency point down. {@code PackageLayersTest} fails on a package cycle.
 */
package io.vxflow.gpu.backend;

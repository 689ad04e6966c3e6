package io.vxflow.gpu.trt;

import org.bytedeco.javacpp.Pointer;

/**
 * A JavaCPP pointer that is only ever a number: a device address handed to TensorRT's
 * {@code setTensorAddress}. Reused for every binding so that binding allocates nothing; owns no
 * memory (no deallocator).
 */
final class DeviceAddress extends Pointer {
    DeviceAddress at(long deviceAddress) {
        this.address = deviceAddress;
        return this;
    }
}

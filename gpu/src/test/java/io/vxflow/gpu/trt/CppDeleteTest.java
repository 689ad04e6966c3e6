package io.vxflow.gpu.trt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;

/**
 * The JavaCPP internals {@link CppDelete} relies on, exercised with JavaCPP's own byte arrays
 * (TensorRT itself is not needed): the deleter learnt from a throwaway object frees memory that
 * arrived with no deallocator.
 */
class CppDeleteTest {
    /** A pointer as TensorRT's factory functions return them: an address and no deallocator. */
    static final class Returned extends Pointer {
        Returned(long address) {
            this.address = address;
        }
    }

    @Test
    void closeDeletesAnObjectThatCameWithoutADeallocator() {
        BytePointer allocated = new BytePointer(64); // new signed char[64]
        long address = allocated.address();
        allocated.deallocate(false); // forget it without freeing: from now on only 'returned' can free it
        Returned returned = new Returned(address);
        assertThat(CppDelete.owns(returned)).isFalse();

        assertThat(CppDelete.attach(returned, () -> new BytePointer(64))).isSameAs(returned); // learns delete[] for signed char
        assertThat(CppDelete.owns(returned)).isTrue();
        assertThat(returned.address()).isEqualTo(address);

        returned.close();
        assertThat(returned.isNull()).isTrue();
        assertThat(CppDelete.owns(returned)).isFalse();
    }

    @Test
    void nullPointersPassThroughAndOwnedOnesAreRefused() {
        assertThat(CppDelete.attach((Returned) null, () -> new BytePointer(1))).isNull();
        Returned nothing = new Returned(0);
        assertThat(CppDelete.attach(nothing, () -> new BytePointer(1))).isSameAs(nothing);
        assertThat(CppDelete.owns(nothing)).isFalse();
        try (BytePointer owned = new BytePointer(8)) {
            assertThatThrownBy(() -> CppDelete.attach(owned, () -> new BytePointer(1))).isInstanceOf(IllegalStateException.class);
        }
    }
}

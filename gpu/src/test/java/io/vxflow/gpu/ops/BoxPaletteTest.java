package io.vxflow.gpu.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BoxPaletteTest {
    @Test
    void sixteenDistinctColoursIndexedModuloTheirCount() {
        assertThat(BoxPalette.size()).isEqualTo(16);
        assertThat(BoxPalette.rgb(0)).isEqualTo(0xFF3838);
        assertThat(BoxPalette.rgb(15)).isEqualTo(0x520085);
        assertThat(BoxPalette.rgb(16)).isEqualTo(0xFF3838);
        assertThat(BoxPalette.rgb(-1)).isEqualTo(0x520085);
        Set<Integer> colours = new HashSet<>();
        for (int c = 0; c < 16; c++) {
            colours.add(BoxPalette.rgb(c));
        }
        assertThat(colours).hasSize(16);
    }
}

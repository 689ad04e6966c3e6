package io.vxflow.connectors.results;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PNG thumbnails decode to the pixels they were made of, and making them writes no file. */
class PngTest {
    /** 3 x 2: red, green, blue over white, black, grey. */
    private static final byte[] RGB = {
        (byte) 255, 0, 0, 0, (byte) 255, 0, 0, 0, (byte) 255,
        (byte) 255, (byte) 255, (byte) 255, 0, 0, 0, (byte) 128, (byte) 128, (byte) 128};

    @Test
    void decodesToThePixelsItWasMadeOf() throws IOException {
        byte[] png = Png.encodeRgb(3, 2, RGB);
        assertThat(png).startsWith(0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n');
        BufferedImage back = ImageIO.read(new MemoryCacheImageInputStream(new ByteArrayInputStream(png)));
        assertThat(back.getWidth()).isEqualTo(3);
        assertThat(back.getHeight()).isEqualTo(2);
        int[] expected = {0xFF0000, 0x00FF00, 0x0000FF, 0xFFFFFF, 0x000000, 0x808080};
        for (int i = 0; i < expected.length; i++) {
            assertThat(back.getRGB(i % 3, i / 3) & 0xFFFFFF).as("pixel %d", i).isEqualTo(expected[i]);
        }
    }

    @Test
    void tooFewBytesIsRefused() {
        assertThatThrownBy(() -> Png.encodeRgb(3, 2, new byte[17]))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("need 18 bytes, got 17");
    }

    /**
     * ImageIO's cache file lives only while one image is written, so the directory is watched rather than
     * listed. The same watch first sees the file that ImageIO.write makes, so it would see Png's.
     */
    @Test
    void writesNoTemporaryFile(@TempDir Path cacheDir) throws IOException, InterruptedException {
        File cacheBefore = ImageIO.getCacheDirectory();
        boolean useCacheBefore = ImageIO.getUseCache();
        ImageIO.setCacheDirectory(cacheDir.toFile());
        ImageIO.setUseCache(true); // the JVM's default; Png must not depend on anyone turning it off
        try (WatchService watch = cacheDir.getFileSystem().newWatchService()) {
            cacheDir.register(watch, ENTRY_CREATE);
            BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
            assertThat(ImageIO.write(img, "png", new ByteArrayOutputStream())).isTrue();
            assertThat(createdBefore("probe-done", watch, cacheDir)).as("ImageIO.write's cache file").hasSize(1);

            for (int i = 0; i < 20; i++) {
                Png.encodeRgb(3, 2, RGB);
            }
            assertThat(createdBefore("png-done", watch, cacheDir)).as("files created by Png.encodeRgb").isEmpty();
        } finally {
            ImageIO.setCacheDirectory(cacheBefore);
            ImageIO.setUseCache(useCacheBefore);
        }
    }

    /** Names created in {@code dir} since the last call, up to a marker file this call creates (events keep their order). */
    private static List<String> createdBefore(String marker, WatchService watch, Path dir) throws IOException, InterruptedException {
        Files.createFile(dir.resolve(marker));
        List<String> created = new ArrayList<>();
        while (true) {
            WatchKey key = watch.poll(10, TimeUnit.SECONDS);
            assertThat(key).as("a create event for %s", marker).isNotNull();
            for (WatchEvent<?> event : key.pollEvents()) {
                assertThat(event.kind()).isEqualTo(ENTRY_CREATE);
                String name = event.context().toString();
                if (name.equals(marker)) {
                    key.reset();
                    return created;
                }
                created.add(name);
            }
            key.reset();
        }
    }
}

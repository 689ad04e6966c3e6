package io.vxflow.operators.stages;

import io.vxflow.connectors.results.Png;
import io.vxflow.gpu.pipeline.PipelineSpec;
import io.vxflow.operators.handle.FrameHandle;
import io.vxflow.operators.handle.Stage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;

/**
 * Compose: draws each frame with its boxes into its stream's tile of the slot's mosaic (streams get
 * tiles in order of appearance, as many as the mosaic has). With a preview directory, the mosaic is
 * written as {@code mosaic-<subtask>.png} at most once per {@code previewIntervalMillis}: the only
 * host copy of pixels, and an explicit one. A pass-through when compose is off.
 */
public final class ComposeOperator extends ChainStageOperator<FrameHandle> {
    private static final long serialVersionUID = 1L;
    private final String previewDir;
    private final long previewIntervalMillis;
    private transient Map<String, Integer> tiles;
    private transient long lastPreview;

    public ComposeOperator(PipelineSpec spec, String previewDir, long previewIntervalMillis) {
        super(spec, Stage.COMPOSE);
        this.previewDir = previewDir;
        this.previewIntervalMillis = previewIntervalMillis;
    }

    @Override
    public void open() throws Exception {
        super.open();
        tiles = new HashMap<>();
    }

    @Override
    FrameHandle process(FrameHandle h) throws IOException {
        if (!spec.composeEnabled()) {
            return h;
        }
        Integer tile = tiles.get(h.streamId());
        if (tile == null && tiles.size() < spec.mosaicTiles()) {
            tile = tiles.size();
            tiles.put(h.streamId(), tile);
        }
        if (tile != null) {
            runtime.compose(h.item(), h.frame(), tile);
        }
        long now = System.currentTimeMillis();
        if (previewDir != null && now - lastPreview >= previewIntervalMillis) {
            lastPreview = now;
            writePreview();
        }
        return h;
    }

    private void writePreview() throws IOException {
        int[] size = runtime.mosaicSize();
        Path dir = Path.of(previewDir);
        Files.createDirectories(dir);
        Path target = dir.resolve("mosaic-" + getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() + ".png");
        Path tmp = dir.resolve(target.getFileName() + ".tmp");
        Files.write(tmp, Png.encodeRgb(size[0], size[1], runtime.mosaicRgb()));
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}

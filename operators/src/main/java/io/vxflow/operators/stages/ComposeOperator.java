package io.vxflow.operators.stages;

import io.vxflow.connectors.results.Png;
import io.vxflow.gpu.pipeline.PipelineSpec;
import io.vxflow.operators.handle.FrameHandle;
import io.vxflow.operators.handle.Stage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Compose: draws each frame with its boxes into its stream's tile of the slot's mosaic (streams get
 * tiles in order of appearance, as many as the mosaic has). A pass-through when compose is off.
 *
 * <p>Previews: with a preview directory, the mosaic is written as {@code mosaic-<subtask>.png}; with
 * the live view on, it is published to {@link LiveMosaics} for the web page of a local run. Either
 * way at most once per {@code previewIntervalMillis}, with one copy of the mosaic to the host that
 * serves both: the only host copy of pixels, and an explicit one.
 */
public final class ComposeOperator extends ChainStageOperator<FrameHandle> {
    private static final long serialVersionUID = 1L;
    private final String previewDir;
    private final long previewIntervalMillis;
    private final boolean live;
    private transient Map<String, Integer> tiles;
    private transient long lastPreview;

    public ComposeOperator(PipelineSpec spec, String previewDir, long previewIntervalMillis, boolean live) {
        super(spec, Stage.COMPOSE);
        this.previewDir = previewDir;
        this.previewIntervalMillis = previewIntervalMillis;
        this.live = live;
    }

    @Override
    public void open() throws Exception {
        super.open();
        tiles = new LinkedHashMap<>();
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
        if ((previewDir != null || live) && now - lastPreview >= previewIntervalMillis) {
            lastPreview = now;
            preview();
        }
        return h;
    }

    private void preview() throws IOException {
        int[] size = runtime.mosaicSize();
        byte[] rgb = runtime.mosaicRgb();
        int slot = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        if (live) {
            LiveMosaics.publish(jobId(), slot, size[0], size[1], rgb, new ArrayList<>(tiles.keySet()));
        }
        if (previewDir != null) {
            Path dir = Path.of(previewDir);
            Files.createDirectories(dir);
            Path target = dir.resolve("mosaic-" + slot + ".png");
            Path tmp = dir.resolve(target.getFileName() + ".tmp");
            Files.write(tmp, Png.encodeRgb(size[0], size[1], rgb));
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    private String jobId() {
        return getRuntimeContext().getJobInfo().getJobId().toString();
    }

    @Override
    public void close() throws Exception {
        try {
            if (live && tiles != null) {
                LiveMosaics.remove(jobId(), getRuntimeContext().getTaskInfo().getIndexOfThisSubtask());
            }
        } finally {
            super.close();
        }
    }
}

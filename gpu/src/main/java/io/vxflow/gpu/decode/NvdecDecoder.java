package io.vxflow.gpu.decode;

import static org.bytedeco.ffmpeg.global.avcodec.*;
import static org.bytedeco.ffmpeg.global.avutil.*;

import io.vxflow.codec.Codec;
import io.vxflow.codec.DecodeError;
import io.vxflow.gpu.image.DeviceImage;
import io.vxflow.gpu.image.PixelFormat;
import java.util.function.Consumer;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avutil.AVBufferRef;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVHWFramesContext;
import org.bytedeco.javacpp.BytePointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes one H.264 or HEVC stream into device memory with FFmpeg's native decoder ({@code h264},
 * {@code hevc}) and NVDEC (FFmpeg's CUDA hwaccel): NV12 frames for 8-bit streams, P010 for 10-bit,
 * on the slot's primary context, NVDEC's output copy ordered on the slot's stream (see
 * {@link NvdecDevice}). Frames come out in presentation order as leases of {@link DeviceImage}s.
 *
 * <p><b>Fallback, per stream.</b> When NVDEC cannot take the stream (hwaccel set-up fails, a profile
 * the hardware lacks such as 4:2:2, 4:4:4 or 10-bit H.264, no NVDEC session left), FFmpeg decodes it
 * on the CPU instead; this decoder then uploads each software frame with exactly one host-to-device
 * copy on the slot's stream (I420 or I420_10 as FFmpeg wrote it, see {@link HostFrameUploader}),
 * {@link #engine()} says {@code cpu-fallback} and one warning names the stream. The choice is
 * FFmpeg's, made again at each new sequence header.
 *
 * <p><b>Held frames.</b> {@code extraFrames} is how many frames the pipeline may hold at once (e.g.
 * through an inference batch). It is passed to FFmpeg as {@code extra_hw_frames}, which adds that
 * many NVDEC decode surfaces, and sizes the fallback's upload pool ({@code extraFrames + 2} device
 * buffers). In FFmpeg 7.1's default output mode each picture handed out is a device-to-device copy
 * into a frame pool of FFmpeg's own, which grows to the most frames ever held at once and then
 * recycles them: held frames never starve NVDEC; holding more costs one picture of device memory per
 * frame, allocated (outside {@code MemoryStats}) when the high-water mark rises. Release frames as
 * soon as the last stage that reads them has enqueued its work.
 *
 * <p><b>Errors</b> are reported as {@link FfmpegSoftwareDecoder} reports them: damaged pictures are
 * never handed out ({@code AV_CODEC_FLAG_OUTPUT_CORRUPT} off, error detection with explode on) and
 * rejected input is {@link DecodeError#CORRUPT}. Each decoder is its own NVDEC session, so an error
 * affects only its stream. NVDEC does not report damage inside slice data, so only errors FFmpeg sees
 * while parsing (headers, references, NAL structure) are caught on this path.
 *
 * <p>Owns its codec context (and through it its NVDEC session and FFmpeg's frame pool), one packet,
 * a free list of frame structs and, once needed, the fallback's uploader. One thread at a time drives
 * it (a decode worker); frames may be released from any thread.
 */
public final class NvdecDecoder extends FfmpegDecoder {
    /** {@link #engine()} while NVDEC decodes the stream. */
    public static final String NVDEC = "nvdec";
    /** {@link #engine()} while FFmpeg decodes the stream on the CPU and frames are uploaded. */
    public static final String CPU_FALLBACK = "cpu-fallback";
    /** The most extra frames accepted: more could take NVDEC past the 32 decode surfaces it promises. */
    public static final int MAX_EXTRA_FRAMES = 16;
    private static final Logger LOG = LoggerFactory.getLogger(NvdecDecoder.class);

    private final NvdecDevice device;
    private final int extraFrames;
    private HostFrameUploader uploader;
    private String engine;

    /**
     * @param device the slot's NVDEC device, shared by all of its decoders
     * @param extraFrames frames the pipeline may hold at once, 0 to {@link #MAX_EXTRA_FRAMES}
     */
    public NvdecDecoder(NvdecDevice device, Codec codec, int extraFrames) {
        this(device, codec, extraFrames, true);
    }

    /** @param useNvdec false decodes on the CPU and uploads every frame (tests the fallback path) */
    NvdecDecoder(NvdecDevice device, Codec codec, int extraFrames, boolean useNvdec) {
        // one thread: NVDEC does the work, and frame threads would add delay and decode surfaces
        this(device, codec, extraFrames, useNvdec, 1);
    }

    /**
     * The conventional pipeline, for comparison: FFmpeg decodes on the CPU ({@code threads} slice
     * threads) and each frame is uploaded once; everything after decode is the same.
     */
    public static NvdecDecoder softwareThenUpload(NvdecDevice device, Codec codec, int extraFrames, int threads) {
        return new NvdecDecoder(device, codec, extraFrames, false, threads);
    }

    private NvdecDecoder(NvdecDevice device, Codec codec, int extraFrames, boolean useNvdec, int threads) {
        super(codec, threads, configure(checkedExtraFrames(extraFrames), useNvdec ? device.newReference() : null),
                "cannot open the " + codec.wireName() + " decoder with NVDEC on GPU " + device.gpu().device().index());
        this.device = device;
        this.extraFrames = extraFrames;
        this.engine = useNvdec ? NVDEC : CPU_FALLBACK;
    }

    private static int checkedExtraFrames(int extraFrames) {
        if (extraFrames < 0 || extraFrames > MAX_EXTRA_FRAMES) {
            throw new IllegalArgumentException("extraFrames must be 0 to " + MAX_EXTRA_FRAMES + ", got " + extraFrames);
        }
        return extraFrames;
    }

    /**
     * FFmpeg's default get_format picks AV_PIX_FMT_CUDA when a CUDA device is set, and the software
     * format when the hwaccel cannot be set up; the codec context owns (and frees) the device reference.
     */
    private static Consumer<AVCodecContext> configure(int extraFrames, AVBufferRef cudaDevice) {
        return context -> {
            context.extra_hw_frames(extraFrames);
            if (cudaDevice != null) {
                context.hw_device_ctx(cudaDevice);
            }
        };
    }

    /**
     * {@code nvdec} or {@code cpu-fallback}: where the last frame handed out was decoded; before the
     * first frame, where decoding will be tried.
     */
    @Override
    public String engine() {
        return engine;
    }

    /** Frames the pipeline may hold at once, as configured. */
    public int extraFrames() {
        return extraFrames;
    }

    /** Decode workers are pool threads: the slot's context must be current for the fallback's uploads. */
    @Override
    void onDecodeThread() {
        device.gpu().makeCurrent();
    }

    @Override
    DecodedFrame lease(AVFrame frame) throws DecodeException {
        return frame.format() == AV_PIX_FMT_CUDA ? onDevice(frame) : uploaded(frame);
    }

    /** An NVDEC picture: the lease keeps FFmpeg's frame (and its pool buffer) until released. */
    private DecodedFrame onDevice(AVFrame frame) throws DecodeException {
        int swFormat = new AVHWFramesContext(frame.hw_frames_ctx().data()).sw_format();
        PixelFormat format = swFormat == AV_PIX_FMT_NV12 ? PixelFormat.NV12 : swFormat == AV_PIX_FMT_P010LE ? PixelFormat.P010 : null;
        if (format == null) {
            String name = formatName(swFormat);
            discard(frame);
            throw new DecodeException(DecodeError.UNSUPPORTED_FORMAT, "NVDEC output " + name + " is not supported (4:2:0, 8 or 10 bits only)");
        }
        useEngine(NVDEC, frame);
        return new FrameLease(deviceImage(frame, format), ptsOf(frame), readColorSpec(frame)) {
            @Override
            void free() {
                recycle(frame); // FFmpeg's buffer keeps its frame pool and device alive, so this is safe after close()
            }
        };
    }

    /** A software picture: uploaded once, then FFmpeg's frame goes straight back to its pool. */
    private DecodedFrame uploaded(AVFrame frame) throws DecodeException {
        PixelFormat format = pixelFormat(frame.format());
        useEngine(CPU_FALLBACK, frame);
        if (format == null) {
            String name = formatName(frame.format());
            discard(frame);
            throw new DecodeException(DecodeError.UNSUPPORTED_FORMAT, "pixel format " + name + " is not supported (4:2:0, 8 or 10 bits only)");
        }
        try {
            HostFrameUploader.Slot slot = uploader().upload(frame, format);
            HostFrameUploader owner = uploader;
            return new FrameLease(slot.image(), ptsOf(frame), readColorSpec(frame)) {
                @Override
                void free() {
                    owner.release(slot); // after close() the uploader frees the slot instead of pooling it
                }
            };
        } finally {
            discard(frame);
        }
    }

    private HostFrameUploader uploader() {
        if (uploader == null) {
            uploader = new HostFrameUploader(device.gpu(), extraFrames + 2);
        }
        return uploader;
    }

    private void useEngine(String now, AVFrame frame) {
        if (now.equals(engine)) {
            return;
        }
        if (now.equals(CPU_FALLBACK)) {
            LOG.warn("NVDEC cannot decode this stream ({}); decoding it on the CPU and uploading each frame", describe(frame));
        } else {
            LOG.info("NVDEC decodes this stream again ({})", describe(frame));
        }
        engine = now;
    }

    private String describe(AVFrame frame) {
        BytePointer profile = avcodec_profile_name(context.codec_id(), context.profile());
        return codec.wireName() + " " + (profile == null || profile.isNull() ? "profile " + context.profile() : profile.getString())
                + ", " + formatName(context.sw_pix_fmt()) + ", " + frame.width() + "x" + frame.height() + ", GPU "
                + device.gpu().device().index();
    }

    /**
     * The NVDEC picture as the kernels see it. FFmpeg crops hardware frames only on the right and at
     * the bottom (av_frame_apply_cropping), so a left or top crop is applied here.
     */
    static DeviceImage deviceImage(AVFrame frame, PixelFormat format) {
        int left = (int) frame.crop_left() & ~1;
        int top = (int) frame.crop_top() & ~1;
        int bytes = format.bytesPerSample();
        int lumaPitch = frame.linesize(0);
        int chromaPitch = frame.linesize(1);
        long luma = frame.data(0).address() + (long) top * lumaPitch + (long) left * bytes;
        // interleaved chroma: left/2 sample pairs of 2 components each
        long chroma = frame.data(1).address() + (long) (top / 2) * chromaPitch + (long) left * bytes;
        return new DeviceImage(format, frame.width() - left, frame.height() - top, new long[] {luma, chroma},
                new int[] {lumaPitch, chromaPitch});
    }

    @Override
    void closeResources() {
        if (uploader != null) {
            uploader.close();
        }
    }
}

package io.vxflow.gpu.decode;

import static org.bytedeco.ffmpeg.global.avcodec.*;
import static org.bytedeco.ffmpeg.global.avutil.*;

import io.vxflow.gpu.image.ColorSpec;
import io.vxflow.gpu.image.DeviceImage;
import io.vxflow.gpu.image.Image;
import io.vxflow.gpu.image.PixelFormat;
import java.util.ArrayDeque;
import java.util.function.Consumer;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVBufferRef;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
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
 * a free list of frame structs and, once needed, the fallback's uploader. Not thread-safe: the slot's
 * task thread drives it.
 */
public final class NvdecDecoder implements VideoDecoder {
    /** {@link #engine()} while NVDEC decodes the stream. */
    public static final String NVDEC = "nvdec";
    /** {@link #engine()} while FFmpeg decodes the stream on the CPU and frames are uploaded. */
    public static final String CPU_FALLBACK = "cpu-fallback";
    /** The most extra frames accepted: more could take NVDEC past the 32 decode surfaces it promises. */
    public static final int MAX_EXTRA_FRAMES = 16;
    private static final Logger LOG = LoggerFactory.getLogger(NvdecDecoder.class);

    private final NvdecDevice device;
    private final Codec codec;
    private final int extraFrames;
    private final AVCodecContext context;
    private final AccessUnitPacket packet;
    private final ArrayDeque<AVFrame> freeFrames = new ArrayDeque<>();
    private HostFrameUploader uploader;
    private String engine;
    private boolean closed;

    /**
     * @param device the slot's NVDEC device, shared by all of its decoders
     * @param extraFrames frames the pipeline may hold at once, 0 to {@link #MAX_EXTRA_FRAMES}
     */
    public NvdecDecoder(NvdecDevice device, Codec codec, int extraFrames) {
        this(device, codec, extraFrames, true);
    }

    /** @param useNvdec false decodes on the CPU and uploads every frame (tests the fallback path) */
    NvdecDecoder(NvdecDevice device, Codec codec, int extraFrames, boolean useNvdec) {
        if (extraFrames < 0 || extraFrames > MAX_EXTRA_FRAMES) {
            throw new IllegalArgumentException("extraFrames must be 0 to " + MAX_EXTRA_FRAMES + ", got " + extraFrames);
        }
        this.device = device;
        this.codec = codec;
        this.extraFrames = extraFrames;
        this.engine = useNvdec ? NVDEC : CPU_FALLBACK;
        FfmpegLogging.install();
        AVCodec decoder = avcodec_find_decoder(codec == Codec.H264 ? AV_CODEC_ID_H264 : AV_CODEC_ID_HEVC);
        if (decoder == null) {
            throw new IllegalStateException("this FFmpeg build has no " + codec.wireName() + " decoder");
        }
        // FFmpeg's default get_format picks AV_PIX_FMT_CUDA when a CUDA device is set, and the software
        // format when the hwaccel cannot be set up; the codec context owns (and frees) this reference
        AVBufferRef cudaDevice = useNvdec ? device.newReference() : null;
        context = avcodec_alloc_context3(decoder);
        configure(cudaDevice);
        int ret = avcodec_open2(context, decoder, (AVDictionary) null);
        if (ret < 0) {
            avcodec_free_context(context);
            throw new IllegalStateException("cannot open the " + codec.wireName() + " decoder with NVDEC on GPU "
                    + device.gpu().device().index() + ": " + FfmpegErrors.describe(ret));
        }
        packet = new AccessUnitPacket();
    }

    private void configure(AVBufferRef cudaDevice) {
        // one thread: NVDEC does the work, and frame threads would add delay and decode surfaces
        context.thread_count(1);
        context.thread_type(FfmpegSoftwareDecoder.FF_THREAD_SLICE);
        context.flags(context.flags() & ~AV_CODEC_FLAG_OUTPUT_CORRUPT);
        context.err_recognition(AV_EF_CRCCHECK | AV_EF_BITSTREAM | AV_EF_EXPLODE);
        context.extra_hw_frames(extraFrames);
        if (cudaDevice != null) {
            context.hw_device_ctx(cudaDevice);
        }
    }

    @Override
    public Codec codec() {
        return codec;
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

    @Override
    public void decode(AccessUnit unit, Consumer<DecodedFrame> out) throws DecodeException {
        ensureOpen();
        packet.send(context, unit);
        receive(out);
    }

    @Override
    public void drain(Consumer<DecodedFrame> out) throws DecodeException {
        ensureOpen();
        avcodec_send_packet(context, (AVPacket) null);
        try {
            receive(out);
        } finally {
            avcodec_flush_buffers(context);
        }
    }

    @Override
    public void reset() {
        ensureOpen();
        avcodec_flush_buffers(context);
    }

    private void receive(Consumer<DecodedFrame> out) throws DecodeException {
        while (true) {
            AVFrame frame = freeFrames.isEmpty() ? av_frame_alloc() : freeFrames.pop();
            int ret = avcodec_receive_frame(context, frame);
            if (ret == AVERROR_EAGAIN() || ret == AVERROR_EOF) {
                freeFrames.push(frame);
                return;
            }
            if (ret < 0) {
                freeFrames.push(frame);
                throw new DecodeException(DecodeError.CORRUPT, "decoding failed: " + FfmpegErrors.describe(ret));
            }
            if (FfmpegSoftwareDecoder.isDamaged(frame)) {
                discard(frame);
                throw new DecodeException(DecodeError.CORRUPT, "decoder flagged the picture as damaged");
            }
            out.accept(frame.format() == AV_PIX_FMT_CUDA ? onDevice(frame) : uploaded(frame));
        }
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
        return new DeviceLease(frame, format);
    }

    /** A software picture: uploaded once, then FFmpeg's frame goes straight back to its pool. */
    private DecodedFrame uploaded(AVFrame frame) throws DecodeException {
        PixelFormat format = FfmpegSoftwareDecoder.pixelFormat(frame.format());
        useEngine(CPU_FALLBACK, frame);
        if (format == null) {
            String name = formatName(frame.format());
            discard(frame);
            throw new DecodeException(DecodeError.UNSUPPORTED_FORMAT, "pixel format " + name + " is not supported (4:2:0, 8 or 10 bits only)");
        }
        try {
            HostFrameUploader.Slot slot = uploader().upload(frame, format);
            return new UploadLease(slot, FfmpegSoftwareDecoder.ptsOf(frame), FfmpegSoftwareDecoder.readColorSpec(frame));
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

    private static String formatName(int avFormat) {
        BytePointer name = av_get_pix_fmt_name(avFormat);
        return name == null || name.isNull() ? "format " + avFormat : name.getString();
    }

    private void discard(AVFrame frame) {
        av_frame_unref(frame);
        freeFrames.push(frame);
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

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("decoder is closed");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        avcodec_free_context(context);
        packet.close();
        for (AVFrame f : freeFrames) {
            av_frame_free(f);
        }
        freeFrames.clear();
        if (uploader != null) {
            uploader.close();
        }
    }

    /** An NVDEC frame: holds FFmpeg's reference on its pool buffer until released. */
    private final class DeviceLease implements DecodedFrame {
        private final AVFrame frame;
        private final DeviceImage image;
        private final long pts;
        private final ColorSpec colorSpec;
        private boolean released;

        DeviceLease(AVFrame frame, PixelFormat format) {
            this.frame = frame;
            this.image = deviceImage(frame, format);
            this.pts = FfmpegSoftwareDecoder.ptsOf(frame);
            this.colorSpec = FfmpegSoftwareDecoder.readColorSpec(frame);
        }

        @Override
        public long ptsMicros() {
            return pts;
        }

        @Override
        public ColorSpec colorSpec() {
            return colorSpec;
        }

        @Override
        public Image image() {
            if (released) {
                throw new IllegalStateException("frame at pts " + pts + " was released");
            }
            return image;
        }

        @Override
        public void release() {
            if (released) {
                return;
            }
            released = true;
            // FFmpeg's buffer keeps its frame pool and device alive, so this is safe after close()
            av_frame_unref(frame);
            if (closed) {
                av_frame_free(frame);
            } else {
                freeFrames.push(frame);
            }
        }

        @Override
        public boolean isReleased() {
            return released;
        }
    }

    /** An uploaded software frame: holds a slot of the upload pool until released. */
    private final class UploadLease implements DecodedFrame {
        private final HostFrameUploader.Slot slot;
        private final DeviceImage image;
        private final long pts;
        private final ColorSpec colorSpec;
        private boolean released;

        UploadLease(HostFrameUploader.Slot slot, long pts, ColorSpec colorSpec) {
            this.slot = slot;
            this.image = slot.image();
            this.pts = pts;
            this.colorSpec = colorSpec;
        }

        @Override
        public long ptsMicros() {
            return pts;
        }

        @Override
        public ColorSpec colorSpec() {
            return colorSpec;
        }

        @Override
        public Image image() {
            if (released) {
                throw new IllegalStateException("frame at pts " + pts + " was released");
            }
            return image;
        }

        @Override
        public void release() {
            if (released) {
                return;
            }
            released = true;
            uploader.release(slot); // after close() the uploader frees the slot instead of pooling it
        }

        @Override
        public boolean isReleased() {
            return released;
        }
    }
}

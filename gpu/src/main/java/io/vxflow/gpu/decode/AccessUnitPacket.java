package io.vxflow.gpu.decode;

import static org.bytedeco.ffmpeg.global.avcodec.*;
import static org.bytedeco.ffmpeg.global.avutil.*;

import io.vxflow.codec.AccessUnit;
import io.vxflow.codec.DecodeError;
import io.vxflow.codec.FfmpegErrors;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.javacpp.BytePointer;

/**
 * Hands access units to an FFmpeg decoder. Owns one reusable packet and the native buffer it points
 * into, grown (never shrunk) to the largest unit plus FFmpeg's zeroed input padding. Shared by the
 * software and the NVDEC decoder so both report rejected input the same way. Not thread-safe.
 */
final class AccessUnitPacket implements AutoCloseable {
    private final AVPacket packet = av_packet_alloc();
    private BytePointer buffer = new BytePointer(256 * 1024);

    /**
     * Sends {@code unit} to {@code context}; the packet carries the pts in microseconds, no dts, and
     * the producer's keyframe flag.
     *
     * @throws DecodeException {@link DecodeError#CORRUPT} when the decoder rejects the bytes
     */
    void send(AVCodecContext context, AccessUnit unit) throws DecodeException {
        fill(unit);
        int ret = avcodec_send_packet(context, packet);
        packet.data(null);
        packet.size(0);
        if (ret < 0 && ret != AVERROR_EAGAIN()) {
            throw new DecodeException(DecodeError.CORRUPT, "decoder rejected access unit at pts " + unit.ptsMicros()
                    + ": " + FfmpegErrors.describe(ret));
        }
    }

    private void fill(AccessUnit unit) {
        byte[] data = unit.data();
        int needed = data.length + AV_INPUT_BUFFER_PADDING_SIZE;
        if (buffer.capacity() < needed) {
            buffer.close();
            buffer = new BytePointer(Math.max(needed, buffer.capacity() * 2));
        }
        buffer.position(0).put(data, 0, data.length);
        for (int i = 0; i < AV_INPUT_BUFFER_PADDING_SIZE; i++) {
            buffer.put(data.length + i, (byte) 0);
        }
        packet.data(buffer.position(0));
        packet.size(data.length);
        packet.pts(unit.ptsMicros());
        packet.dts(AV_NOPTS_VALUE);
        packet.flags(unit.keyframe() ? AV_PKT_FLAG_KEY : 0);
    }

    @Override
    public void close() {
        av_packet_free(packet);
        buffer.close();
    }
}

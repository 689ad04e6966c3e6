package io.vxflow.gpu.decode;

import io.vxflow.codec.Codec;

/**
 * The picture size an H.264 or HEVC sequence parameter set declares, read without a decoder, so that
 * a size can be refused before FFmpeg or NVDEC allocates for it. Only the syntax up to the size is
 * read (H.264: through {@code frame_cropping}, HEVC: through the conformance window); nothing after
 * it is checked.
 *
 * @param codedWidth luma samples per row the decoder allocates (H.264: whole macroblocks)
 * @param codedHeight rows the decoder allocates (H.264: whole macroblocks, both fields of an
 *     interlaced picture)
 * @param width the displayed width, after cropping (H.264 frame cropping, HEVC conformance window)
 * @param height the displayed height, after cropping
 */
public record SequenceParameterSet(Codec codec, long codedWidth, long codedHeight, long width, long height) {
    /** H.264 profiles whose SPS carries chroma format, bit depths and scaling matrices (7.3.2.1.1). */
    private static final int[] H264_HIGH_PROFILES = {100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135};
    /** NAL unit types of a sequence parameter set. */
    public static final int H264_SPS = 7;
    public static final int HEVC_SPS = 33;

    /** Samples the decoder allocates per plane of luma: coded width times coded height. */
    public long codedPixels() {
        try {
            return Math.multiplyExact(codedWidth, codedHeight);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE; // a lie too large to multiply is still too large
        }
    }

    /** {@code codedWidth}x{@code codedHeight}, and the displayed size if cropping changes it. */
    public String describe() {
        String coded = codedWidth + "x" + codedHeight;
        return width == codedWidth && height == codedHeight ? coded : coded + " (" + width + "x" + height + " shown)";
    }

    /**
     * Reads the SPS NAL unit {@code nal[from, to)}: its header first, no start code, emulation
     * prevention bytes in place.
     *
     * @throws MalformedParameterSetException naming what could not be read
     */
    public static SequenceParameterSet parse(Codec codec, byte[] nal, int from, int to) throws MalformedParameterSetException {
        try {
            int header = codec == Codec.H264 ? 1 : 2;
            if (to - from < header) {
                throw new MalformedParameterSetException("no NAL unit header");
            }
            if ((nal[from] & 0x80) != 0) {
                throw new MalformedParameterSetException("forbidden_zero_bit is set");
            }
            int type = codec == Codec.H264 ? nal[from] & 0x1F : (nal[from] >> 1) & 0x3F;
            if (type != (codec == Codec.H264 ? H264_SPS : HEVC_SPS)) {
                throw new IllegalArgumentException("NAL unit type " + type + " is not an SPS");
            }
            ExpGolombReader r = new ExpGolombReader(nal, from + header, to);
            if (codec == Codec.H264) {
                return h264(r);
            }
            int layer = ((nal[from] & 1) << 5) | ((nal[from + 1] >> 3) & 0x1F);
            return hevc(r, layer);
        } catch (MalformedParameterSetException e) {
            throw new MalformedParameterSetException(codec.wireName() + " SPS: " + e.getMessage());
        }
    }

    /** ITU-T H.264 7.3.2.1.1, up to the frame cropping offsets. */
    private static SequenceParameterSet h264(ExpGolombReader r) throws MalformedParameterSetException {
        int profile = (int) r.bits(8);
        r.skip(16); // constraint flags, level_idc
        r.ue("seq_parameter_set_id", 31);
        int chroma = 1;
        boolean separatePlanes = false;
        if (isHighProfile(profile)) {
            chroma = r.ue("chroma_format_idc", 3);
            if (chroma == 3) {
                separatePlanes = r.flag();
            }
            r.ue("bit_depth_luma_minus8", 6);
            r.ue("bit_depth_chroma_minus8", 6);
            r.skip(1); // qpprime_y_zero_transform_bypass_flag
            if (r.flag()) { // seq_scaling_matrix_present_flag
                for (int i = 0; i < (chroma != 3 ? 8 : 12); i++) {
                    if (r.flag()) {
                        skipScalingList(r, i < 6 ? 16 : 64);
                    }
                }
            }
        }
        r.ue("log2_max_frame_num_minus4", 12);
        int pocType = r.ue("pic_order_cnt_type", 2);
        if (pocType == 0) {
            r.ue("log2_max_pic_order_cnt_lsb_minus4", 12);
        } else if (pocType == 1) {
            r.skip(1); // delta_pic_order_always_zero_flag
            r.se(); // offset_for_non_ref_pic
            r.se(); // offset_for_top_to_bottom_field
            int cycle = r.ue("num_ref_frames_in_pic_order_cnt_cycle", 255);
            for (int i = 0; i < cycle; i++) {
                r.se();
            }
        }
        r.ue(); // max_num_ref_frames
        r.skip(1); // gaps_in_frame_num_value_allowed_flag
        long widthMbs = r.ue() + 1;
        long heightMapUnits = r.ue() + 1;
        boolean frameMbsOnly = r.flag();
        if (!frameMbsOnly) {
            r.skip(1); // mb_adaptive_frame_field_flag
        }
        r.skip(1); // direct_8x8_inference_flag
        long codedWidth = widthMbs * 16;
        long codedHeight = (frameMbsOnly ? 1 : 2) * heightMapUnits * 16;
        long cropX = 0, cropY = 0;
        if (r.flag()) { // frame_cropping_flag
            int arrayType = separatePlanes ? 0 : chroma;
            long unitX = arrayType == 0 ? 1 : (chroma == 3 ? 1 : 2);
            long unitY = (arrayType == 0 ? 1 : (chroma == 1 ? 2 : 1)) * (frameMbsOnly ? 1 : 2);
            cropX = unitX * (r.ue() + r.ue());
            cropY = unitY * (r.ue() + r.ue());
        }
        return sized(Codec.H264, codedWidth, codedHeight, cropX, cropY);
    }

    private static boolean isHighProfile(int profile) {
        for (int p : H264_HIGH_PROFILES) {
            if (p == profile) {
                return true;
            }
        }
        return false;
    }

    /** H.264 7.3.2.1.1.1: only the deltas' lengths matter here. */
    private static void skipScalingList(ExpGolombReader r, int size) throws MalformedParameterSetException {
        int last = 8, next = 8;
        for (int j = 0; j < size && next != 0; j++) {
            long delta = r.se();
            if (delta < -128 || delta > 127) {
                throw new MalformedParameterSetException("delta_scale " + delta + " is out of range");
            }
            next = (int) ((last + delta + 256) % 256);
            last = next == 0 ? last : next;
        }
    }

    /** ITU-T H.265 7.3.2.2.1, up to the conformance window. */
    private static SequenceParameterSet hevc(ExpGolombReader r, int layer) throws MalformedParameterSetException {
        r.skip(4); // sps_video_parameter_set_id
        int maxSubLayersMinus1 = (int) r.bits(3);
        if (maxSubLayersMinus1 == 7) {
            // layer 0: invalid; other layers (F.7.3.2.2.1): the size comes from the VPS, which is not read here
            throw new MalformedParameterSetException(layer == 0 ? "sps_max_sub_layers_minus1 is 7"
                    : "a multi-layer SPS of layer " + layer + " takes its size from the VPS, which vxflow does not check");
        }
        r.skip(1); // sps_temporal_id_nesting_flag
        skipProfileTierLevel(r, maxSubLayersMinus1);
        r.ue("sps_seq_parameter_set_id", 15);
        int chroma = r.ue("chroma_format_idc", 3);
        boolean separatePlanes = chroma == 3 && r.flag();
        long width = r.ue();
        long height = r.ue();
        if (width == 0 || height == 0) {
            throw new MalformedParameterSetException("a picture of " + width + "x" + height);
        }
        long cropX = 0, cropY = 0;
        if (r.flag()) { // conformance_window_flag
            int arrayType = separatePlanes ? 0 : chroma;
            long subWidth = arrayType == 1 || arrayType == 2 ? 2 : 1;
            long subHeight = arrayType == 1 ? 2 : 1;
            cropX = subWidth * (r.ue() + r.ue());
            cropY = subHeight * (r.ue() + r.ue());
        }
        return sized(Codec.HEVC, width, height, cropX, cropY);
    }

    /** H.265 7.3.3 with profilePresentFlag 1: fixed-length fields only, so it is skipped by count. */
    private static void skipProfileTierLevel(ExpGolombReader r, int maxSubLayersMinus1) throws MalformedParameterSetException {
        r.skip(88 + 8); // general profile space .. general_inbld_flag, general_level_idc
        boolean[] profilePresent = new boolean[maxSubLayersMinus1];
        boolean[] levelPresent = new boolean[maxSubLayersMinus1];
        for (int i = 0; i < maxSubLayersMinus1; i++) {
            profilePresent[i] = r.flag();
            levelPresent[i] = r.flag();
        }
        if (maxSubLayersMinus1 > 0) {
            r.skip(2 * (8 - maxSubLayersMinus1)); // reserved_zero_2bits
        }
        for (int i = 0; i < maxSubLayersMinus1; i++) {
            r.skip((profilePresent[i] ? 88 : 0) + (levelPresent[i] ? 8 : 0));
        }
    }

    private static SequenceParameterSet sized(Codec codec, long codedWidth, long codedHeight, long cropX, long cropY)
            throws MalformedParameterSetException {
        long width = codedWidth - cropX, height = codedHeight - cropY;
        if (width <= 0 || height <= 0) {
            throw new MalformedParameterSetException("cropping leaves " + width + "x" + height + " of " + codedWidth + "x" + codedHeight);
        }
        return new SequenceParameterSet(codec, codedWidth, codedHeight, width, height);
    }
}

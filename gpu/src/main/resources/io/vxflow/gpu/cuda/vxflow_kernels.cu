// vxflow's CUDA kernels, compiled at start-up by NVRTC (--fmad=false) for the GPU they run on.
//
// Every kernel mirrors a CPU reference in io.vxflow.gpu.cpu / io.vxflow.gpu.postprocess operation for
// operation, in the same order, in float32 without fused multiply-add, so results agree bit for bit;
// the Java classes' javadoc states the tolerance their tests hold the kernels to.
// Kernels only read and write device memory and never synchronize with the host.

typedef unsigned char u8;
typedef unsigned short u16;

#define FMT_NV12 0
#define FMT_I420 1
#define FMT_P010 2
#define FMT_I420_10 3

__device__ __forceinline__ int clampi(int v, int size) { return v < 0 ? 0 : (v >= size ? size - 1 : v); }
__device__ __forceinline__ float lerpf(float a, float b, float f) { return a + (b - a) * f; }
__device__ __forceinline__ float bilerp(float a, float b, float c, float d, float fx, float fy) {
    return lerpf(lerpf(a, b, fx), lerpf(c, d, fx), fy);
}
__device__ __forceinline__ u8 to_u8(float v) {
    int r = (int) floorf(v + 0.5f);
    return (u8) (r < 0 ? 0 : (r > 255 ? 255 : r));
}
__device__ __forceinline__ u16 f2h(float f) { u16 h; asm("cvt.rn.f16.f32 %0, %1;" : "=h"(h) : "f"(f)); return h; }

struct Yuv {
    const u8* y; const u8* u; const u8* v;
    int yPitch, uPitch, vPitch;
    int w, h, cw, ch;
    int chromaStep, uOff, vOff;  // bytes between chroma samples of one component; byte offsets of U and V
    int sixteen; float scale;
};

__device__ __forceinline__ Yuv make_yuv(const u8* p0, const u8* p1, const u8* p2, int pitch0, int pitch1, int pitch2,
                                       int fmt, int w, int h) {
    Yuv s;
    s.y = p0; s.yPitch = pitch0; s.w = w; s.h = h; s.cw = (w + 1) / 2; s.ch = (h + 1) / 2;
    s.sixteen = (fmt == FMT_P010 || fmt == FMT_I420_10);
    s.scale = fmt == FMT_I420_10 ? 0.25f : (fmt == FMT_P010 ? 1.0f / 256.0f : 1.0f);
    int bps = s.sixteen ? 2 : 1;
    if (fmt == FMT_I420 || fmt == FMT_I420_10) {
        s.u = p1; s.v = p2; s.uPitch = pitch1; s.vPitch = pitch2; s.chromaStep = bps; s.uOff = 0; s.vOff = 0;
    } else {
        s.u = p1; s.v = p1; s.uPitch = pitch1; s.vPitch = pitch1; s.chromaStep = 2 * bps; s.uOff = 0; s.vOff = bps;
    }
    return s;
}

__device__ __forceinline__ float sample(const u8* plane, int pitch, int x, int row, int step, int off, int sixteen, float scale) {
    const u8* p = plane + (long) row * pitch + (long) x * step + off;
    return sixteen ? (float) (*(const u16*) p) * scale : (float) *p;
}

// One RGB pixel of the resampled picture: destination pixel (i, j) of a dw x dh region sampling roi.
__device__ __forceinline__ void yuv_to_rgb_at(const Yuv& s, float roiX, float roiY, float sxScale, float syScale, int i, int j,
                                             const float* k, u8* out) {
    float sx = roiX + ((float) i + 0.5f) * sxScale - 0.5f;
    int lx = (int) floorf(sx);
    float fx = sx - (float) lx;
    int x0 = clampi(lx, s.w), x1 = clampi(lx + 1, s.w);
    float csx = sx * 0.5f;
    int lcx = (int) floorf(csx);
    float cfx = csx - (float) lcx;
    int cx0 = clampi(lcx, s.cw), cx1 = clampi(lcx + 1, s.cw);

    float sy = roiY + ((float) j + 0.5f) * syScale - 0.5f;
    int ly = (int) floorf(sy);
    float fy = sy - (float) ly;
    int y0 = clampi(ly, s.h), y1 = clampi(ly + 1, s.h);
    float csy = (sy + 0.5f) * 0.5f - 0.5f;
    int lcy = (int) floorf(csy);
    float cfy = csy - (float) lcy;
    int cy0 = clampi(lcy, s.ch), cy1 = clampi(lcy + 1, s.ch);

    int ls = s.sixteen ? 2 : 1;
    float lum = bilerp(sample(s.y, s.yPitch, x0, y0, ls, 0, s.sixteen, s.scale), sample(s.y, s.yPitch, x1, y0, ls, 0, s.sixteen, s.scale),
                       sample(s.y, s.yPitch, x0, y1, ls, 0, s.sixteen, s.scale), sample(s.y, s.yPitch, x1, y1, ls, 0, s.sixteen, s.scale), fx, fy);
    float u = bilerp(sample(s.u, s.uPitch, cx0, cy0, s.chromaStep, s.uOff, s.sixteen, s.scale),
                     sample(s.u, s.uPitch, cx1, cy0, s.chromaStep, s.uOff, s.sixteen, s.scale),
                     sample(s.u, s.uPitch, cx0, cy1, s.chromaStep, s.uOff, s.sixteen, s.scale),
                     sample(s.u, s.uPitch, cx1, cy1, s.chromaStep, s.uOff, s.sixteen, s.scale), cfx, cfy);
    float v = bilerp(sample(s.v, s.vPitch, cx0, cy0, s.chromaStep, s.vOff, s.sixteen, s.scale),
                     sample(s.v, s.vPitch, cx1, cy0, s.chromaStep, s.vOff, s.sixteen, s.scale),
                     sample(s.v, s.vPitch, cx0, cy1, s.chromaStep, s.vOff, s.sixteen, s.scale),
                     sample(s.v, s.vPitch, cx1, cy1, s.chromaStep, s.vOff, s.sixteen, s.scale), cfx, cfy);
    float yy = k[0] * (lum - k[1]);
    float uu = u - 128.0f, vv = v - 128.0f;
    out[0] = to_u8(yy + k[2] * vv);
    out[1] = to_u8(yy - k[3] * uu - k[4] * vv);
    out[2] = to_u8(yy + k[5] * uu);
}

// Resize (and crop, and mosaic tiles): YUV 4:2:0 -> RGB24, bilinear. See io.vxflow.gpu.cpu.CpuResize.
extern "C" __global__ void vx_resize(const u8* p0, const u8* p1, const u8* p2, int pitch0, int pitch1, int pitch2, int fmt,
                                     int srcW, int srcH, float roiX, float roiY, float roiW, float roiH,
                                     u8* dst, int dstPitch, int dx, int dy, int dw, int dh,
                                     float k0, float k1, float k2, float k3, float k4, float k5) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    int j = blockIdx.y * blockDim.y + threadIdx.y;
    if (i >= dw || j >= dh) return;
    Yuv s = make_yuv(p0, p1, p2, pitch0, pitch1, pitch2, fmt, srcW, srcH);
    float k[6] = {k0, k1, k2, k3, k4, k5};
    float sxScale = roiW / (float) dw, syScale = roiH / (float) dh;
    yuv_to_rgb_at(s, roiX, roiY, sxScale, syScale, i, j, k, dst + (long) (dy + j) * dstPitch + (long) (dx + i) * 3);
}

// Letterbox: content at (padX, padY), the rest pad grey. See io.vxflow.gpu.cpu.CpuLetterboxPad.
extern "C" __global__ void vx_pad(const u8* content, int contentPitch, int cw, int ch, u8* canvas, int canvasPitch,
                                  int W, int H, int padX, int padY, int pad) {
    int x = blockIdx.x * blockDim.x + threadIdx.x;
    int y = blockIdx.y * blockDim.y + threadIdx.y;
    if (x >= W || y >= H) return;
    u8* o = canvas + (long) y * canvasPitch + (long) x * 3;
    int cx = x - padX, cy = y - padY;
    if (cx >= 0 && cx < cw && cy >= 0 && cy < ch) {
        const u8* in = content + (long) cy * contentPitch + (long) cx * 3;
        o[0] = in[0]; o[1] = in[1]; o[2] = in[2];
    } else {
        o[0] = (u8) pad; o[1] = (u8) pad; o[2] = (u8) pad;
    }
}

// One pixel into planes c of a [3][H][W] tensor: byte * scale[c] + bias[c], float32 or float16.
__device__ __forceinline__ void write_planar(void* dst, int half, long plane, long o, const u8* rgb, float s0, float s1, float s2,
                                             float b0, float b1, float b2, int src0, int src1, int src2) {
    float v0 = (float) rgb[src0] * s0 + b0;
    float v1 = (float) rgb[src1] * s1 + b1;
    float v2 = (float) rgb[src2] * s2 + b2;
    if (half) {
        u16* d = (u16*) dst;
        d[o] = f2h(v0); d[plane + o] = f2h(v1); d[2 * plane + o] = f2h(v2);
    } else {
        float* d = (float*) dst;
        d[o] = v0; d[plane + o] = v1; d[2 * plane + o] = v2;
    }
}

// Normalize: RGB24 -> planar [3][H][W] float32 or float16, byte * scale[c] + bias[c].
// See io.vxflow.gpu.cpu.CpuNormalize.
extern "C" __global__ void vx_normalize(const u8* canvas, int pitch, int W, int H, void* dst, int half,
                                        float s0, float s1, float s2, float b0, float b1, float b2, int src0, int src1, int src2) {
    int x = blockIdx.x * blockDim.x + threadIdx.x;
    int y = blockIdx.y * blockDim.y + threadIdx.y;
    if (x >= W || y >= H) return;
    const u8* in = canvas + (long) y * pitch + (long) x * 3;
    write_planar(dst, half, (long) W * H, (long) y * W + x, in, s0, s1, s2, b0, b1, b2, src0, src1, src2);
}

// Resize + pad + normalize in one pass, for when the intermediate images are not wanted: the same
// arithmetic as the three kernels above (rounded to bytes between resize and normalize).
extern "C" __global__ void vx_letterbox_normalize(const u8* p0, const u8* p1, const u8* p2, int pitch0, int pitch1, int pitch2,
                                                  int fmt, int srcW, int srcH, int cw, int ch, int W, int H, int padX, int padY,
                                                  int pad, void* dst, int half, float k0, float k1, float k2, float k3, float k4,
                                                  float k5, float s0, float s1, float s2, float b0, float b1, float b2,
                                                  int src0, int src1, int src2) {
    int x = blockIdx.x * blockDim.x + threadIdx.x;
    int y = blockIdx.y * blockDim.y + threadIdx.y;
    if (x >= W || y >= H) return;
    u8 rgb[3];
    int cx = x - padX, cy = y - padY;
    if (cx >= 0 && cx < cw && cy >= 0 && cy < ch) {
        Yuv s = make_yuv(p0, p1, p2, pitch0, pitch1, pitch2, fmt, srcW, srcH);
        float k[6] = {k0, k1, k2, k3, k4, k5};
        yuv_to_rgb_at(s, 0.0f, 0.0f, (float) srcW / (float) cw, (float) srcH / (float) ch, cx, cy, k, rgb);
    } else {
        rgb[0] = (u8) pad; rgb[1] = (u8) pad; rgb[2] = (u8) pad;
    }
    write_planar(dst, half, (long) W * H, (long) y * W + x, rgb, s0, s1, s2, b0, b1, b2, src0, src1, src2);
}

// ---- detector postprocess: see io.vxflow.gpu.postprocess.YoloDecoder and Nms -----------------------

#define MAX_CANDIDATES 4096
#define DET_FIELDS 6  // x1, y1, x2, y2, score, class

// Per anchor: best class (NaN never wins, lowest class on ties); above the threshold it becomes a
// candidate [x1, y1, x2, y2, score, class, anchor] of its image. Grid: (anchor blocks, images).
extern "C" __global__ void vx_yolo_candidates(const float* out, int numClasses, int anchors, float conf,
                                              float* cand, int* candCount) {
    int a = blockIdx.x * blockDim.x + threadIdx.x;
    int img = blockIdx.y;
    if (a >= anchors) return;
    const float* o = out + (long) img * (4 + numClasses) * anchors;
    float best = o[4 * anchors + a];
    if (best != best) best = -__int_as_float(0x7f800000);
    int cls = 0;
    for (int c = 1; c < numClasses; c++) {
        float s = o[(4 + c) * anchors + a];
        if (s > best) { best = s; cls = c; }
    }
    if (!(best >= conf)) return;
    int n = atomicAdd(&candCount[img], 1);
    if (n >= MAX_CANDIDATES) return;
    float cx = o[a], cy = o[anchors + a];
    float halfW = o[2 * anchors + a] / 2.0f, halfH = o[3 * anchors + a] / 2.0f;
    float* c = cand + ((long) img * MAX_CANDIDATES + n) * 7;
    c[0] = cx - halfW; c[1] = cy - halfH; c[2] = cx + halfW; c[3] = cy + halfH;
    c[4] = best; c[5] = (float) cls; c[6] = __int_as_float(a);
}

__device__ __forceinline__ float area4(const float* b) { return fmaxf(0.0f, b[2] - b[0]) * fmaxf(0.0f, b[3] - b[1]); }

__device__ __forceinline__ float iou4(const float* a, const float* b) {
    float iw = fminf(a[2], b[2]) - fmaxf(a[0], b[0]);
    float ih = fminf(a[3], b[3]) - fmaxf(a[1], b[1]);
    if (iw <= 0.0f || ih <= 0.0f) return 0.0f;
    float inter = iw * ih;
    float uni = area4(a) + area4(b) - inter;
    return uni <= 0.0f ? 0.0f : inter / uni;
}

// Source-frame coordinate of a model-space coordinate, as LetterboxGeometry.toSourceX/Y.
__device__ __forceinline__ float to_source(float m, int pad, int src, int content) {
    float t = (m - (float) pad) * (float) src;
    float x = (float) ((double) t / (double) content);
    return fmaxf(0.0f, fminf((float) src, x));
}

// Sorts an image's candidates by (score desc, anchor asc), runs greedy class-aware NMS and writes at
// most maxDet detections [x1, y1, x2, y2, score, class] in source pixels, and their count.
// One block of 1024 threads per image; geometry[img] = {srcW, srcH, contentW, contentH, padX, padY}.
extern "C" __global__ void vx_nms(const float* cand, int* candCount, float iouThr, int maxDet, const int* geometry,
                                  float* dets, int* detCount) {
    __shared__ unsigned long long keys[MAX_CANDIDATES];
    __shared__ int kept[256];
    __shared__ int count;
    __shared__ int suppressed;
    int img = blockIdx.x, tid = threadIdx.x;
    int n = min(candCount[img], MAX_CANDIDATES);
    const float* c = cand + (long) img * MAX_CANDIDATES * 7;
    int size = 1;
    while (size < n) size <<= 1;
    for (int i = tid; i < size; i += blockDim.x) {
        if (i < n) {
            int bits = __float_as_int(c[i * 7 + 4]);
            int ordered = bits ^ ((bits >> 31) & 0x7fffffff);
            unsigned int hi = (unsigned int) (~ordered) ^ 0x80000000u;  // signed order as unsigned
            keys[i] = ((unsigned long long) hi << 32) | ((unsigned long long) (unsigned int) __float_as_int(c[i * 7 + 6]) << 12) | (unsigned) i;
        } else {
            keys[i] = 0xffffffffffffffffull;
        }
    }
    __syncthreads();
    for (int k = 2; k <= size; k <<= 1) {
        for (int j = k >> 1; j > 0; j >>= 1) {
            for (int i = tid; i < size; i += blockDim.x) {
                int l = i ^ j;
                if (l > i) {
                    bool up = (i & k) == 0;
                    unsigned long long a = keys[i], b = keys[l];
                    if ((a > b) == up) { keys[i] = b; keys[l] = a; }
                }
            }
            __syncthreads();
        }
    }
    if (tid == 0) count = 0;
    __syncthreads();
    int limit = min(maxDet, 256);
    for (int r = 0; r < n; r++) {
        if (count >= limit) break;
        int i = (int) (keys[r] & 0xfff);
        if (tid == 0) suppressed = 0;
        __syncthreads();
        const float* bi = c + i * 7;
        for (int q = tid; q < count; q += blockDim.x) {
            const float* bj = c + kept[q] * 7;
            if (bj[5] == bi[5] && iou4(bi, bj) > iouThr) suppressed = 1;
        }
        __syncthreads();
        if (tid == 0 && !suppressed) kept[count++] = i;
        __syncthreads();
    }
    const int* g = geometry + img * 6;
    float* d = dets + (long) img * maxDet * DET_FIELDS;
    for (int q = tid; q < count; q += blockDim.x) {
        const float* b = c + kept[q] * 7;
        d[q * DET_FIELDS + 0] = to_source(b[0], g[4], g[0], g[2]);
        d[q * DET_FIELDS + 1] = to_source(b[1], g[5], g[1], g[3]);
        d[q * DET_FIELDS + 2] = to_source(b[2], g[4], g[0], g[2]);
        d[q * DET_FIELDS + 3] = to_source(b[3], g[5], g[1], g[3]);
        d[q * DET_FIELDS + 4] = b[4];
        d[q * DET_FIELDS + 5] = b[5];
    }
    if (tid == 0) { detCount[img] = count; candCount[img] = 0; }
}

// Classifier top-k: softmax (skipped when the output already is probabilities), then the k best,
// ties to the lower class. One block of 256 threads per image; out[img] = k pairs (class, score).
// See io.vxflow.gpu.postprocess.TopK.
extern "C" __global__ void vx_topk(const float* logits, int classes, int k, float* out) {
    __shared__ float smax[256];
    __shared__ float ssum[256];
    __shared__ int sprob[256];
    __shared__ double sden[256];
    __shared__ float bestV[256];
    __shared__ int bestI[256];
    __shared__ int taken[64];
    int img = blockIdx.x, tid = threadIdx.x;
    const float* x = logits + (long) img * classes;
    float m = -__int_as_float(0x7f800000), sum = 0.0f;
    int prob = 1;
    for (int c = tid; c < classes; c += blockDim.x) {
        float v = x[c];
        m = fmaxf(m, v); sum += v; prob &= (v >= 0.0f && v <= 1.0f);
    }
    smax[tid] = m; ssum[tid] = sum; sprob[tid] = prob;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (tid < s) { smax[tid] = fmaxf(smax[tid], smax[tid + s]); ssum[tid] += ssum[tid + s]; sprob[tid] &= sprob[tid + s]; }
        __syncthreads();
    }
    float mx = smax[0];
    int probabilities = sprob[0] && fabsf(ssum[0] - 1.0f) < 1e-3f;
    double den = 0.0;
    if (!probabilities) for (int c = tid; c < classes; c += blockDim.x) den += exp((double) (x[c] - mx));
    sden[tid] = den;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (tid < s) sden[tid] += sden[tid + s];
        __syncthreads();
    }
    double denom = sden[0];
    for (int r = 0; r < k && r < 64; r++) {
        float bv = -__int_as_float(0x7f800000);
        int bi = 0x7fffffff;
        for (int c = tid; c < classes; c += blockDim.x) {
            bool used = false;
            for (int q = 0; q < r; q++) used |= taken[q] == c;
            if (used) continue;
            float p = probabilities ? x[c] : (float) (exp((double) (x[c] - mx)) / denom);
            if (p > bv || (p == bv && c < bi)) { bv = p; bi = c; }
        }
        bestV[tid] = bv; bestI[tid] = bi;
        __syncthreads();
        for (int s = blockDim.x / 2; s > 0; s >>= 1) {
            if (tid < s) {
                float ov = bestV[tid + s]; int oi = bestI[tid + s];
                if (ov > bestV[tid] || (ov == bestV[tid] && oi < bestI[tid])) { bestV[tid] = ov; bestI[tid] = oi; }
            }
            __syncthreads();
        }
        if (tid == 0) { taken[r] = bestI[0]; out[((long) img * k + r) * 2] = (float) bestI[0]; out[((long) img * k + r) * 2 + 1] = bestV[0]; }
        __syncthreads();
    }
}

// ---- crop and compose: see io.vxflow.gpu.cpu.CpuCropResize and CpuCompose ---------------------------

// Crops each of a frame's detections (read from device memory) into a size x size RGB24 thumbnail;
// thumbnail d at rows d*size. Grid: (pixel blocks, maxCrops).
extern "C" __global__ void vx_crop(const u8* p0, const u8* p1, const u8* p2, int pitch0, int pitch1, int pitch2, int fmt,
                                   int srcW, int srcH, const float* dets, const int* detCount, int size, int maxCrops,
                                   u8* crops, float k0, float k1, float k2, float k3, float k4, float k5) {
    int d = blockIdx.y;
    int n = min(*detCount, maxCrops);
    if (d >= n) return;
    int p = blockIdx.x * blockDim.x + threadIdx.x;
    if (p >= size * size) return;
    int i = p % size, j = p / size;
    const float* b = dets + d * DET_FIELDS;
    float w = fmaxf(1.0f, b[2] - b[0]), h = fmaxf(1.0f, b[3] - b[1]);
    Yuv s = make_yuv(p0, p1, p2, pitch0, pitch1, pitch2, fmt, srcW, srcH);
    float k[6] = {k0, k1, k2, k3, k4, k5};
    yuv_to_rgb_at(s, b[0], b[1], w / (float) size, h / (float) size, i, j, k, crops + ((long) (d * size + j) * size + i) * 3);
}

// Outlines a frame's detections (device memory) in their class colours on a tile of an RGB24 canvas:
// box [x1, y1, x2, y2] -> pixels floor(tx + x1*sx) .. floor(tx + x2*sx) - 1, thickness px inside, later boxes on top.
extern "C" __global__ void vx_draw_boxes(u8* canvas, int pitch, int tx, int ty, int tw, int th, float sx, float sy,
                                         const float* dets, const int* detCount, int thickness, const int* palette, int paletteSize) {
    int x = tx + blockIdx.x * blockDim.x + threadIdx.x;
    int y = ty + blockIdx.y * blockDim.y + threadIdx.y;
    if (x >= tx + tw || y >= ty + th) return;
    int n = *detCount, color = -1;
    for (int q = 0; q < n; q++) {
        const float* b = dets + q * DET_FIELDS;
        int x1 = max(tx, (int) floorf((float) tx + b[0] * sx));
        int y1 = max(ty, (int) floorf((float) ty + b[1] * sy));
        int x2 = min(tx + tw, (int) floorf((float) tx + b[2] * sx)) - 1;
        int y2 = min(ty + th, (int) floorf((float) ty + b[3] * sy)) - 1;
        if (x2 < x1 || y2 < y1 || x < x1 || x > x2 || y < y1 || y > y2) continue;
        bool edge = y < y1 + thickness || y > y2 - thickness || x <= min(x2, x1 + thickness - 1) || x >= max(x1, x2 - thickness + 1);
        if (edge) {
            int cls = (int) b[5];
            color = palette[((cls % paletteSize) + paletteSize) % paletteSize];
        }
    }
    if (color >= 0) {
        u8* o = canvas + (long) y * pitch + (long) x * 3;
        o[0] = (u8) (color >> 16); o[1] = (u8) (color >> 8); o[2] = (u8) color;
    }
}

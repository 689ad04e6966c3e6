#!/usr/bin/env python3
"""Exports architecture-realistic ONNX models with random weights, for vxflow's tests and benchmarks.

Nothing is downloaded: weights are random (fixed seed), so the models cost what the real ones cost
to run, while their answers are meaningless. Runs where PyTorch and torchvision are installed (the
GPU machine):

    python3 tools/export_models.py OUT_DIR

writes
    resnet50-224.onnx     torchvision ResNet-50, input [batch, 3, 224, 224], output [batch, 1000] logits
    yolov8s-640.onnx      a YOLOv8-s-shaped detector (C2f backbone, SPPF, PAN neck, anchor-free
                          decoupled head with DFL), input [batch, 3, 640, 640], output
                          [batch, 84, 8400]: box centre/size in input pixels, then 80 class scores
Both have a dynamic batch dimension named "batch" and opset 17.
"""
import math
import sys

import torch
import torch.nn as nn
import torchvision


def conv(c1, c2, k=1, s=1):
    return nn.Sequential(nn.Conv2d(c1, c2, k, s, k // 2, bias=False), nn.BatchNorm2d(c2, eps=1e-3), nn.SiLU())


class Bottleneck(nn.Module):
    def __init__(self, c, shortcut=True):
        super().__init__()
        self.cv1, self.cv2, self.add = conv(c, c, 3), conv(c, c, 3), shortcut

    def forward(self, x):
        y = self.cv2(self.cv1(x))
        return x + y if self.add else y


class C2f(nn.Module):
    def __init__(self, c1, c2, n=1, shortcut=False):
        super().__init__()
        self.c = c2 // 2
        self.cv1 = conv(c1, 2 * self.c)
        self.cv2 = conv((2 + n) * self.c, c2)
        self.m = nn.ModuleList(Bottleneck(self.c, shortcut) for _ in range(n))

    def forward(self, x):
        y = list(self.cv1(x).chunk(2, 1))
        for m in self.m:
            y.append(m(y[-1]))
        return self.cv2(torch.cat(y, 1))


class SPPF(nn.Module):
    def __init__(self, c1, c2):
        super().__init__()
        c = c1 // 2
        self.cv1, self.cv2 = conv(c1, c), conv(c * 4, c2)
        self.m = nn.MaxPool2d(5, 1, 2)

    def forward(self, x):
        x = self.cv1(x)
        y1 = self.m(x)
        y2 = self.m(y1)
        return self.cv2(torch.cat((x, y1, y2, self.m(y2)), 1))


class Detect(nn.Module):
    """Anchor-free decoupled head with distribution focal loss box regression, decoded in the graph."""

    def __init__(self, nc, chs, strides, imgsz):
        super().__init__()
        self.nc, self.reg = nc, 16
        c2, c3 = max(16, chs[0] // 4, self.reg * 4), max(chs[0], min(nc, 100))
        self.box = nn.ModuleList(nn.Sequential(conv(c, c2, 3), conv(c2, c2, 3), nn.Conv2d(c2, 4 * self.reg, 1)) for c in chs)
        self.cls = nn.ModuleList(nn.Sequential(conv(c, c3, 3), conv(c3, c3, 3), nn.Conv2d(c3, nc, 1)) for c in chs)
        self.register_buffer("proj", torch.arange(self.reg, dtype=torch.float32))
        anchors, stride_t = [], []
        for s in strides:
            n = imgsz // s
            ys, xs = torch.meshgrid(torch.arange(n) + 0.5, torch.arange(n) + 0.5, indexing="ij")
            anchors.append(torch.stack((xs, ys), -1).view(-1, 2))
            stride_t.append(torch.full((n * n, 1), float(s)))
        self.register_buffer("anchors", torch.cat(anchors).T.contiguous())    # [2, A]
        self.register_buffer("strides", torch.cat(stride_t).T.contiguous())   # [1, A]
        for m, s in zip(self.cls, strides):  # the usual prior: few confident anchors per image
            m[-1].bias.data[:] = math.log(5 / nc / (imgsz / s) ** 2)

    def forward(self, feats):
        b = feats[0].shape[0]
        box = torch.cat([m(f).view(b, 4 * self.reg, -1) for m, f in zip(self.box, feats)], 2)
        cls = torch.cat([m(f).view(b, self.nc, -1) for m, f in zip(self.cls, feats)], 2)
        a = box.shape[2]
        dist = (box.view(b, 4, self.reg, a).softmax(2) * self.proj.view(1, 1, -1, 1)).sum(2)  # [b, 4, A]
        lt, rb = dist[:, :2], dist[:, 2:]
        x1y1, x2y2 = self.anchors - lt, self.anchors + rb
        xywh = torch.cat(((x1y1 + x2y2) / 2, x2y2 - x1y1), 1) * self.strides
        return torch.cat((xywh, cls.sigmoid()), 1)


class YoloV8(nn.Module):
    """YOLOv8 layout at width 0.5 / depth 0.33 (the 's' scale): 8400 anchors at 640, 80 classes."""

    def __init__(self, nc=80, imgsz=640, w=(32, 64, 128, 256, 512), d=(1, 2, 2, 1)):
        super().__init__()
        self.stem = nn.Sequential(conv(3, w[0], 3, 2), conv(w[0], w[1], 3, 2), C2f(w[1], w[1], d[0], True))
        self.p3 = nn.Sequential(conv(w[1], w[2], 3, 2), C2f(w[2], w[2], d[1], True))
        self.p4 = nn.Sequential(conv(w[2], w[3], 3, 2), C2f(w[3], w[3], d[2], True))
        self.p5 = nn.Sequential(conv(w[3], w[4], 3, 2), C2f(w[4], w[4], d[3], True), SPPF(w[4], w[4]))
        self.up = nn.Upsample(scale_factor=2, mode="nearest")
        self.td4 = C2f(w[4] + w[3], w[3], d[3])
        self.td3 = C2f(w[3] + w[2], w[2], d[3])
        self.dn3 = conv(w[2], w[2], 3, 2)
        self.bu4 = C2f(w[2] + w[3], w[3], d[3])
        self.dn4 = conv(w[3], w[3], 3, 2)
        self.bu5 = C2f(w[3] + w[4], w[4], d[3])
        self.detect = Detect(nc, (w[2], w[3], w[4]), (8, 16, 32), imgsz)

    def forward(self, x):
        p3 = self.p3(self.stem(x))
        p4 = self.p4(p3)
        p5 = self.p5(p4)
        t4 = self.td4(torch.cat((self.up(p5), p4), 1))
        t3 = self.td3(torch.cat((self.up(t4), p3), 1))
        b4 = self.bu4(torch.cat((self.dn3(t3), t4), 1))
        b5 = self.bu5(torch.cat((self.dn4(b4), p5), 1))
        return self.detect([t3, b4, b5])


def export(model, size, path, output_name, names=None):
    model.eval()
    x = torch.randn(2, 3, size, size)
    torch.onnx.export(model, x, path, input_names=["images"], output_names=[output_name], opset_version=17,
                      dynamic_axes={"images": {0: "batch"}, output_name: {0: "batch"}}, dynamo=False)
    import onnx
    m = onnx.load(path)
    meta = {"vxflow.model": path.rsplit("/", 1)[-1][:-5]}
    if names:
        meta["names"] = "{" + ", ".join(f"{i}: '{n}'" for i, n in enumerate(names)) + "}"
    for k, v in meta.items():
        p = m.metadata_props.add()
        p.key, p.value = k, v
    onnx.save(m, path)
    print(f"wrote {path}")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    torch.manual_seed(0)
    export(torchvision.models.resnet50(weights=None), 224, f"{out}/resnet50-224.onnx", "logits")
    torch.manual_seed(0)
    yolo = YoloV8().eval()
    with torch.no_grad():
        # Random weights put every class score near the prior. Shift the class biases so that on average
        # the 40 best anchors of an image score over 0.3: detections to compare, not thousands of them.
        x = torch.rand(4, 3, 640, 640)
        best = yolo(x)[:, 4:].max(1).values                      # [4, 8400] best score per anchor
        top = best.sort(1, descending=True).values[:, 40].clamp(1e-6, 1 - 1e-6)
        shift = math.log(0.3 / 0.7) - torch.logit(top).mean().item()
        for m in yolo.detect.cls:
            m[-1].bias.data += shift
        y = yolo(x)
        print("yolov8s-640 output", tuple(y.shape), "anchors over 0.25 per image:",
              [int((y[i, 4:].max(0).values > 0.25).sum()) for i in range(4)])
    export(yolo, 640, f"{out}/yolov8s-640.onnx", "output0", [f"class{i}" for i in range(80)])


if __name__ == "__main__":
    main()

package io.vxflow.gpu.infer;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and checks an ONNX model before any frame flows: the file exists and is ONNX, it has one
 * float image input {@code [batch, 3, H, W]} with fixed H and W, and an output vxflow can read (a
 * YOLO-style detector or a classifier). Every failure is a {@link ModelException} naming the model
 * and the reason.
 */
public final class ModelInspector {
    private static final Pattern ULTRALYTICS_NAME = Pattern.compile("(\\d+)\\s*:\\s*'([^']*)'");

    private ModelInspector() {}

    public static ModelInfo inspect(Path model) {
        if (!Files.isRegularFile(model)) {
            throw new ModelException("model " + model + " does not exist (give --model a path to an .onnx file)");
        }
        String sha = sha256(model);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
            options.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(model.toString(), options)) {
                return describe(model, sha, session);
            }
        } catch (OrtException e) {
            throw new ModelException("model " + model + " is not a usable ONNX model: " + firstLine(e.getMessage()), e);
        }
    }

    private static ModelInfo describe(Path model, String sha, OrtSession session) throws OrtException {
        Map<String, NodeInfo> inputs = session.getInputInfo();
        if (inputs.size() != 1) {
            throw new ModelException("model " + model + " has " + inputs.size() + " inputs " + inputs.keySet()
                    + "; vxflow feeds exactly one image input");
        }
        NodeInfo in = inputs.values().iterator().next();
        TensorInfo it = tensor(model, in);
        long[] s = it.getShape();
        if (s.length != 4 || s[1] != 3) {
            throw new ModelException("model " + model + " input '" + in.getName() + "' has shape " + Arrays.toString(s)
                    + "; vxflow needs [batch, 3, height, width]");
        }
        if (s[2] <= 0 || s[3] <= 0) {
            throw new ModelException("model " + model + " input '" + in.getName() + "' has dynamic spatial dimensions "
                    + Arrays.toString(s) + "; export it with a fixed input size (for example imgsz=640)");
        }
        if (it.type != OnnxJavaType.FLOAT) {
            throw new ModelException("model " + model + " input '" + in.getName() + "' is " + it.type + "; vxflow feeds float32");
        }
        NodeInfo out = session.getOutputInfo().values().iterator().next();
        long[] os = tensor(model, out).getShape();
        long[] item = Arrays.copyOfRange(os, 1, os.length);
        for (long d : item) {
            if (d <= 0) {
                throw new ModelException("model " + model + " output '" + out.getName() + "' has dynamic dimensions "
                        + Arrays.toString(os) + "; vxflow needs a fixed output shape");
            }
        }
        ModelInfo.Kind kind;
        if (item.length == 2 && item[0] > 4) {
            kind = ModelInfo.Kind.YOLO_DETECTOR;
        } else if (item.length == 1) {
            kind = ModelInfo.Kind.CLASSIFIER;
        } else {
            throw new ModelException("model " + model + " output '" + out.getName() + "' has shape " + Arrays.toString(os)
                    + "; vxflow reads [batch, 4 + classes, anchors] (YOLO detectors) or [batch, classes] (classifiers)");
        }
        Map<String, String> meta = session.getMetadata().getCustomMetadata();
        String fileName = model.getFileName().toString().replaceFirst("\\.onnx$", "");
        String name = meta.getOrDefault("vxflow.model", fileName);
        int batch = s[0] > 0 ? (int) s[0] : 0;
        return new ModelInfo(name, model.toAbsolutePath().toString(), sha, in.getName(), (int) s[2], (int) s[3], batch,
                out.getName(), item, kind, classNames(meta.get("names")));
    }

    private static TensorInfo tensor(Path model, NodeInfo node) {
        if (!(node.getInfo() instanceof TensorInfo t)) {
            throw new ModelException("model " + model + " '" + node.getName() + "' is not a tensor");
        }
        return t;
    }

    /** Parses Ultralytics-style {@code {0: 'person', 1: 'bicycle'}}; empty when absent. */
    static List<String> classNames(String names) {
        List<String> out = new ArrayList<>();
        if (names == null) {
            return out;
        }
        Matcher m = ULTRALYTICS_NAME.matcher(names);
        while (m.find()) {
            int i = Integer.parseInt(m.group(1));
            while (out.size() <= i) {
                out.add(Integer.toString(out.size()));
            }
            out.set(i, m.group(2));
        }
        return List.copyOf(out);
    }

    /** A hex digest shortened for messages: its first 12 characters. */
    public static String shortHash(String hex) {
        return hex.length() > 12 ? hex.substring(0, 12) + "..." : hex;
    }

    /** Hex SHA-256 of a model file; {@link ModelException} when it cannot be read. */
    public static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new ModelException("model " + file + " cannot be read: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}

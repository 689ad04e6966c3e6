package io.vxflow.gpu.postprocess;

/** A class and its probability: one of a classifier's top-k results ({@link TopK}). */
public record ClassScore(int classId, float score) {}

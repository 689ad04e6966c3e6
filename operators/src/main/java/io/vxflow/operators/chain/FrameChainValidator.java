package io.vxflow.operators.chain;

import io.vxflow.operators.handle.FrameHandleSerializer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.streaming.api.graph.StreamEdge;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.streaming.api.graph.StreamingJobGraphGenerator;
import org.apache.flink.streaming.runtime.partitioner.ForwardPartitioner;

/**
 * Checks, when the job is built, that every edge carrying {@code FrameHandle}s will be chained by
 * Flink. A broken chain would have to serialize frames (copy them off the GPU); instead the job
 * fails before it starts, with a message naming the edge and why Flink would not chain it.
 */
public final class FrameChainValidator {
    private FrameChainValidator() {}

    /** @throws BrokenFrameChainException naming the first offending edge */
    public static void validate(StreamGraph graph) {
        // in the order the job created them (ids are a JVM-wide counter, and a hash map's order of them varies with their values)
        List<StreamNode> nodes = new ArrayList<>(graph.getStreamNodes());
        nodes.sort(Comparator.comparingInt(StreamNode::getId));
        for (StreamNode node : nodes) {
            if (!(node.getTypeSerializerOut() instanceof FrameHandleSerializer)) {
                continue;
            }
            for (StreamEdge edge : node.getOutEdges()) {
                if (!StreamingJobGraphGenerator.isChainable(edge, graph)) {
                    StreamNode target = graph.getStreamNode(edge.getTargetId());
                    throw new BrokenFrameChainException("the edge '" + node.getOperatorName() + "' -> '" + target.getOperatorName()
                            + "' carries frame handles but Flink will not chain it (" + reason(graph, node, target, edge)
                            + "); frames must stay in one operator chain");
                }
            }
        }
    }

    private static String reason(StreamGraph graph, StreamNode source, StreamNode target, StreamEdge edge) {
        if (!graph.isChainingEnabled()) {
            return "operator chaining is disabled for the job";
        }
        if (!(edge.getPartitioner() instanceof ForwardPartitioner)) {
            return "the edge is a " + edge.getPartitioner() + " exchange, not forward";
        }
        if (source.getParallelism() != target.getParallelism()) {
            return "parallelism differs: " + source.getParallelism() + " vs " + target.getParallelism();
        }
        if (!source.getSlotSharingGroup().equals(target.getSlotSharingGroup())) {
            return "slot sharing groups differ";
        }
        return "chaining is disabled on one of the two operators, or the downstream operator starts a new chain";
    }

    /** A topology in which frame handles would cross a chain boundary. */
    public static final class BrokenFrameChainException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        BrokenFrameChainException(String message) {
            super(message);
        }
    }
}

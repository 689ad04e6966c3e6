package io.vxflow.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ExternalResourceOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.HighAvailabilityOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.kubernetes.operator.api.spec.FlinkDeploymentSpec;
import org.apache.flink.kubernetes.operator.api.spec.UpgradeMode;
import org.apache.flink.metrics.prometheus.PrometheusReporterFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code deploy/kubernetes/vxflow.yaml}, read through the Flink Kubernetes Operator's own API classes
 * and its Flink configuration through Flink's own options: the GPU external resource, checkpoint
 * storage, Kubernetes HA, the restart strategy, the Prometheus port, the node-local engine cache, and
 * agreement with {@code deploy/flink/config.yaml} for the settings both carry.
 */
class FlinkDeploymentTest {
    static final Path DEPLOY = Path.of("").toAbsolutePath();
    private static final String MAIN_CONTAINER = "flink-main-container";
    private static final String PROMETHEUS_PORT = "9249";

    private static FlinkDeployment deployment;
    private static FlinkDeploymentSpec spec;
    private static Configuration flink;

    @BeforeAll
    static void read() throws IOException {
        deployment = readFlinkDeployment(DEPLOY.resolve("kubernetes/vxflow.yaml"));
        spec = deployment.getSpec();
        flink = Configuration.fromMap(spec.getFlinkConfiguration());
    }

    /**
     * The operator's API 1.10.0 (the newest the package registry serves here) predates Flink 2.x, so
     * its {@code FlinkVersion} has no {@code v2_2}; operator 1.13 and later have it and need it to write
     * Flink 2's config.yaml. The version is checked on the YAML tree, every other field goes through
     * the classes; since those ignore fields they do not know, a field that does not come back when
     * the result is written out again fails the test (a misspelt field would otherwise go unnoticed).
     */
    static FlinkDeployment readFlinkDeployment(Path file) throws IOException {
        YAMLMapper yaml = new YAMLMapper();
        JsonNode tree = yaml.readTree(file.toFile());
        assertThat(tree.path("spec").path("flinkVersion").asText()).isEqualTo("v2_2");
        ((ObjectNode) tree.path("spec")).remove("flinkVersion");
        FlinkDeployment read = yaml.treeToValue(tree, FlinkDeployment.class);
        assertNothingIgnored(tree, yaml.valueToTree(read), "");
        return read;
    }

    private static void assertNothingIgnored(JsonNode in, JsonNode out, String path) {
        if (in.isObject()) {
            in.fieldNames().forEachRemaining(f -> {
                assertThat(out.has(f)).as("%s.%s is not a field the operator's classes know", path, f).isTrue();
                assertNothingIgnored(in.get(f), out.get(f), path + "." + f);
            });
        } else if (in.isArray()) {
            assertThat(out.size()).as(path).isEqualTo(in.size());
            for (int i = 0; i < in.size(); i++) {
                assertNothingIgnored(in.get(i), out.get(i), path + "[" + i + "]");
            }
        }
    }

    @Test
    void isAFlinkApplicationOfTheImage() {
        assertThat(deployment.getApiVersion()).isEqualTo("flink.apache.org/v1beta1");
        assertThat(deployment.getKind()).isEqualTo("FlinkDeployment");
        assertThat(spec.getJob().getJarURI()).isEqualTo("local://" + ContainerBuildContextITCase.JOB_JAR_IN_IMAGE);
        assertThat(spec.getJob().getEntryClass()).isEqualTo("io.vxflow.job.cli.Vxflow");
        assertThat(spec.getJob().getArgs()).startsWith("run").contains("--bootstrap", "--model");
        assertThat(spec.getJob().getParallelism()).isEqualTo(flink.get(TaskManagerOptions.NUM_TASK_SLOTS));
        assertThat(initContainer("engine-cache-owner").getImage()).isEqualTo(spec.getImage());
    }

    @Test
    void requestsOneGpuPerTaskManagerThroughFlinksExternalResources() {
        assertThat(flink.get(ExternalResourceOptions.EXTERNAL_RESOURCE_LIST)).containsExactly("gpu");
        assertThat(flink.toMap())
                .containsEntry(ExternalResourceOptions.getAmountConfigOptionForResource("gpu"), "1")
                .containsEntry(ExternalResourceOptions.getSystemConfigKeyConfigOptionForResource("gpu", "kubernetes.config-key"), "nvidia.com/gpu")
                .containsEntry(ExternalResourceOptions.getExternalResourceDriverFactoryConfigOptionForResource("gpu"),
                        "org.apache.flink.externalresource.gpu.GPUDriverFactory")
                .containsEntry(ExternalResourceOptions.getExternalResourceParamConfigPrefixForResource("gpu") + "discovery-script.path",
                        "plugins/external-resource-gpu/nvidia-gpu-discovery.sh");
        assertThat(taskManagerPod().getTolerations()).anySatisfy(t -> assertThat(t.getKey()).isEqualTo("nvidia.com/gpu"));
    }

    @Test
    void checkpointsAndSavepointsGoToTheSharedVolume() {
        assertThat(spec.getFlinkConfiguration()).containsKeys(CheckpointingOptions.CHECKPOINTS_DIRECTORY.key(),
                CheckpointingOptions.SAVEPOINT_DIRECTORY.key(), CheckpointingOptions.CHECKPOINT_STORAGE.key());
        assertThat(flink.get(CheckpointingOptions.CHECKPOINT_STORAGE)).isEqualTo("filesystem");
        assertThat(flink.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).isEqualTo("file:///flink-data/checkpoints");
        assertThat(flink.get(CheckpointingOptions.SAVEPOINT_DIRECTORY)).isEqualTo("file:///flink-data/savepoints");
        assertSharedVolumeAtFlinkData(jobManagerPod());
        assertSharedVolumeAtFlinkData(taskManagerPod());
    }

    @Test
    void bothDebloatNetworkBuffersSoCheckpointsKeepComingWhileAJobCatchesUp() {
        // read through Flink's typed option: a misspelt key would read as the default (off)
        Configuration standalone = GlobalConfiguration.loadConfiguration(DEPLOY.resolve("flink").toString());
        assertThat(standalone.get(TaskManagerOptions.BUFFER_DEBLOAT_ENABLED)).isTrue();
        assertThat(flink.get(TaskManagerOptions.BUFFER_DEBLOAT_ENABLED)).isTrue();
    }

    @Test
    void theStandaloneClusterKeepsCheckpointsOnAFileSystemAndRetainsThemOnCancellation() {
        // read through Flink's typed options: a misspelt key would read as the default (not retained, one kept)
        Configuration standalone = GlobalConfiguration.loadConfiguration(DEPLOY.resolve("flink").toString());
        assertThat(standalone.get(CheckpointingOptions.CHECKPOINT_STORAGE)).isEqualTo("filesystem");
        assertThat(standalone.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).isEqualTo("file:///flink-data/checkpoints");
        assertThat(standalone.get(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION))
                .isEqualTo(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        assertThat(standalone.get(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS)).isEqualTo(3);
        assertThat(flink.get(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION)).isEqualTo(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    }

    @Test
    void highAvailabilityIsKubernetesAndUpgradesKeepTheLastState() {
        assertThat(spec.getFlinkConfiguration()).containsKeys(HighAvailabilityOptions.HA_MODE.key(), HighAvailabilityOptions.HA_STORAGE_PATH.key());
        assertThat(flink.get(HighAvailabilityOptions.HA_MODE)).isEqualTo("kubernetes");
        assertThat(flink.get(HighAvailabilityOptions.HA_STORAGE_PATH)).isEqualTo("file:///flink-data/ha");
        assertThat(spec.getServiceAccount()).as("Kubernetes HA writes ConfigMaps with this account").isEqualTo("flink");
        assertThat(spec.getJob().getUpgradeMode()).isEqualTo(UpgradeMode.LAST_STATE);
    }

    @Test
    void restartsBackOffExponentiallyAndTheJobLeavesThemToTheCluster() {
        assertThat(spec.getFlinkConfiguration()).containsKey(RestartStrategyOptions.RESTART_STRATEGY.key());
        assertThat(flink.get(RestartStrategyOptions.RESTART_STRATEGY)).isEqualTo("exponential-delay");
        assertThat(flink.get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS)).isEqualTo(10);
        assertThat(flink.get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF)).hasMinutes(1);
        // without it vxflow sets its own strategy, and this one would never apply
        assertThat(spec.getJob().getArgs()).contains("-Dvxflow.restart.attempts=-1");
    }

    @Test
    void everyJobManagerAndTaskManagerServesPrometheusOnItsPort() {
        Configuration prom = MetricOptions.forReporter(flink, "prom");
        assertThat(prom.get(MetricOptions.REPORTER_FACTORY_CLASS)).isEqualTo(PrometheusReporterFactory.class.getName());
        assertThat(prom.toMap()).containsEntry("port", PROMETHEUS_PORT).containsEntry("filterLabelValueCharacters", "false");
        for (PodTemplateSpec pod : List.of(spec.getJobManager().getPodTemplate(), spec.getTaskManager().getPodTemplate())) {
            assertThat(mainContainer(pod.getSpec()).getPorts()).anySatisfy(p -> {
                assertThat(p.getName()).isEqualTo("metrics");
                assertThat(p.getContainerPort()).isEqualTo(Integer.parseInt(PROMETHEUS_PORT));
            });
            assertThat(pod.getMetadata().getAnnotations()).containsEntry("prometheus.io/scrape", "true")
                    .containsEntry("prometheus.io/port", PROMETHEUS_PORT);
        }
    }

    @Test
    void engineCacheIsANodeLocalVolumeSharedByTheNodesTaskManagers() {
        Container tm = mainContainer(taskManagerPod());
        String cacheDir = env(tm, "VXFLOW_CACHE_DIR");
        VolumeMount mount = tm.getVolumeMounts().stream().filter(m -> m.getMountPath().equals(cacheDir)).findFirst().orElseThrow();
        Volume volume = volume(taskManagerPod(), mount.getName());
        assertThat(volume.getHostPath()).as("a hostPath volume: one directory per node, whatever pod mounts it").isNotNull();
        assertThat(volume.getHostPath().getType()).isEqualTo("DirectoryOrCreate");
        assertThat(mount.getReadOnly()).isNotEqualTo(Boolean.TRUE);
        // Flink runs as uid 9999; the hostPath starts out root's
        Container owner = initContainer("engine-cache-owner");
        assertThat(String.join(" ", owner.getCommand())).contains("chown 9999:9999 " + cacheDir);
        assertThat(owner.getVolumeMounts()).anySatisfy(m -> {
            assertThat(m.getName()).isEqualTo(mount.getName());
            assertThat(m.getMountPath()).isEqualTo(cacheDir);
        });
        assertThat(flink.get(CoreOptions.FLINK_TM_JVM_OPTIONS))
                .contains("-Dorg.bytedeco.javacpp.cachedir=" + cacheDir + "/");
    }

    @Test
    void agreesWithTheStandaloneClusterConfiguration() {
        Configuration standalone = GlobalConfiguration.loadConfiguration(DEPLOY.resolve("flink").toString());
        Map<String, String> shared = new HashMap<>(standalone.toMap());
        // the operator sets the TaskManager's process size from its resource spec
        assertThat(MemorySize.parse(spec.getTaskManager().getResource().getMemory()))
                .isEqualTo(standalone.get(TaskManagerOptions.TOTAL_PROCESS_MEMORY));
        shared.remove(TaskManagerOptions.TOTAL_PROCESS_MEMORY.key());
        // a standalone TaskManager has no container environment: the cache directory is a system property there
        String standaloneJvm = shared.remove(CoreOptions.FLINK_TM_JVM_OPTIONS.key());
        Matcher cache = Pattern.compile("-Dvxflow\\.cache\\.dir=(\\S+)").matcher(standaloneJvm);
        assertThat(cache.find()).as(standaloneJvm).isTrue();
        assertThat(env(mainContainer(taskManagerPod()), "VXFLOW_CACHE_DIR")).isEqualTo(cache.group(1));
        assertThat(standaloneJvm.replace(cache.group(), "").trim()).isEqualTo(flink.get(CoreOptions.FLINK_TM_JVM_OPTIONS));

        assertThat(shared).isNotEmpty();
        assertThat(flink.toMap()).containsAllEntriesOf(shared);
    }

    private static void assertSharedVolumeAtFlinkData(PodSpec pod) {
        VolumeMount data = mainContainer(pod).getVolumeMounts().stream().filter(m -> m.getMountPath().equals("/flink-data")).findFirst().orElseThrow();
        assertThat(data.getReadOnly()).isNotEqualTo(Boolean.TRUE);
        assertThat(volume(pod, data.getName()).getPersistentVolumeClaim().getClaimName()).isEqualTo("vxflow-data");
    }

    private static PodSpec jobManagerPod() {
        return spec.getJobManager().getPodTemplate().getSpec();
    }

    private static PodSpec taskManagerPod() {
        return spec.getTaskManager().getPodTemplate().getSpec();
    }

    private static Container mainContainer(PodSpec pod) {
        return pod.getContainers().stream().filter(c -> c.getName().equals(MAIN_CONTAINER)).findFirst().orElseThrow();
    }

    private static Container initContainer(String name) {
        return taskManagerPod().getInitContainers().stream().filter(c -> c.getName().equals(name)).findFirst().orElseThrow();
    }

    private static Volume volume(PodSpec pod, String name) {
        return pod.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst().orElseThrow();
    }

    private static String env(Container c, String name) {
        return c.getEnv().stream().filter(e -> e.getName().equals(name)).map(EnvVar::getValue).findFirst().orElseThrow();
    }
}

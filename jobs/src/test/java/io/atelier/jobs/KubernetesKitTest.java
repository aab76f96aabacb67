package io.atelier.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.atelier.jobs.DeployFiles.ROOT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy/kubernetes and the images, checked as files: every YAML parses, the SparkApplications
 * carry what the Spark operator (sparkoperator.k8s.io/v1beta2) requires and what Atelier needs
 * (the pom's Spark version, a jar the image holds, conf/'s settings, a service account that the
 * RBAC file binds, GPU resources, a run directory on S3A or a mounted volume), and their
 * arguments are valid Atelier command lines. No Kubernetes cluster runs here.
 */
class KubernetesKitTest {
    static final String CPU_IMAGE = "deploy/docker/Dockerfile";
    static final String GPU_IMAGE = "deploy/gpu/Dockerfile";

    /** Every YAML document under deploy/kubernetes, with the file it came from. */
    record Doc(String file, JsonNode node) {
        String kind() {
            return node.path("kind").asText();
        }

        String name() {
            return node.path("metadata").path("name").asText();
        }

        String namespace() {
            return node.path("metadata").path("namespace").asText("default");
        }

        String where() {
            return file + " " + kind() + " " + name();
        }
    }

    static List<Doc> docs;

    @BeforeAll
    static void parseEveryYaml() throws IOException {
        docs = new ArrayList<>();
        YAMLMapper yaml = new YAMLMapper();
        List<Path> files;
        try (Stream<Path> s = Files.list(ROOT.resolve("deploy/kubernetes"))) {
            files = s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
        }
        assertFalse(files.isEmpty(), "deploy/kubernetes holds YAML files");
        for (Path f : files) {
            try (var values = yaml.readerFor(JsonNode.class).<JsonNode>readValues(f.toFile())) {
                for (JsonNode n : values.readAll()) {
                    if (n != null && !n.isNull()) {
                        docs.add(new Doc(ROOT.relativize(f).toString(), n));
                    }
                }
            }
        }
        for (Doc d : docs) {
            assertFalse(d.node().path("apiVersion").asText().isBlank(), d.where() + ": apiVersion");
            assertFalse(d.kind().isBlank(), d.file() + ": a document without kind");
            assertFalse(d.name().isBlank(), d.where() + ": metadata.name");
        }
    }

    static List<Doc> sparkApplications() {
        List<Doc> apps = docs.stream().filter(d -> d.kind().equals("SparkApplication")).toList();
        assertFalse(apps.isEmpty(), "a SparkApplication manifest");
        return apps;
    }

    static boolean isGpu(Doc app) {
        return app.node().path("spec").path("sparkConf").has("spark.executor.resource.gpu.amount");
    }

    static Map<String, String> sparkConf(Doc app) {
        Map<String, String> conf = new TreeMap<>();
        app.node().path("spec").path("sparkConf").fields().forEachRemaining(e -> {
            assertTrue(e.getValue().isTextual(), app.where() + ": sparkConf " + e.getKey()
                    + " must be a string (the operator's type is map[string]string)");
            conf.put(e.getKey(), e.getValue().asText());
        });
        return conf;
    }

    static List<String> arguments(Doc app) {
        List<String> args = new ArrayList<>();
        JsonNode a = app.node().path("spec").path("arguments");
        assertTrue(a.isArray(), app.where() + ": spec.arguments is a list");
        a.forEach(v -> {
            assertTrue(v.isTextual(), app.where() + ": argument " + v + " must be a string");
            args.add(v.asText());
        });
        return args;
    }

    /** The value after {@code flag} in an argument list. */
    static String flag(List<String> args, String flag, String where) {
        int i = args.indexOf(flag);
        assertTrue(i >= 0 && i + 1 < args.size(), where + " gives " + flag);
        return args.get(i + 1);
    }

    /** Destinations of a Dockerfile's COPY lines. */
    static List<String> copied(String dockerfile) {
        List<String> to = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^COPY\\s+(?:--\\S+\\s+)*\\S+\\s+(\\S+)\\s*$").matcher(DeployFiles.read(dockerfile));
        while (m.find()) {
            to.add(m.group(1));
        }
        return to;
    }

    @Test
    void bothImagesRunThePomsSparkAndTheHadoopAwsOfItsHadoop() {
        String spark = DeployFiles.pomProperty("spark.version");
        String hadoop = DeployFiles.pomProperty("hadoop.version");
        for (String image : List.of(CPU_IMAGE, GPU_IMAGE)) {
            assertEquals(spark, DeployFiles.dockerArg(image, "SPARK_VERSION"), image + "'s Spark is the pom's spark.version");
            assertEquals(hadoop, DeployFiles.dockerArg(image, "HADOOP_AWS_VERSION"),
                    image + ": hadoop-aws must match the Hadoop that Spark ships (the pom's hadoop.version)");
            assertEquals("1.12.262", DeployFiles.dockerArg(image, "AWS_SDK_VERSION"),
                    image + ": the AWS SDK bundle hadoop-aws " + hadoop + " was built with");
        }
        Matcher from = Pattern.compile("(?m)^FROM\\s+(\\S+)").matcher(DeployFiles.read(CPU_IMAGE));
        assertTrue(from.find(), CPU_IMAGE + " has a FROM line");
        assertEquals("apache/spark:${SPARK_VERSION}-scala2.12-java17-ubuntu", from.group(1),
                CPU_IMAGE + " builds on the Spark image of that version");
        assertTrue(DeployFiles.read(GPU_IMAGE).contains("spark-${SPARK_VERSION}-bin-hadoop3"),
                GPU_IMAGE + " installs the Spark release of that version");
    }

    @Test
    void everySparkApplicationHasWhatTheOperatorRequires() {
        String spark = DeployFiles.pomProperty("spark.version");
        for (Doc app : sparkApplications()) {
            String w = app.where();
            JsonNode spec = app.node().path("spec");
            assertEquals("sparkoperator.k8s.io/v1beta2", app.node().path("apiVersion").asText(), w);
            assertEquals("Java", spec.path("type").asText(), w + ": spec.type");
            assertEquals("cluster", spec.path("mode").asText(), w + ": spec.mode");
            assertFalse(spec.path("image").asText().isBlank(), w + ": spec.image");
            assertEquals("io.atelier.jobs.AtelierCli", spec.path("mainClass").asText(), w + ": spec.mainClass");
            assertEquals(spark, spec.path("sparkVersion").asText(), w + ": spec.sparkVersion is the pom's spark.version");
            String image = isGpu(app) ? GPU_IMAGE : CPU_IMAGE;
            String jar = spec.path("mainApplicationFile").asText();
            assertTrue(jar.startsWith("local://") && copied(image).contains(jar.substring("local://".length())),
                    w + ": mainApplicationFile " + jar + " must be local:// and a jar " + image + " copies in: " + copied(image));
            for (String role : List.of("driver", "executor")) {
                JsonNode pod = spec.path(role);
                assertTrue(pod.path("cores").isInt() && pod.path("cores").asInt() >= 1, w + ": " + role + ".cores");
                assertTrue(pod.path("memory").asText().matches("[0-9]+[kmgt]"), w + ": " + role + ".memory like 4g, not '"
                        + pod.path("memory").asText() + "'");
            }
            assertTrue(spec.path("executor").path("instances").asInt() >= 1, w + ": executor.instances");
        }
    }

    @Test
    void everyDriverRunsAsAServiceAccountThatTheRbacFileBindsToARoleThatManagesPods() {
        for (Doc app : sparkApplications()) {
            String account = app.node().path("spec").path("driver").path("serviceAccount").asText();
            String ns = app.namespace();
            assertTrue(docs.stream().anyMatch(d -> d.kind().equals("ServiceAccount") && d.name().equals(account)
                    && d.namespace().equals(ns)), app.where() + ": service account '" + account + "' in " + ns
                    + " is created in deploy/kubernetes");
            List<Doc> bindings = docs.stream().filter(d -> d.kind().equals("RoleBinding") && d.namespace().equals(ns)
                    && containsAccount(d.node().path("subjects"), account, ns)).toList();
            assertFalse(bindings.isEmpty(), app.where() + ": a RoleBinding for " + account);
            boolean managesPods = bindings.stream().anyMatch(b -> docs.stream().anyMatch(r -> r.kind().equals("Role")
                    && r.namespace().equals(ns) && r.name().equals(b.node().path("roleRef").path("name").asText())
                    && grants(r.node().path("rules"), "pods", List.of("create", "get", "list", "watch", "delete"))
                    && grants(r.node().path("rules"), "services", List.of("create", "delete"))
                    && grants(r.node().path("rules"), "configmaps", List.of("create", "delete"))));
            assertTrue(managesPods, app.where() + ": " + account + "'s role lets its driver create, watch and delete "
                    + "executor pods, its service and its ConfigMap");
        }
    }

    private static boolean containsAccount(JsonNode subjects, String account, String ns) {
        for (JsonNode s : subjects) {
            if (s.path("kind").asText().equals("ServiceAccount") && s.path("name").asText().equals(account)
                    && s.path("namespace").asText(ns).equals(ns)) {
                return true;
            }
        }
        return false;
    }

    private static boolean grants(JsonNode rules, String resource, List<String> verbs) {
        List<String> have = new ArrayList<>();
        for (JsonNode r : rules) {
            if (containsText(r.path("resources"), resource) && containsText(r.path("apiGroups"), "")) {
                r.path("verbs").forEach(v -> have.add(v.asText()));
            }
        }
        return have.contains("*") || have.containsAll(verbs);
    }

    private static boolean containsText(JsonNode list, String value) {
        for (JsonNode v : list) {
            if (v.asText().equals(value)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void everyManifestCarriesConfsSettingsAndTheGpuOneConfsGpuSettings() {
        Properties defaults = DeployFiles.sparkProperties("conf/spark-defaults.conf");
        Properties gpu = DeployFiles.sparkProperties("conf/spark-gpu.conf");
        boolean sawGpu = false;
        boolean sawCpu = false;
        for (Doc app : sparkApplications()) {
            Map<String, String> conf = sparkConf(app);
            for (String key : defaults.stringPropertyNames()) {
                assertEquals(defaults.getProperty(key).trim(), conf.get(key), app.where() + ": sparkConf " + key
                        + " as conf/spark-defaults.conf sets it (the image's Spark conf is not read in driver pods)");
            }
            if (!isGpu(app)) {
                sawCpu = true;
                continue;
            }
            sawGpu = true;
            for (String key : gpu.stringPropertyNames()) {
                assertEquals(gpu.getProperty(key).trim(), conf.get(key), app.where() + ": sparkConf " + key
                        + " as conf/spark-gpu.conf sets it");
            }
            assertEquals("nvidia.com", conf.get("spark.executor.resource.gpu.vendor"), app.where());
            assertTrue(Integer.parseInt(conf.get("spark.executor.resource.gpu.amount")) >= 1, app.where());
            String script = conf.get("spark.executor.resource.gpu.discoveryScript");
            assertTrue(copied(GPU_IMAGE).contains(script), app.where() + ": the discovery script " + script
                    + " is one " + GPU_IMAGE + " copies in: " + copied(GPU_IMAGE));
            assertTrue(app.node().path("spec").path("image").asText().contains("gpu"), app.where() + ": the GPU image");
            assertEquals(app.node().path("spec").path("executor").path("cores").asText(), conf.get("spark.task.cpus"),
                    app.where() + ": a GPU task gets its executor's cores (conf/spark-gpu.conf)");
        }
        assertTrue(sawCpu && sawGpu, "a CPU and a GPU SparkApplication");
    }

    @Test
    void everyRunDirectoryIsOnS3aOrOnAVolumeClaimTheSameFileCreatesAndBothPodsMount() {
        for (Doc app : sparkApplications()) {
            List<String> args = arguments(app);
            String out = DeployFiles.parseAtelier(args, app.where()).equals("ingest")
                    ? flag(args, "--output", app.where()) : flag(args, "--out", app.where());
            if (out.startsWith("s3a://")) {
                continue;
            }
            Map<String, String> conf = sparkConf(app);
            boolean mounted = false;
            for (Map.Entry<String, String> e : conf.entrySet()) {
                Matcher m = Pattern.compile("spark\\.kubernetes\\.driver\\.volumes\\.persistentVolumeClaim\\.([^.]+)\\.mount\\.path")
                        .matcher(e.getKey());
                if (!m.matches() || !out.startsWith(e.getValue() + "/")) {
                    continue;
                }
                String volume = m.group(1);
                String claim = conf.get("spark.kubernetes.driver.volumes.persistentVolumeClaim." + volume + ".options.claimName");
                assertEquals(e.getValue(), conf.get("spark.kubernetes.executor.volumes.persistentVolumeClaim." + volume + ".mount.path"),
                        app.where() + ": executors mount " + volume + " where the driver does");
                assertEquals(claim, conf.get("spark.kubernetes.executor.volumes.persistentVolumeClaim." + volume + ".options.claimName"),
                        app.where() + ": executors mount the same claim");
                Doc pvc = docs.stream().filter(d -> d.kind().equals("PersistentVolumeClaim") && d.name().equals(claim)
                        && d.file().equals(app.file())).findFirst().orElseThrow(() -> new AssertionError(app.where()
                        + ": claim " + claim + " is created beside it"));
                assertTrue(containsText(pvc.node().path("spec").path("accessModes"), "ReadWriteMany"),
                        pvc.where() + ": driver and executors on different nodes write to it");
                mounted = true;
            }
            assertTrue(mounted, app.where() + ": run directory " + out + " is on s3a:// or under a mounted claim");
        }
    }

    @Test
    void everyManifestsArgumentsAreAValidAtelierCommandLine() {
        for (Doc app : sparkApplications()) {
            String command = DeployFiles.parseAtelier(arguments(app), app.where());
            assertTrue(List.of("train-gan", "train-diffusion").contains(command), app.where() + ": " + command);
        }
    }

    @Test
    void theReadmesSubmitExamplesAreValidAtelierCommandLinesOnThePomsSpark() {
        String readme = DeployFiles.read("deploy/kubernetes/README.md");
        Matcher block = Pattern.compile("(?s)```bash\n(.*?)```").matcher(readme);
        int submits = 0;
        while (block.find()) {
            for (String command : block.group(1).split("\n(?=\\S)")) {
                if (command.contains("atelier-submit") && command.contains("k8s://")) {
                    DeployFiles.parseAtelier(DeployFiles.atelierSubmitArguments(command, "the README"), "the README's atelier-submit");
                    submits++;
                } else if (command.contains("bin/spark-submit") && command.contains("k8s://")) {
                    List<String> words = DeployFiles.shellWords(command);
                    int jar = words.indexOf("local:///opt/atelier/atelier-jobs.jar");
                    assertTrue(jar > 0 && words.get(jar - 1).equals("io.atelier.jobs.AtelierCli"),
                            "the README's spark-submit runs the image's jar with Atelier's class: " + words);
                    DeployFiles.parseAtelier(words.subList(jar + 1, words.size()), "the README's spark-submit");
                    submits++;
                }
            }
        }
        assertEquals(2, submits, "the README shows an atelier-submit and a plain spark-submit to k8s://");
    }
}

package io.pabee.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pabee.adaptive.PatienceProfile;
import io.pabee.heads.HeadSet;
import io.pabee.prepare.BaseModel;
import io.pabee.prepare.ModelPreparer;
import io.pabee.router.RouterConfig;
import io.pabee.router.RouterModel;
import io.pabee.router.RouterTopology;
import io.pabee.schema.Classification;
import io.pabee.serde.AvroSerde;
import io.pabee.stage.Manifest;
import io.pabee.stage.ModelDirectory;
import io.pabee.stage.OnnxLayerModel;
import io.pabee.worker.WorkerConfig;
import io.pabee.worker.WorkerModel;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code models train-heads} on the user's own three-class file: heads named after the task with its label
 * strings, served by name by router and worker; and the bad inputs, refused in one line before anything is installed.
 */
class TrainHeadsCommandTest {
    private static final List<String> SPORT = List.of(
            "the striker scored a late goal", "our team won the football match", "the goalkeeper saved a penalty",
            "he ran the marathon in three hours", "the tennis final went to five sets", "the coach picked a new captain",
            "fans cheered as the ball hit the net", "the referee showed a red card", "she won gold in the sprint",
            "the match ended in a draw", "the basketball team lost at home", "a great pass set up the winning goal",
            "the cyclist won the mountain stage", "the boxer was knocked out", "the league title was decided today");
    private static final List<String> FOOD = List.of(
            "chop the onions and fry them in butter", "bake the bread for forty minutes", "add salt and pepper to the soup",
            "whisk the eggs with sugar", "simmer the sauce on low heat", "the cake needs more flour",
            "roast the chicken with garlic", "boil the pasta in salted water", "stir the rice until it is creamy",
            "slice the tomatoes for the salad", "melt the chocolate slowly", "season the steak before grilling",
            "knead the dough for ten minutes", "grate the cheese over the pizza", "peel and mash the potatoes");
    private static final List<String> WEATHER = List.of(
            "heavy rain is expected tomorrow", "the forecast says sunny skies", "strong winds will hit the coast",
            "snow is falling in the mountains", "temperatures drop below freezing tonight", "a thunderstorm is coming",
            "fog covers the valley this morning", "it will be hot and humid all week", "the storm brought floods",
            "light showers in the afternoon", "clouds clear by the evening", "a cold front moves in from the north",
            "hail damaged the cars", "the heatwave continues", "frost on the fields at dawn");

    @TempDir
    static Path tmp;
    static Path base;
    static Path model;
    static String previousRoot;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeAll
    static void data() throws Exception {
        base = frozenModel();
        // feature caches go under <root>/models/cache: keep them out of the checkout
        previousRoot = System.getProperty("pabee.root");
        System.setProperty("pabee.root", tmp.resolve("root").toString());
        writeTopics(tmp);
    }

    @AfterAll
    static void restoreRoot() {
        if (previousRoot == null) {
            System.clearProperty("pabee.root");
        } else {
            System.setProperty("pabee.root", previousRoot);
        }
    }

    @BeforeEach
    void copyModel() throws Exception {
        model = copyOf(base, tmp.resolve("model-" + System.nanoTime()));
    }

    /** The shared prepared frozen encoder (prepared on first use). */
    static Path frozenModel() throws Exception {
        return ModelPreparer.ensurePrepared(BaseModel.DEFAULT, ModelDirectory.home().resolve(BaseModel.DEFAULT.id()), m -> { })
                .path();
    }

    /** Three easy topics: {@code dir/train.tsv} (10 per label, TSV) and {@code dir/dev.jsonl} (5 per label, JSON lines). */
    static void writeTopics(Path dir) throws Exception {
        StringBuilder train = new StringBuilder("text\tlabel\n");
        StringBuilder dev = new StringBuilder();
        Map<String, List<String>> topics = new java.util.TreeMap<>(Map.of("sport", SPORT, "food", FOOD, "weather", WEATHER));
        topics.forEach((label, lines) -> {
            for (int i = 0; i < lines.size(); i++) {
                if (i % 3 == 2) {
                    dev.append("{\"text\": \"").append(lines.get(i)).append("\", \"label\": \"").append(label).append("\"}\n");
                } else {
                    train.append(lines.get(i)).append('\t').append(label).append('\n');
                }
            }
        });
        Files.writeString(dir.resolve("train.tsv"), train);
        Files.writeString(dir.resolve("dev.jsonl"), dev);
    }

    /** A private copy of a prepared model (stages linked, manifest and heads copied), so no shared model gets heads. */
    static Path copyOf(Path from, Path to) throws Exception {
        Files.createDirectories(to.resolve("heads"));
        try (var files = Files.list(from)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (name.equals("manifest.json")) {
                    Files.copy(f, to.resolve(name));
                } else if (!Files.isDirectory(f)) {
                    Files.createSymbolicLink(to.resolve(name), f.toAbsolutePath());
                }
            }
        }
        try (var heads = Files.list(from.resolve("heads"))) {
            for (Path f : heads.toList()) {
                Files.copy(f, to.resolve("heads").resolve(f.getFileName()));
            }
        }
        return to;
    }

    private int run(String... args) {
        CommandLine cl = Pabee.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    private int trainHeads(String train, String dev, String taskName) {
        return run("models", "train-heads", "--model-dir", model.toString(), "--max-length", "32",
                "--train", train, "--dev", dev, "--task-name", taskName);
    }

    @Test
    void fitsThreeClassHeadsOnTheUsersFileAndRouterAndWorkerServeThemByName() throws Exception {
        assertThat(trainHeads(tmp.resolve("train.tsv").toString(), tmp.resolve("dev.jsonl").toString(), "topics"))
                .as(err.toString()).isZero();
        assertThat(out.toString()).contains("topics: fitted 12 heads on 30 train records").contains("dev accuracy")
                .contains("pabee.task=topics");

        ModelDirectory dir = ModelDirectory.open(model);
        HeadSet heads = HeadSet.read(dir.heads("topics"));
        assertThat(heads.task()).isEqualTo("topics");
        assertThat(heads.labels()).containsExactly("food", "sport", "weather");
        assertThat(heads.numLayers()).isEqualTo(12);
        assertThat(heads.heads()).allSatisfy(h -> assertThat(h.outputs()).isEqualTo(3));
        assertThat(heads.devMetrics()).hasSize(12);
        // three easy topics: the deep layers are well above chance (1/3) on dev
        assertThat(heads.devMetrics().get(11).get("accuracy")).isGreaterThan(0.6);
        assertThat(dir.manifest().heads.get("topics").labels).containsExactly("food", "sport", "weather");
        assertThat(dir.manifest().heads).containsKey("SST-2");
        // and the adaptive controller's table for the new heads, measured on the same dev file
        PatienceProfile profile = PatienceProfile.read(model, "topics").orElseThrow();
        assertThat(profile.split()).isEqualTo("dev");
        assertThat(profile.metric()).isEqualTo("accuracy");
        assertThat(profile.records()).isEqualTo(15);
        assertThat(profile.modelVersion()).isEqualTo(dir.version("topics"));
        assertThat(profile.source()).startsWith("ops/pabee models train-heads --model-dir");
        assertThat(profile.rows()).extracting(PatienceProfile.Row::patience).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        assertThat(profile.metric(0)).hasValue(heads.devMetrics().get(11).get("accuracy"));

        // the router, configured by task name and model directory, answers with the user's label strings
        Map<String, Object> p = new HashMap<>();
        p.put(RouterConfig.MODEL_DIR_CONFIG, model.toString());
        p.put(RouterConfig.TASK_CONFIG, "topics");
        p.put(RouterConfig.ROUTER_LAYERS_CONFIG, 12);
        p.put(RouterConfig.PATIENCE_CONFIG, 0);
        p.put(RouterConfig.MAX_LENGTH_CONFIG, 32);
        p.put(RouterConfig.INPUT_FORMAT_CONFIG, "text");
        p.put(RouterConfig.BATCH_RECORDS_CONFIG, 1);
        RouterConfig cfg = new RouterConfig(p);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "train-heads-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, tmp.resolve("state").toString());
        Instant start = Instant.parse("2026-01-01T00:00:00Z");
        try (OnnxLayerModel m = RouterModel.load(cfg);
             TopologyTestDriver driver = new TopologyTestDriver(
                     RouterTopology.build(cfg, m, new SimpleMeterRegistry(), Clock.systemUTC()), props, start)) {
            TestInputTopic<byte[], byte[]> in = driver.createInputTopic(cfg.inputTopic(), new ByteArraySerializer(),
                    new ByteArraySerializer());
            TestOutputTopic<String, Classification> results = driver.createOutputTopic(cfg.resultsTopic(),
                    Serdes.String().deserializer(), AvroSerde.of(Classification.class).deserializer());
            in.pipeInput("q1".getBytes(StandardCharsets.UTF_8),
                    "the goalkeeper caught the ball".getBytes(StandardCharsets.UTF_8), start);
            driver.advanceWallClockTime(java.time.Duration.ofSeconds(1));
            List<Classification> got = results.readValuesToList();
            assertThat(got).hasSize(1);
            assertThat(got.get(0).getLabel()).isIn("food", "sport", "weather");
            assertThat(got.get(0).getProbabilities()).hasSize(3);
            assertThat(got.get(0).getModelVersion()).isEqualTo(dir.version("topics"));
        }
        // the workers load the same heads by the same name
        Map<String, Object> w = new HashMap<>();
        w.put(WorkerConfig.MODEL_DIR_CONFIG, model.toString());
        w.put(WorkerConfig.TASK_CONFIG, "topics");
        w.put(WorkerConfig.DEVICE_CONFIG, "cpu");
        try (OnnxLayerModel m = WorkerModel.load(new WorkerConfig(w))) {
            assertThat(m.labels()).containsExactly("food", "sport", "weather");
        }
    }

    @Test
    void badInputsEndInOneLineWithExitCode2AndInstallNothing() throws Exception {
        String train = tmp.resolve("train.tsv").toString();
        String dev = tmp.resolve("dev.jsonl").toString();
        Path garbage = Files.writeString(tmp.resolve("garbage.jsonl"), "{\"text\": \"fine\", \"label\": \"sport\"}\nnot json\n");
        Path stranger = Files.writeString(tmp.resolve("stranger.jsonl"), "{\"text\": \"a sunny day\", \"label\": \"climate\"}\n");
        Path oneLabel = Files.writeString(tmp.resolve("one.tsv"), "text\tlabel\nhello\tx\nworld\tx\n");
        Map<String[], String> cases = new java.util.LinkedHashMap<>();
        cases.put(new String[] {"--train", tmp.resolve("missing.tsv").toString(), "--dev", dev, "--task-name", "t"}, "missing.tsv");
        cases.put(new String[] {"--train", train, "--dev", garbage.toString(), "--task-name", "t"}, "garbage.jsonl:2");
        cases.put(new String[] {"--train", train, "--dev", stranger.toString(), "--task-name", "t"}, "'climate'");
        cases.put(new String[] {"--train", oneLabel.toString(), "--dev", dev, "--task-name", "t"}, "two distinct labels");
        cases.put(new String[] {"--train", train, "--dev", dev}, "--task-name");
        cases.put(new String[] {"--train", train, "--task-name", "t"}, "--dev");
        cases.put(new String[] {"--task", "SST-2", "--train", train, "--dev", dev, "--task-name", "t"}, "no --task");
        cases.put(new String[] {"--train", train, "--dev", dev, "--task-name", "../evil"}, "--task-name");
        cases.put(new String[] {"--train", train, "--dev", dev, "--task-name", "sst2"}, "GLUE task");
        cases.put(new String[] {}, "--task");
        String manifest = Files.readString(model.resolve("manifest.json"));
        for (Map.Entry<String[], String> c : cases.entrySet()) {
            err.getBuffer().setLength(0);
            String[] args = java.util.stream.Stream.concat(
                    java.util.stream.Stream.of("models", "train-heads", "--model-dir", model.toString(), "--max-length", "32"),
                    java.util.Arrays.stream(c.getKey())).toArray(String[]::new);
            assertThat(run(args)).as(String.join(" ", c.getKey()) + ": " + err).isEqualTo(2);
            assertThat(err.toString().strip()).as(String.join(" ", c.getKey()))
                    .startsWith("pabee models train-heads: error:").contains(c.getValue()).doesNotContain("\n");
        }
        assertThat(Files.readString(model.resolve("manifest.json"))).isEqualTo(manifest);
        try (var heads = Files.list(model.resolve("heads"))) {
            // the shipped heads, and the patience profiles shipped with them
            assertThat(heads.map(f -> f.getFileName().toString()).filter(f -> !f.endsWith(PatienceProfile.SUFFIX)))
                    .containsExactlyInAnyOrder("CoLA.json", "MRPC.json", "RTE.json", "SST-2.json", "STS-B.json");
        }
        assertThat(PatienceProfile.read(model, "t")).isEmpty();
        assertThat(Manifest.read(model).heads).doesNotContainKey("t");
    }
}

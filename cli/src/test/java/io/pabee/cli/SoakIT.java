package io.pabee.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pabee.glue.GlueExample;
import io.pabee.glue.GlueReader;
import io.pabee.glue.GlueTask;
import io.pabee.glue.Split;
import io.pabee.prepare.BaseModel;
import io.pabee.prepare.ModelPreparer;
import io.pabee.stage.ModelDirectory;
import io.pabee.broker.EmbeddedBroker;
import io.pabee.router.RouterTopology;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * CI-sized soak: a burst, then 10 s at 150 events/s, then drain. Every id is answered exactly once (results
 * and dead letters counted apart), the backlog drains, and the backlog waits in Kafka, not in the heap.
 */
class SoakIT {
    /** Events sent at once before the paced ones: a backlog on any machine, however fast. */
    private static final int BURST = 4_500;
    /** Each text is padded to about this many characters, so that a held backlog would be visible on the heap. */
    private static final int TEXT_CHARS = 16_000;
    /**
     * Input records Kafka Streams may hold per router input partition ({@code buffered.records.per.partition}
     * as the router sets it), times the pipeline's 2 input partitions, plus one poll ({@code max.poll.records} 256).
     */
    private static final int BUFFERED_RECORDS = 2 * (Integer) RouterTopology.streamsConfig("x", "x", new java.util.Properties())
            .get(org.apache.kafka.streams.StreamsConfig.BUFFERED_RECORDS_PER_PARTITION_CONFIG) + 256;

    @Test
    void shouldDrainABacklogWithoutLossOrDuplicatesAndWithoutHoldingItInMemory() throws Exception {
        Path glue = CliRun.glueDir();
        String home = System.getProperty("pabee.home", "../models/prepared");
        ModelDirectory dir = ModelPreparer.ensurePrepared(BaseModel.BGE_SMALL_EN_V15, Path.of(home, "bge-small-en-v15"), m -> { });
        // the sentence first, then one long word that WordPiece turns into a single [UNK] (cheap to tokenize):
        // bytes that Kafka and every buffer before the tokenizer carry
        String filler = " " + "x".repeat(TEXT_CHARS);
        List<String> texts = GlueReader.read(glue, GlueTask.SST_2, Split.DEV).stream()
                .map(e -> (e.text() + filler).substring(0, Math.max(e.text().length(), TEXT_CHARS))).toList();
        Soak.Result r;
        try (EmbeddedBroker kafka = EmbeddedBroker.start()) {
            r = Soak.run(kafka, dir.path(), texts, BURST, 10, 150, 1, s -> { });
        }
        System.out.println("soak: " + r.row());
        assertThat(r.produced()).isGreaterThan(BURST + 1_000);
        assertThat(r.lost()).as("ids neither in results nor in dead letters").isZero();
        assertThat(r.duplicates()).isZero();
        assertThat(r.deadLetters()).as("valid events are classified, not dead-lettered").isZero();
        assertThat(r.answered()).isEqualTo(r.produced());
        // the burst is a backlog by construction (sampled right after it is sent: little can be answered in the
        // seconds its 72 MB take to produce), and it drained
        assertThat(r.maxBacklog()).isGreaterThanOrEqualTo(BURST * 4 / 5);
        assertThat(r.samples().get(r.samples().size() - 1)[3]).isLessThan(r.maxBacklog());
        // the backlog waits in Kafka, not in memory: the live heap (after a full GC, sampled each second) grows by
        // no more than what the bounded buffers of this one JVM may hold (the router's input buffers, and the
        // producing client's unsent records, at most its buffer.memory) plus 16 MB, while the backlog is far larger
        long backlogBytes = r.maxBacklog() * (long) TEXT_CHARS;
        long producerBuffer = (Long) org.apache.kafka.clients.producer.ProducerConfig.configDef().defaultValues()
                .get(org.apache.kafka.clients.producer.ProducerConfig.BUFFER_MEMORY_CONFIG);
        long buffers = (long) BUFFERED_RECORDS * TEXT_CHARS + producerBuffer + (16L << 20);
        long growth = r.maxLiveHeapBytes() - r.baseLiveHeapBytes();
        System.out.printf("soak: live heap growth %d MB; buffers may hold %d MB; backlog %d MB%n", growth >> 20, buffers >> 20,
                backlogBytes >> 20);
        assertThat(backlogBytes).as("the backlog exceeds what the buffers may hold").isGreaterThan(buffers);
        assertThat(growth).as("live heap growth").isLessThan(buffers);
    }
}

package io.pabee.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pabee.broker.KafkaBroker;
import io.pabee.broker.TestBrokers;
import io.pabee.schema.Classification;
import io.pabee.serde.AvroSerde;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code bench baseline} on a few SST-2 dev records against a real broker: one result per record, exactly once, and a scored row. */
class BenchBaselineCommandIT {
    private static final int RECORDS = 40;
    private static KafkaBroker kafka;

    @BeforeAll
    static void startBroker() {
        kafka = TestBrokers.start();
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    @Test
    void shouldAnswerEveryRecordExactlyOnceAndScoreTheRun() throws Exception {
        // batch 16 over 40 records: the last batch of a poll is a short one
        CliRun run = CliRun.of("bench", "baseline", "--model-dir", CliRun.frozenModel().toString(),
                "--glue-dir", CliRun.glueDir().toString(), "--limit", Integer.toString(RECORDS), "--batch-size", "16",
                "--warmup-passes", "1", "--passes", "1", "--json",
                "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", "it-");
        assertThat(run.rc()).as(run.err()).isZero();

        JsonNode row = new ObjectMapper().readTree(run.out().strip());
        assertThat(row.get("mode").asText()).isEqualTo("baseline");
        assertThat(row.get("records_per_s").asDouble()).isPositive();
        assertThat(row.get("records").asInt()).isEqualTo(RECORDS);
        assertThat(row.get("results").asInt()).isEqualTo(RECORDS);
        assertThat(row.get("dead_letters").asInt()).isZero();
        // accuracy is looked up by the pass's own ids: a mismatch would read as 0
        assertThat(row.get("accuracy").asDouble()).isGreaterThan(0.6).isLessThanOrEqualTo(1.0);
        assertThat(row.get("padding_efficiency").asDouble()).isGreaterThan(0.0).isLessThan(1.0);
        assertThat(row.get("phase_seconds").has("onnx_head")).isTrue();

        // everything the transactions committed, read back: each record of both passes once, all at the last layer
        List<ConsumerRecord<byte[], byte[]>> committed = kafka.readSettled("it-baseline-results", Duration.ofSeconds(2),
                Duration.ofSeconds(60));
        List<Classification> results = committed.stream()
                .map(r -> AvroSerde.of(Classification.class).decode(r.value())).toList();
        assertThat(results).extracting(Classification::getId).hasSize(2 * RECORDS).doesNotHaveDuplicates()
                .allMatch(id -> id.startsWith("b0-") || id.startsWith("b1-"));
        assertThat(results).allMatch(c -> c.getExitLayer() == 12 && c.getSetting().equals("k=12"));
    }
}

package io.pabee.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pabee.glue.GlueExample;
import io.pabee.glue.GlueReader;
import io.pabee.glue.GlueTask;
import io.pabee.glue.Split;
import io.pabee.prepare.BaseModel;
import io.pabee.prepare.ModelPreparer;
import io.pabee.stage.ModelDirectory;
import io.pabee.broker.EmbeddedBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** CI-sized soak: 30 s above capacity, then drain: the backlog grows and empties, nothing lost, nothing twice, heap bounded. */
class SoakIT {

    @Test
    void shouldDrainABacklogWithoutLossOrDuplicatesAndWithBoundedHeap() throws Exception {
        Path glue = GlueReader.defaultGlueDir();
        assumeTrue(Files.isDirectory(glue.resolve("SST-2")), "GLUE data not found at " + glue);
        String home = System.getProperty("pabee.home", "../models/prepared");
        ModelDirectory dir = ModelPreparer.ensurePrepared(BaseModel.BGE_SMALL_EN_V15, Path.of(home, "bge-small-en-v15"), m -> { });
        List<String> texts = GlueReader.read(glue, GlueTask.SST_2, Split.DEV).stream().map(GlueExample::text).toList();
        Soak.Result r;
        try (EmbeddedBroker kafka = EmbeddedBroker.start()) {
            r = Soak.run(kafka, dir.path(), texts, 30, 150, 1, s -> { });
        }
        assertThat(r.produced()).isGreaterThan(4000);
        assertThat(r.lost()).isZero();
        assertThat(r.duplicates()).isZero();
        assertThat(r.answered()).isEqualTo(r.produced());
        // production outran the pipeline (a backlog built up), and it drained afterwards
        assertThat(r.maxBacklog()).isGreaterThan(200);
        assertThat(r.samples().get(r.samples().size() - 1)[3]).isLessThan(r.maxBacklog());
        // the backlog waits in Kafka, not in memory: the heap stays far below the 4 GB limit of the test JVM
        assertThat(r.maxHeapBytes()).isLessThan(3L << 30);
    }
}

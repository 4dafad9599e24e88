package io.pabee.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pabee.glue.GlueTask;
import io.pabee.prepare.BaseModel;
import io.pabee.prepare.ModelPreparer;
import io.pabee.router.RouterConfig;
import io.pabee.router.RouterModel;
import io.pabee.stage.ModelDirectory;
import io.pabee.stage.OnnxLayerModel;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code bench router} hands its task, threads and truncation length to the router it measures. */
class BenchRouterCommandTest {

    @Test
    void shouldRunTheRouterWithTheHeadsOfTheChosenTask() throws Exception {
        String home = System.getProperty("pabee.home", "../models/prepared");
        ModelDirectory dir = ModelPreparer.ensurePrepared(BaseModel.BGE_SMALL_EN_V15, Path.of(home, "bge-small-en-v15"), m -> { });
        CommandLine cl = Pabee.commandLine();
        cl.parseArgs("bench", "router", "--task", "MRPC", "--threads", "1", "--max-length", "64", "--model-dir", dir.path().toString());
        BenchRouterCommand bench = cl.getSubcommands().get("bench").getSubcommands().get("router").getCommand();

        RouterConfig cfg = bench.routerConfig("t-", dir, GlueTask.parse(bench.task), 4);
        assertThat(cfg.getString(RouterConfig.TASK_CONFIG)).isEqualTo("MRPC");
        assertThat(cfg.getInt(RouterConfig.THREADS_CONFIG)).isEqualTo(1);
        assertThat(cfg.getInt(RouterConfig.MAX_LENGTH_CONFIG)).isEqualTo(64);
        assertThat(cfg.inputTopic()).isEqualTo("t-pabee-text-events");
        try (OnnxLayerModel model = RouterModel.load(cfg)) {
            assertThat(model.task()).isEqualTo("MRPC");
            assertThat(model.labels()).containsExactly("not_equivalent", "equivalent");
            assertThat(model.tokenizer().maxLength()).isEqualTo(64);
        }
    }
}

package io.pabee.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pabee.glue.GlueReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;

/** One {@code pabee} command run in this JVM, its exit code and what it printed; and the test data it reads. */
record CliRun(int rc, String out, String err) {

    /** Runs {@code pabee args...} and captures standard output and error. */
    static CliRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Pabee.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int rc = cl.execute(args);
        return new CliRun(rc, out.toString(), err.toString());
    }

    /** The GLUE directory, which must hold SST-2: a missing data set fails the test, never skips it. */
    static Path glueDir() {
        Path glue = GlueReader.defaultGlueDir();
        assertTrue(Files.isDirectory(glue.resolve("SST-2")), "GLUE data not found at " + glue
                + " (GLUE data is required: set GLUE_DIR or -Dglue.dir; a missing data set fails, never skips)");
        return glue;
    }

    /** The frozen base model the tests prepare ({@code pabee.home}/bge-small-en-v15). */
    static Path frozenModel() {
        return Path.of(System.getProperty("pabee.home", "../models/prepared"), "bge-small-en-v15");
    }

    /** The fine-tuned SST-2 model the tests use ({@code pabee.home}/bge-small-en-v15-sst2), merged from the shipped adapters on first use. */
    static Path tunedSst2() throws java.io.IOException {
        return PreparedModels.ensure(PreparedModels.defaultDir(io.pabee.prepare.BaseModel.BGE_SMALL_EN_V15, "SST-2"), m -> { }).path();
    }
}

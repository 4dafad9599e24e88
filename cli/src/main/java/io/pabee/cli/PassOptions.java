package io.pabee.cli;

import picocli.CommandLine.Option;

/** Batch size and timed passes of the throughput benchmarks that compare against the in-process runner. */
final class PassOptions {
    @Option(names = "--batch-size", defaultValue = "32", description = "Records per stage call (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--repeats", defaultValue = "3",
            description = "Timed runs per setting; the median is reported (default ${DEFAULT-VALUE}).")
    int repeats;
}

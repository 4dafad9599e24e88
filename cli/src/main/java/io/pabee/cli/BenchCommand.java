package io.pabee.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code pabee bench}: benchmarks that print numbers and write reports (never tests). */
@Command(name = "bench", mixinStandardHelpOptions = true, header = "Throughput benchmarks.",
        subcommands = {BenchInProcessCommand.class, BenchRouterCommand.class, BenchWorkerCommand.class, BenchE2eCommand.class,
                BenchSoakCommand.class, BenchAdaptiveCommand.class, BenchRouterMemoryCommand.class, BenchBaselineCommand.class,
                BenchRouterLayersCommand.class})
final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}

package io.pabee.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Root of the {@code pabee} command line; run bare, it prints usage. */
@Command(name = "pabee", mixinStandardHelpOptions = true, version = "pabee-streams 0.1.0",
        description = "PABEE early-exit text classification on Apache Kafka.",
        subcommands = {ModelsCommand.class, DemoCommand.class, UpCommand.class, ProduceCommand.class, ConsumeCommand.class, StatsCommand.class, RouterCommand.class,
                WorkerCommand.class, AnalyticsCommand.class, BenchCommand.class, ConfigCommand.class,
                CommandLine.HelpCommand.class})
public final class Pabee implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, shared by {@link #main} and tests. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Pabee());
        cl.setExecutionExceptionHandler(new OneLineErrors());
        return cl;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}

package io.pabee.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code pabee models}: prepare staged models, train heads, evaluate exit policies, profile patience. */
@Command(name = "models", mixinStandardHelpOptions = true, header = "Prepare, train and evaluate staged PABEE models.",
        subcommands = {PrepareCommand.class, TrainHeadsCommand.class, FineTuneCommand.class, EvaluateCommand.class,
                ProfileCommand.class})
final class ModelsCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}

package io.pabee.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code pabee config}: every {@code pabee.*} setting of every role, as the Markdown tables the docs carry. */
@Command(name = "config", mixinStandardHelpOptions = true,
        header = "Print every pabee.* setting (shared, router/analytics, worker) with its default, as Markdown tables.")
final class ConfigCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getOut().print(ConfigTables.markdown());
        spec.commandLine().getOut().flush();
        return 0;
    }
}

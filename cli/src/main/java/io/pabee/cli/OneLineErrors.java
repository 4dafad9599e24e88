package io.pabee.cli;

import picocli.CommandLine;

/**
 * Turns the expected failures (bad input files, missing or tampered models, bad settings) into one
 * line on stderr and exit code 2; a stack trace only with {@code PABEE_DEBUG=1}.
 */
final class OneLineErrors implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parseResult) {
        if (System.getenv("PABEE_DEBUG") != null) {
            ex.printStackTrace(cl.getErr());
        }
        String msg = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
        cl.getErr().println(cl.getCommandSpec().qualifiedName() + ": error: " + msg.lines().findFirst().orElse(msg));
        return 2;
    }
}

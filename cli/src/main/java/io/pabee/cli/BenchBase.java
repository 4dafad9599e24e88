package io.pabee.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;

/** What every {@code pabee bench} command takes: the model, the records to run, and how to report. */
abstract class BenchBase {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ModelOptions model;

    @Mixin
    SampleOptions sample;

    @Mixin
    ReportOptions output;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }
}

package io.gptlens.web.playground;

import io.gptlens.core.sampling.StageSpec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One generation: a prompt, a chain and a seed, and the tokens it produced. A branch is a run
 * that shares its parent's first {@code branchAt} steps and continues from another token.
 * Steps are appended by the generating thread and read by the view under the UI lock.
 */
public final class Run {

    private final int id;
    private final Run parent;
    private final int branchAt;
    private volatile RunRecord record;
    private final List<Step> steps = Collections.synchronizedList(new ArrayList<>());
    private volatile String finish = "";

    Run(int id, Run parent, int branchAt, RunRecord record) {
        this.id = id;
        this.parent = parent;
        this.branchAt = branchAt;
        this.record = record;
    }

    public int id() {
        return id;
    }

    /** The run this one branched from, or null for a root. */
    public Run parent() {
        return parent;
    }

    /** Index of the first step that differs from the parent (-1 for a root). */
    public int branchAt() {
        return branchAt;
    }

    /** What it takes to replay this run. */
    public RunRecord record() {
        return record;
    }

    /** The steps so far (a copy). */
    public List<Step> steps() {
        synchronized (steps) {
            return List.copyOf(steps);
        }
    }

    void setRecord(RunRecord r) {
        record = r;
    }

    void add(Step s) {
        steps.add(s);
    }

    /** The generated token ids. */
    public int[] tokens() {
        return steps().stream().mapToInt(Step::token).toArray();
    }

    /** Why the run ended ("" while it runs). */
    public String finish() {
        return finish;
    }

    void finish(String why) {
        finish = why;
    }

    /** Depth in the branch tree (0 for a root). */
    public int depth() {
        return parent == null ? 0 : parent.depth() + 1;
    }

    /** A one-line description for the runs list. */
    public String title() {
        StringBuilder sb = new StringBuilder("#" + id);
        if (parent != null) {
            sb.append(" ← #").append(parent.id).append(" @").append(branchAt);
        }
        return sb.append(" · seed ").append(record.seed()).append(" · ").append(stagesText(record.chain())).toString();
    }

    static String stagesText(List<StageSpec> chain) {
        return String.join(" → ", chain.stream().map(s -> s.params().isEmpty() ? s.name() : s.name() + " " + s.params().values()).toList());
    }
}

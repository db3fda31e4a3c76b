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
    private volatile Ending ending = Ending.RUNNING;
    private volatile String failure = "";

    /** How a run ended, or that it has not yet; {@link #text()} is how the playground says it. */
    public enum Ending {
        RUNNING("running"), MAX_TOKENS("max tokens"), END_OF_TEXT("end of text"), STOPPED("stopped"), CONTEXT_FULL("context full"),
        FAILED("failed");

        private final String text;

        Ending(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    /**
     * Which distribution the playground shows: at a chosen step, at the latest step of a run
     * still going, or after the prompt.
     *
     * @param logits null when none is known yet
     * @param chosen the token taken there, or -1
     */
    public record Focus(float[] logits, String heading, int chosen) {

        /** The focus for {@code run} (may be null) with step {@code selected} chosen (-1: none). */
        public static Focus of(Run run, int selected, float[] promptLogits) {
            List<Step> steps = run == null ? List.of() : run.steps();
            if (selected >= 0 && selected < steps.size()) {
                Step s = steps.get(selected);
                return new Focus(s.logits(), "Distribution at generated token " + (selected + 1) + " (chosen: " + s.label()
                        + "); click another to branch", s.token());
            }
            if (run != null && !steps.isEmpty() && run.running()) {
                return new Focus(steps.getLast().logits(), "Distribution at the latest token", steps.getLast().token());
            }
            return new Focus(promptLogits, "Next-token distribution after the prompt; click a token to continue from it", -1);
        }
    }

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

    /** Why the run ended ({@link Ending#RUNNING} while it runs). */
    public Ending ending() {
        return ending;
    }

    /** True until the run has ended. */
    public boolean running() {
        return ending == Ending.RUNNING;
    }

    /** The ending as the playground shows it; a failure with its reason. */
    public String endingText() {
        return ending == Ending.FAILED ? "failed: " + failure : ending.text();
    }

    void finish(Ending how) {
        ending = how;
    }

    void fail(String why) {
        failure = why == null ? "" : why;
        ending = Ending.FAILED;
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
